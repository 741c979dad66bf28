"""Request and response models of the HTTP API (the CLI's --json prints the same shapes)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from service.core.modes import Mode
from service.core.records import ABSTENTION_REASONS, AbstentionReason, Answer, Document, Hit
from service.pipeline.llm import LlmResult
from service.stores.base import ServedIndex
from service.text.tables import parse_row

AnswererField = Literal["extractive", "llm"]
ADSE = "what are the ADSE priority areas"


def _not_a_boolean(value: object) -> object:
    """JSON true/false is not a count (plain int fields would take it as 1/0); 5 and 5.0 are."""
    if isinstance(value, bool):
        raise ValueError("Input should be a valid integer, not a boolean")
    return value


Count = Annotated[int, BeforeValidator(_not_a_boolean)]

_DOC = "nato-pa-defence-ministers-2024-10.txt"
_VERSION = "20261128T035231514571Z-a3a3397a"
_ADSE_SENTENCE = ("The ADSE will focus on four priority areas: securing critical undersea infrastructure, enhancing geospatial "
                  "awareness, improving information environment assessment and strengthening maritime situational awareness.")
PASSAGE_EXAMPLE = {
    "n": 1, "chunk_id": "0ff151a6b11b4b9f", "doc_id": _DOC, "title": "MEETING OF NATO MINISTERS OF DEFENCE",
    "section": "V. ADDITIONAL NOTES > Creation of an initiative to foster secure data sharing", "page": None,
    "start": 10050, "end": 10602, "score": 1.0,
    "text": ("- **NATO established the Alliance Data Sharing Ecosystem (ADSE)** for defence and security, a key initiative "
             "supporting NATO\u2019s digital transformation and the rapid adoption of dual-use technologies. It aims to "
             "**ensure NATO maintains its technological edge and military effectiveness by securing access to AI-ready, "
             "high-quality data.**\n- " + _ADSE_SENTENCE),
}
_SECTION_EXAMPLE = {"title": "V. ADDITIONAL NOTES", "level": 1, "start": 9972, "end": 12684}
_SUMMARY_EXAMPLE = {"doc_id": _DOC, "title": "MEETING OF NATO MINISTERS OF DEFENCE", "source": _DOC, "chars": 12684,
                    "sections": [_SECTION_EXAMPLE]}


def _examples(*values: dict) -> ConfigDict:
    """OpenAPI examples for a response model (shown in /docs)."""
    return ConfigDict(json_schema_extra={"examples": list(values)})



class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": ADSE, "top_k": 5, "mode": "hybrid"}]})
    question: str = Field(min_length=1, max_length=2000, description="The question, 1 to 2000 characters.")
    top_k: Count = Field(5, ge=1, le=20, description="Passages to retrieve and cite.")
    mode: Mode = Field("hybrid", description="Retrieval mode.")
    answerer: AnswererField = Field("extractive", description="`extractive` copies sentences; `llm` asks the configured "
                                    "LLM and keeps only the sentences its cited passages support.")
    min_confidence: float = Field(0.0, ge=0.0, le=1.0, description="Abstain (reason `low_confidence`) when the "
                                  "answer's `confidence` is below this: trade answers for abstentions. 0 answers whenever it can.")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "air and missile defence", "top_k": 10}]})
    query: str = Field(min_length=1, max_length=2000, description="Search text, 1 to 2000 characters.")
    top_k: Count = Field(10, ge=1, le=100, description="Passages to return.")
    mode: Mode = Field("hybrid", description="Retrieval mode.")


class Passage(BaseModel):
    model_config = _examples(PASSAGE_EXAMPLE)
    n: int = Field(description="1-based number; the answer's [n] markers refer to it.")
    chunk_id: str
    doc_id: str
    title: str
    section: str = Field(description="Section path, e.g. 'II. SUPPORT FOR UKRAINE > Financial pledge ...'.")
    page: int | None = Field(description="Page where the passage starts; null for text files.")
    start: int = Field(description="Offset of the passage's first character in the document text.")
    end: int = Field(description="Offset just past its last character: text == document.text[start:end].")
    text: str
    score: float
    doc_sha256: str | None = Field(None, description="sha256 of the cited document's file, so a saved answer can be "
                                   "checked later against the document it quoted.")
    ocr: bool = Field(False, description="True when the passage's text was read by OCR from a scanned page (its "
                      "offsets point into the document's text like any other passage's).")
    ocr_confidence: float | None = Field(None, description="OCR passages: the OCR engine's confidence (0..1) for the "
                                         "page(s) it comes from, the lowest when it spans several; null otherwise.")
    table: TableOut | None = Field(None, description="When answer sentences cited from this passage are table rows "
                                   "(\"Header: cell; Header: cell\"): their headers and cells, for showing them as a table.")


class TableOut(BaseModel):
    headers: list[str] = Field(description="The column headers of the cited rows, in column order.")
    rows: list[list[str]] = Field(description="The cited rows' cells under those headers (empty cells left out "
                                  "of the row text are empty strings here).")


class SentenceOut(BaseModel):
    text: str = Field(description="The sentence, without its [n] markers.")
    citations: list[int] = Field(description="The passages it cites (1-based).")
    score: float | None = Field(None, description="LLM answers: support by the cited passages (grounding check).")
    depth: int = Field(0, description="List answers: 1 for an item, 2 for an item nested under it; 0 for a sentence "
                       "or the list's introducing sentence or heading.")


class DroppedOut(BaseModel):
    text: str = Field(description="A generated sentence left out of the answer, without its markers.")
    reason: str
    score: float | None = Field(None, description="Its best support score, when it was scored.")


class AbstentionOut(BaseModel):
    model_config = _examples({"reason": "no_answer_of_type", "expected": "amount", "about": ["NSATU"], "missing_terms": []})
    reason: AbstentionReason = Field(
        description="; ".join(f"`{k}`: {v}" for k, v in ABSTENTION_REASONS.items()) + ".")
    explanation: str = Field("", description="What `reason` means, in words a page can show.")
    expected: str | None = Field(None, description="The answer type the question asks for (person, date, place, number, "
                                 "amount, duration, frequency), if it says.")
    about: list[str] = Field(default_factory=list, description="What the question is about.")
    missing_terms: list[str] = Field(default_factory=list, description="The question's terms the passages lack.")


class ShortAnswerOut(BaseModel):
    model_config = _examples({"text": "EUR 40 billion", "doc_id": _DOC, "start": 5120, "end": 5134, "citation": 1})
    text: str = Field(description="The words that answer a factoid question, inside the first answer sentence.")
    doc_id: str
    start: int = Field(description="text == document.text[start:end], like a citation.")
    end: int
    citation: int = Field(description="The [n] of the passage holding it.")


class AskResponse(BaseModel):
    model_config = _examples(
        {"question": ADSE, "answer": _ADSE_SENTENCE + " [1]", "abstained": False, "confidence": 0.83, "citations": [PASSAGE_EXAMPLE],
         "index_version": _VERSION, "timings_ms": {"embed": 8.1, "retrieve": 0.9, "answer": 1.4}},
        {"question": "what's a good recipe for Belgian waffles", "answer": "The indexed documents do not cover this question.",
         "abstained": True, "confidence": 0.0, "citations": [], "index_version": _VERSION, "timings_ms": {"embed": 7.9, "retrieve": 0.8, "answer": 0.6},
         "abstention": {"reason": "not_covered", "expected": None, "about": ["recipe", "Belgian", "waffles"],
                        "missing_terms": []}})
    question: str
    answer: str
    abstained: bool
    confidence: float = Field(ge=0.0, le=1.0, description="The probability that the answer is right (its first sentence "
                              "holds the evidence; a list holds every item), calibrated on the dev questions: "
                              "docs/ANSWERS.md shows how well it holds on held-out.")
    citations: list[Passage]
    index_version: str
    timings_ms: dict[str, float]
    answerer: AnswererField = Field("extractive", description="Who wrote the answer: `llm` only when at least one "
                                    "generated sentence passed the grounding check.")
    sentences: list[SentenceOut] = Field(default_factory=list, description="The answer's sentences one by one.")
    dropped: list[DroppedOut] = Field(default_factory=list, description="LLM answers: generated sentences left out, "
                                      "with the reason.")
    note: str | None = Field(None, description="Why an LLM answer fell back to the extractive one, if it did.")
    abstention: AbstentionOut | None = Field(None, description="When `abstained`: why, machine-readable; `answer` "
                                             "says it in one sentence and `citations` are the closest passages.")
    short_answer: ShortAnswerOut | None = Field(None, description="Factoid questions: the answer's key words.")
    list_note: str | None = Field(None, description="List answers: a count the question states that differs from the "
                                  "items found, or how many items are left out of `sentences` (all are cited).")


class SearchResponse(BaseModel):
    model_config = _examples({"query": "ADSE", "results": [PASSAGE_EXAMPLE], "index_version": _VERSION})
    query: str
    results: list[Passage]
    index_version: str


class SectionOut(BaseModel):
    model_config = _examples(_SECTION_EXAMPLE)
    title: str
    level: int
    start: int
    end: int


class OcrPageOut(BaseModel):
    page: int = Field(description="1-based page.")
    confidence: float = Field(description="The OCR engine's confidence for the page, 0..1.")


class DocumentSummary(BaseModel):
    model_config = _examples(_SUMMARY_EXAMPLE)
    doc_id: str
    title: str
    source: str
    chars: int
    sections: list[SectionOut]
    sha256: str | None = Field(None, description="sha256 of the document's file (citations carry it as doc_sha256).")
    format: str | None = Field(None, description="The file's kind, from its suffix: pdf, docx, html, txt, md.")
    pages: int | None = Field(None, description="Pages (PDF); null for formats without pages.")
    ocr_pages: list[OcrPageOut] = Field(default_factory=list, description="Pages whose text was read by OCR, with "
                                        "the engine's confidence (0..1); empty for documents with a text layer.")
    passages: int | None = Field(None, description="Passages it was split into (in the list).")
    indexed_at: str | None = Field(None, description="When the job that added this copy published it, else when the build "
                                      "serving it was made (in the list).")


class DocumentOut(DocumentSummary):
    model_config = _examples({**_SUMMARY_EXAMPLE, "text": "NATO PARLIAMENTARY ASSEMBLY\nMEETING OF NATO MINISTERS OF DEFENCE ..."})
    text: str


class DocumentList(BaseModel):
    model_config = _examples({"documents": [_SUMMARY_EXAMPLE], "index_version": _VERSION})
    documents: list[DocumentSummary]
    index_version: str


def passages(hits: list[Hit] | tuple[Hit, ...], index: ServedIndex) -> list[Passage]:
    shas = index.manifest.get("corpus", {}).get("files", {})
    return [
        Passage(n=n, chunk_id=h.chunk.chunk_id, doc_id=h.chunk.doc_id, title=index.title(h.chunk.doc_id),
                section=h.chunk.section_label, page=h.chunk.page, start=h.chunk.start, end=h.chunk.end,
                text=h.chunk.text, score=round(h.score, 6), doc_sha256=shas.get(h.chunk.doc_id),
                ocr=h.chunk.ocr is not None, ocr_confidence=h.chunk.ocr)
        for n, h in enumerate(hits, start=1)
    ]


def cited_table(answer: Answer, n: int) -> TableOut | None:
    """The table rows among the answer sentences citing passage n, under the first one's headers."""
    rows = [pairs for s in answer.sentences if n in s.citations and (pairs := parse_row(s.text))]
    if not rows:
        return None
    headers = [h for h, _ in rows[0]]
    cells = [[dict(pairs).get(h, "") for h in headers] for pairs in rows if set(dict(pairs)) <= set(headers)]
    return TableOut(headers=headers, rows=cells)


def _with_tables(out: list[Passage], answer: Answer) -> list[Passage]:
    if not answer.abstained:
        for p in out:
            p.table = cited_table(answer, p.n)
    return out


def ask_response(answer: Answer, index: ServedIndex) -> AskResponse:
    return AskResponse(question=answer.question, answer=answer.text, abstained=answer.abstained,
                       confidence=min(1.0, max(0.0, answer.confidence)),
                       citations=_with_tables(passages(answer.hits, index), answer), index_version=index.version,
                       timings_ms=answer.timings_ms,
                       sentences=[SentenceOut(text=s.text, citations=list(s.citations), depth=s.depth)
                                  for s in answer.sentences],
                       abstention=_abstention(answer), short_answer=_short(answer), list_note=answer.list_note)


def _abstention(answer: Answer) -> AbstentionOut | None:
    a = answer.abstention
    if not answer.abstained:
        return None
    if a is None:
        return AbstentionOut(reason="not_covered", explanation=ABSTENTION_REASONS["not_covered"])
    return AbstentionOut(reason=a.reason, explanation=a.explanation, expected=a.expected, about=list(a.about),
                         missing_terms=list(a.missing_terms))


def _short(answer: Answer) -> ShortAnswerOut | None:
    s = answer.short_answer
    return None if s is None else ShortAnswerOut(text=s.text, doc_id=s.doc_id, start=s.start, end=s.end,
                                                 citation=s.citation)


def llm_response(result: LlmResult, index: LoadedIndex) -> AskResponse:
    """An answer of the LLM answerer: extractive or llm, with the sentences it dropped and why."""
    out = ask_response(result.answer, index)
    for sentence, score in zip(out.sentences, result.scores):
        sentence.score = score
    out.answerer = result.answerer  # type: ignore[assignment]
    out.dropped = [DroppedOut(text=d.text, reason=d.reason, score=d.score) for d in result.dropped]
    out.note = result.note
    return out


def document_summary(doc: Document) -> DocumentSummary:
    return DocumentSummary(doc_id=doc.doc_id, title=doc.title, source=doc.source, chars=len(doc.text),
                           sections=[SectionOut(title=s.title, level=s.level, start=s.start, end=s.end) for s in doc.sections],
                           sha256=doc.sha256, format=doc.doc_id.rsplit(".", 1)[-1].lower() if "." in doc.doc_id else None,
                           pages=len(doc.pages) or None,
                           ocr_pages=[OcrPageOut(page=p, confidence=c) for p, c in doc.ocr_pages])


def document_out(doc: Document) -> DocumentOut:
    return DocumentOut(**document_summary(doc).model_dump(), text=doc.text)
