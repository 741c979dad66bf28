"""The OCR interface: one page image -> its text lines with boxes and the engine's confidence.

An engine is chosen by name (`resolve`); when none can be had, `NoOcr` carries the sentence that says
why and how to fix it, so a scanned file is reported with that reason instead of being dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PIL import Image


@dataclass(frozen=True)
class OcrLine:
    """One line of recognised text; the box is in pixels of the image read, `confidence` in 0..1."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image) -> list[OcrLine]:
        """The text lines of `image` in reading order."""
        ...


@dataclass(frozen=True)
class NoOcr:
    """No engine: `reason` completes "has no text layer and ...", naming the fix."""

    reason: str
    name: str = "off"


OcrChoice = OcrEngine | NoOcr


def page_confidence(lines: list[OcrLine]) -> float:
    """The engine's confidence for a page: its lines' confidences weighted by their length (0 when empty)."""
    chars = sum(len(ln.text) for ln in lines)
    return sum(ln.confidence * len(ln.text) for ln in lines) / chars if chars else 0.0
