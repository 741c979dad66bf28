"""The loader interface: one file's bytes -> canonical text, headings, title and page starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from service.core.errors import CorpusError
from service.text.structure import Heading


class Unreadable(CorpusError):
    """A file of a supported kind that cannot be read; the message says why, without the path."""


@dataclass(frozen=True)
class Loaded:
    """What a loader makes of one file.

    `text` is the canonical text every offset points into; `headings` carry offsets into it;
    `pages[i]` is the offset where page i + 1 starts (empty for formats without pages);
    `ocr_pages` holds (1-based page, engine confidence 0..1) for each page whose text came from OCR."""

    text: str
    headings: tuple[Heading, ...] = ()
    title: str | None = None
    pages: tuple[int, ...] = ()
    ocr_pages: tuple[tuple[int, float], ...] = ()


class Loader(Protocol):
    """One format. `suffixes` are lower-case with the dot, e.g. (".pdf",).

    A loader that can read scanned pages sets `reads_scans = True` and takes the OCR engine as
    `load(data, ocr=...)` (an `ocr.OcrChoice`; None: the default engine)."""

    kind: str
    suffixes: tuple[str, ...]

    def load(self, data: bytes) -> Loaded:
        """Canonical text and structure of `data`; raises Unreadable with a reason."""
        ...


def collapse(text: str) -> str:
    """Whitespace runs become one space; used for titles and headings."""
    return " ".join(text.split())
