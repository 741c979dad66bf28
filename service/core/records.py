"""Frozen records that flow between pipeline steps."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A heading and the span of text it governs, `[start, end)` in its document."""

    title: str
    level: int
    start: int
    end: int
    path: tuple[str, ...]
    body_start: int  # first offset after the heading line(s)


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    source: str
    text: str
    sha256: str
    sections: tuple[Section, ...] = ()
    pages: tuple[int, ...] = ()  # offset where each page starts (PDF); empty for formats without pages

    def page_at(self, offset: int) -> int | None:
        """1-based page holding `offset`, or None for a document without pages."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))

    def section_path_at(self, offset: int) -> tuple[str, ...]:
        """Path of the deepest section containing `offset` (empty before the first heading)."""
        best: tuple[str, ...] = ()
        for section in self.sections:
            if section.start <= offset < section.end and len(section.path) > len(best):
                best = section.path
        return best


@dataclass(frozen=True)
class Chunk:
    """A passage: exactly `document.text[start:end]`."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    section: tuple[str, ...]
    page: int | None = None

    @property
    def section_label(self) -> str:
        return " > ".join(self.section)


@dataclass(frozen=True)
class Sentence:
    """A sentence span of a document, exactly `document.text[start:end]`."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class Answer:
    question: str
    sentences: tuple[AnswerSentence, ...]
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.abstained:
            return ABSTAIN_TEXT
        return " ".join(
            s.text + " " + "".join(f"[{n}]" for n in s.citations) for s in self.sentences
        )


ABSTAIN_TEXT = "The indexed documents do not cover this question."
