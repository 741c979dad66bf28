"""Documents -> Chunks: langchain's recursive splitter inside each section, exact offsets kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from service.core.errors import ConfigError
from service.core.records import Chunk, Document

SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class ChunkSettings:
    size: int = 600
    overlap: int = 80

    def __post_init__(self) -> None:
        if self.size < 1 or not 0 <= self.overlap < self.size:
            raise ConfigError(
                f"chunk overlap ({self.overlap}) must be at least 0 and below chunk size ({self.size})"
            )


def chunk_id(doc_id: str, start: int, text: str) -> str:
    """Stable id: the same source, offset and text always give the same id."""
    digest = hashlib.sha256(f"{doc_id}\x00{start}\x00{text}".encode()).hexdigest()
    return digest[:16]


def _spans(doc: Document) -> list[tuple[int, int]]:
    """Body spans between headings, heading lines left out: chunks never straddle a heading."""
    cuts = sorted({0, len(doc.text), *(s.start for s in doc.sections)})
    body_start = {s.start: s.body_start for s in doc.sections}
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        a = min(body_start.get(a, a), b)
        if doc.text[a:b].strip():
            spans.append((a, b))
    return spans


def split_document(doc: Document, settings: ChunkSettings) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.size,
        chunk_overlap=settings.overlap,
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    for a, b in _spans(doc):
        body = doc.text[a:b]
        cursor = 0
        for piece in splitter.split_text(body):
            found = body.find(piece, cursor)
            if found < 0:  # the splitter only ever returns substrings; be loud if that changes
                raise AssertionError(f"chunk not found in {doc.doc_id} at {a + cursor}")
            start = a + found
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.doc_id, start, piece),
                    doc_id=doc.doc_id,
                    start=start,
                    end=start + len(piece),
                    text=piece,
                    section=doc.section_path_at(start),
                    page=doc.page_at(start),
                    ocr=doc.ocr_confidence(start, start + len(piece)),
                )
            )
            cursor = found + 1
    return chunks


def split_corpus(docs: list[Document], settings: ChunkSettings) -> list[Chunk]:
    return [chunk for doc in docs for chunk in split_document(doc, settings)]
