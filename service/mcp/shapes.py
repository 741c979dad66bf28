"""What the MCP tools return: pydantic models, so each tool publishes an output JSON schema and
answers with structured content a client can check (`text == document.text[start:end]`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.core.records import ABSTENTION_REASONS, AbstentionReason, Document, Hit, Section
from service.stores.base import ServedIndex


class Citation(BaseModel):
    """A numbered passage; the answer's [n] markers refer to `n`."""

    model_config = ConfigDict(extra="allow")
    n: int = Field(description="1-based number of the passage; the answer's [n] markers refer to it.")
    doc_id: str = Field(description="Document the passage comes from (get_document / get_passage take it).")
    title: str = Field(description="The document's title.")
    section: str = Field(description="Section path, e.g. 'II. SUPPORT FOR UKRAINE > Financial pledge'.")
    page: int | None = Field(description="Page where the passage starts; null for formats without pages.")
    start: int = Field(description="Offset of the passage's first character in the document text.")
    end: int = Field(description="Offset just past its last character: text == document.text[start:end].")
    text: str = Field(description="The passage, exactly as in the document.")
    ocr: bool = Field(False, description="True when the passage was read by OCR from a scanned page.")
    ocr_confidence: float | None = Field(None, description="OCR passages: the engine's confidence (0..1); else null.")


class Abstention(BaseModel):
    model_config = ConfigDict(extra="allow")
    reason: AbstentionReason = Field(description="Why the documents do not answer the question: "
                                     + "; ".join(f"`{k}`: {v}" for k, v in ABSTENTION_REASONS.items()) + ".")
    explanation: str = Field("", description="What `reason` means, in plain words.")


class AskResult(BaseModel):
    """The cited answer. Fields the HTTP API's /v1/ask adds travel along as extra properties."""

    model_config = ConfigDict(extra="allow")
    question: str = Field(description="The question that was answered (a follow-up resolved with its history).")
    answer: str = Field(description="Answer sentences copied from the passages, each ending with its [n] markers; "
                        "or a sentence saying the documents do not cover the question.")
    abstained: bool = Field(description="True when the documents do not answer the question.")
    confidence: float = Field(0.0, ge=0.0, le=1.0, description="The probability that the answer is right, calibrated "
                              "on the project's dev questions; pass min_confidence to abstain below a level.")
    abstention: Abstention | None = Field(None, description="Why it abstained; null when it answered.")
    citations: list[Citation] = Field(description="The numbered passages (when it abstained: the closest ones).")
    index_version: str = Field(description="The index build the answer came from.")


class SearchResult(BaseModel):
    query: str
    passages: list[Citation] = Field(description="Best first, numbered from 1.")
    index_version: str


class SectionInfo(BaseModel):
    title: str
    level: int
    start: int
    end: int


class DocumentText(BaseModel):
    doc_id: str
    title: str
    chars: int = Field(description="Length of the whole document text.")
    start: int = Field(description="Offset of the first character returned.")
    end: int = Field(description="Offset just past the last character returned.")
    section: str = Field(description="Path of the deepest section holding `start` ('' when none).")
    text: str = Field(description="Exactly document.text[start:end].")
    sections: list[SectionInfo] = Field(default_factory=list, description="get_document: every section, with offsets.")


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    source: str
    chars: int
    sections: list[str] = Field(description="Section titles, in order.")


class DocumentsList(BaseModel):
    documents: list[DocumentInfo]
    index_version: str


def citations(hits: list[Hit] | tuple[Hit, ...], index: ServedIndex) -> list[Citation]:
    return [Citation(n=n, doc_id=h.chunk.doc_id, title=index.title(h.chunk.doc_id), section=h.chunk.section_label,
                     page=h.chunk.page, start=h.chunk.start, end=h.chunk.end, text=h.chunk.text,
                     ocr=h.chunk.ocr is not None, ocr_confidence=h.chunk.ocr)
            for n, h in enumerate(hits, start=1)]


def section_at(doc: Document, offset: int) -> str:
    """The path of the deepest section whose span holds `offset`."""
    holding: list[Section] = [s for s in doc.sections if s.start <= offset < max(s.end, s.start + 1)]
    if not holding:
        return ""
    deepest = max(holding, key=lambda s: (s.level, s.start))
    return " > ".join(deepest.path) if deepest.path else deepest.title


def document_text(doc: Document, start: int, end: int, whole: bool = False) -> DocumentText:
    sections = [SectionInfo(title=s.title, level=s.level, start=s.start, end=s.end) for s in doc.sections] if whole else []
    return DocumentText(doc_id=doc.doc_id, title=doc.title, chars=len(doc.text), start=start, end=end,
                        section=section_at(doc, start), text=doc.text[start:end], sections=sections)


def documents_list(index: ServedIndex) -> DocumentsList:
    docs = [DocumentInfo(doc_id=d.doc_id, title=d.title, source=d.source, chars=len(d.text),
                         sections=[s.title for s in d.sections]) for d in index.document_list()]
    return DocumentsList(documents=docs, index_version=index.version)
