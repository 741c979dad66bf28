"""Documents -> Chunks: langchain's recursive splitter inside each section, exact offsets kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from service.core.errors import ConfigError
from service.core.records import Chunk, Document
from service.text.tables import row_spans

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


def _around_long_rows(text: str, a: int, b: int, size: int) -> list[tuple[int, int, bool]]:
    """The span cut before and after each table row longer than a chunk, so that such a row is a
    chunk of its own and never split; rows that fit are kept whole by the splitter itself, which
    cuts at newlines before anything finer."""
    long = [(a + s, a + e) for s, e in row_spans(text[a:b]) if e - s > size]
    if not long:
        return [(a, b, False)]
    out, pos = [], a
    for s, e in long:
        out += [(pos, s, False), (s, e, True)]
        pos = e
    out.append((pos, b, False))
    return [(s, e, whole) for s, e, whole in out if text[s:e].strip()]


def split_document(doc: Document, settings: ChunkSettings) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.size,
        chunk_overlap=settings.overlap,
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    for a, b, whole in (part for span in _spans(doc) for part in _around_long_rows(doc.text, *span, settings.size)):
        body = doc.text[a:b]
        cursor = 0
        for piece in [body.strip()] if whole else splitter.split_text(body):
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
