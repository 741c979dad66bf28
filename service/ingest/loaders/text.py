"""Plain text and Markdown: the canonical text is exactly the file's decoded UTF-8 bytes."""

from __future__ import annotations

from dataclasses import dataclass

from service.ingest.loaders.base import Loaded, Unreadable
from service.text.structure import detect_headings


@dataclass(frozen=True)
class TextLoader:
    kind: str
    suffixes: tuple[str, ...]

    def load(self, data: bytes) -> Loaded:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"is not UTF-8 text (bad byte at offset {exc.start})") from exc
        return Loaded(text=text, headings=tuple(detect_headings(text, self.kind)))


LOADERS = (TextLoader("txt", (".txt",)), TextLoader("md", (".md", ".markdown")))
