"""The MCP server (official `mcp` SDK): tools ask, search, get_document, get_passage and the documents
list as a resource. One server object serves stdio (`briefqa mcp`) and streamable HTTP (`/mcp` on
`briefqa serve`); it reads the engine through `engines` on every call, so a reload is picked up."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from service import __version__
from service.core.errors import BriefqaError
from service.core.modes import Mode
from service.core.records import ABSTENTION_REASONS, Answer, Document
from service.mcp.shapes import (AskResult, DocumentsList, DocumentText, SearchResult, citations, document_text,
                                documents_list)
from service.pipeline import Engine
from service.stores.base import ServedIndex

EngineSource = Callable[[], Engine]  # the engine serving now; raises BriefqaError when there is none
Render = Callable[[Answer, ServedIndex], dict[str, Any]]  # the edge's JSON of an answer (/v1/ask's shape)
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
DOCUMENTS_URI = "briefqa://documents"

INSTRUCTIONS = ("briefqa answers questions about a fixed set of indexed policy documents with sentences copied "
                "from them, each citing numbered passages with exact character offsets. Prefer `ask` for a "
                "question; use `search` to explore; quote the citations rather than paraphrasing them.")
ASK = ("Answer a question from the indexed policy documents. Returns answer sentences copied verbatim from the "
       "documents, each ending with [n] markers, and the numbered citations (doc_id, section, page, start, end, "
       "exact text). If the documents do not cover the question, `abstained` is true and `abstention.reason` "
       "says why: do not answer from your own knowledge then. Call this for any factual question about the "
       "documents; pass earlier questions of the conversation in `history` when this one is a follow-up "
       "(\"And Japan?\", \"When will it start?\").")
SEARCH = ("Find the passages of the indexed documents that best match a query, best first, each with doc_id, "
          "section, page, start, end and its exact text. Use it to explore what the documents say about a topic, "
          "or when `ask` abstained and you want to see the closest passages yourself.")
GET_DOCUMENT = ("Get one indexed document's full text and its sections (title, level, start, end). Use it to read "
                "around a citation; doc_id comes from a citation, a search result or the documents resource.")
GET_PASSAGE = ("Get the exact text of a document between two character offsets (e.g. a citation's start and "
               "end, or wider to read its context), with the section it starts in. text == document.text[start:end].")


def _answer_result(answer: Answer, index: ServedIndex, render: Render | None) -> AskResult:
    data = render(answer, index) if render is not None else {
        "question": answer.question, "answer": answer.text, "abstained": answer.abstained,
        "confidence": answer.confidence, "citations": [c.model_dump() for c in citations(answer.hits, index)], "index_version": index.version}
    if answer.abstained and not data.get("abstention"):
        reason = answer.abstention.reason if answer.abstention else "not_covered"
        data["abstention"] = {"reason": reason, "explanation": ABSTENTION_REASONS[reason]}
    return AskResult.model_validate(data)


def _tool_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A BriefqaError (no index, store down) becomes a tool error with its sentence, not a crash."""
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BriefqaError as exc:
            raise ToolError(str(exc)) from exc
    return call


Question = Annotated[str, Field(min_length=1, max_length=2000, description="The question, in plain words.")]
TopK = Annotated[int, Field(ge=1, le=20, description="Passages to retrieve and cite (1-20).")]
History = Annotated[list[str], Field(max_length=20, description="Earlier user questions of this conversation, "
                                     "oldest first; empty for a first question.")]
MinConfidence = Annotated[float, Field(ge=0.0, le=1.0, description="Abstain (reason low_confidence) when the "
                                      "answer's confidence (0..1) is below this; 0 answers whenever it can.")]
ModeArg = Annotated[Mode, Field(description="Retrieval: hybrid (default, best), dense (meaning) or bm25 (keywords).")]


def build_server(engines: EngineSource, render: Render | None = None,
                 ask: Callable[[Engine, str, int, str, list[str], float], Answer] | None = None) -> MCPServer:
    """The server; `render` gives answers the HTTP API's extra fields, `ask` may resolve follow-ups."""
    server = MCPServer("briefqa", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")
    answer_of = ask or (lambda engine, q, k, mode, history, least: engine.ask(q, k, mode, min_confidence=least))

    def ask_tool(question: Question, top_k: TopK = 5, mode: ModeArg = "hybrid", history: History = [],
                 min_confidence: MinConfidence = 0.0) -> AskResult:
        engine = engines()
        answer = answer_of(engine, question, top_k, mode, list(history), min_confidence)
        return _answer_result(answer, engine.index, render)

    def search_tool(query: Question, top_k: Annotated[int, Field(ge=1, le=50)] = 10,
                    mode: ModeArg = "hybrid") -> SearchResult:
        engine = engines()
        hits, _ = engine.search(query, top_k, mode)
        return SearchResult(query=query, passages=citations(hits, engine.index), index_version=engine.version)

    def get_document(doc_id: Annotated[str, Field(min_length=1, description="A document's doc_id.")]) -> DocumentText:
        doc = _document(engines(), doc_id)
        return document_text(doc, 0, len(doc.text), whole=True)

    def get_passage(doc_id: Annotated[str, Field(min_length=1)], start: Annotated[int, Field(ge=0)],
                    end: Annotated[int, Field(ge=1)]) -> DocumentText:
        doc = _document(engines(), doc_id)
        if not start < end <= len(doc.text):
            raise ToolError(f"start and end must satisfy 0 <= start < end <= {len(doc.text)} "
                            f"(the length of {doc_id!r}); got start={start}, end={end}")
        return document_text(doc, start, end)

    for fn, name, text in ((ask_tool, "ask", ASK), (search_tool, "search", SEARCH),
                           (get_document, "get_document", GET_DOCUMENT), (get_passage, "get_passage", GET_PASSAGE)):
        server.add_tool(_tool_errors(fn), name=name, description=text, annotations=READ_ONLY, structured_output=True)

    @server.resource(DOCUMENTS_URI, name="documents", mime_type="application/json",
                     description="The indexed documents: doc_id, title, source, length and section titles.")
    def documents() -> str:
        listing: DocumentsList = documents_list(engines().index)
        return json.dumps(listing.model_dump(), ensure_ascii=False)

    return server


def _document(engine: Engine, doc_id: str) -> Document:
    doc = engine.index.document(doc_id)
    if doc is None:
        raise ToolError(f"no document {doc_id!r}; read the {DOCUMENTS_URI} resource or call search for doc_ids")
    return doc
