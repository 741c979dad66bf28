"""Frozen records that flow between pipeline steps."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args


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
    ocr_pages: tuple[tuple[int, float], ...] = ()  # (1-based page, OCR engine confidence 0..1) of OCR'd pages

    def page_at(self, offset: int) -> int | None:
        """1-based page holding `offset`, or None for a document without pages."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))

    def ocr_confidence(self, start: int, end: int) -> float | None:
        """The lowest OCR confidence of the pages `[start, end)` spans, or None when none was OCR'd."""
        if not self.ocr_pages:
            return None
        first, last = self.page_at(start) or 1, self.page_at(max(start, end - 1)) or 1
        found = [conf for page, conf in self.ocr_pages if first <= page <= last]
        return min(found) if found else None

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
    ocr: float | None = None  # the OCR engine's confidence when its text was read by OCR (Document.ocr_confidence)

    @property
    def section_label(self) -> str:
        return " > ".join(self.section)


Entities = tuple[tuple[int, int, str], ...]  # (start, end, label), offsets relative to a sentence's text


def entity_spans(rows: Iterable[Sequence[Any]]) -> Entities:
    """Stored entity rows ([start, end, label] lists, from JSON) as a sentence's entities."""
    return tuple((int(a), int(b), str(label)) for a, b, label in rows)


@dataclass(frozen=True)
class Sentence:
    """A sentence span of a document, exactly `document.text[start:end]`."""

    doc_id: str
    start: int
    end: int
    text: str
    entities: Entities = ()  # named entities found at index time


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    depth: int = 0  # list answers: 1 for an item, 2 for an item nested under it; 0 for a sentence or a list's intro


@dataclass(frozen=True)
class ShortAnswer:
    """The words that answer a factoid question, inside the first answer sentence:
    `text == document.text[start:end]`, like a citation."""

    text: str
    doc_id: str
    start: int
    end: int
    citation: int  # the [n] of the passage holding it


AbstentionReason = Literal["not_covered", "missing_terms", "no_answer_of_type", "not_answered", "low_confidence"]
# Every reason an answer may abstain with, and what it means: the one definition the answerer, the HTTP
# schema, MCP and the page read (the page shows the `explanation` the server sends).
ABSTENTION_REASONS: dict[str, str] = {
    "not_covered": "nothing in the documents is close to the question",
    "missing_terms": "the closest passages do not mention a name, acronym, number or asked-for thing of the question",
    "no_answer_of_type": "the passages discuss it but hold no answer of the type the question asks for",
    "not_answered": "the passages are about it, but the evidence that one of them answers it is too weak",
    "low_confidence": "an answer was found, but its confidence is below the min_confidence the request set",
}
assert set(ABSTENTION_REASONS) == set(get_args(AbstentionReason))


@dataclass(frozen=True)
class Abstention:
    """Why the documents do not answer: one of ABSTENTION_REASONS, with the reason in one plain
    sentence, the expected answer type, what the question is about and the terms the passages lack."""

    reason: AbstentionReason
    message: str  # the reason in one plain sentence, shown as the answer
    expected: str | None = None
    about: tuple[str, ...] = ()
    missing_terms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.reason not in ABSTENTION_REASONS:
            raise ValueError(f"unknown abstention reason {self.reason!r}; known: {', '.join(ABSTENTION_REASONS)}")

    @property
    def explanation(self) -> str:
        return ABSTENTION_REASONS[self.reason]


AnswerUnit = Literal["sentence", "list", "row"]


@dataclass(frozen=True)
class Answer:
    question: str
    sentences: tuple[AnswerSentence, ...]
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float
    timings_ms: dict[str, float] = field(default_factory=dict)
    abstention: Abstention | None = None
    short_answer: ShortAnswer | None = None
    list_note: str | None = None  # list answers: a stated count that differs, or items left out ("and 3 more")
    unit: AnswerUnit = "sentence"  # what answered: sentences, a list (intro and items) or a table row

    @property
    def text(self) -> str:
        if self.abstained:
            return self.abstention.message if self.abstention else ABSTAIN_TEXT
        return " ".join(
            s.text + " " + "".join(f"[{n}]" for n in s.citations) for s in self.sentences
        )


ABSTAIN_TEXT = "The indexed documents do not cover this question."
