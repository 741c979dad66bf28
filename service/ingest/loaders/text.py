"""Plain text and Markdown: the canonical text is exactly the file's decoded UTF-8 bytes; a first
short line followed by a blank line is the title (service/text/titles.py)."""

from __future__ import annotations

from dataclasses import dataclass

from service.ingest.loaders.base import Loaded, Unreadable
from service.text.structure import detect_headings
from service.text.titles import titled


@dataclass(frozen=True)
class TextLoader:
    kind: str
    suffixes: tuple[str, ...]

    def load(self, data: bytes) -> Loaded:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"is not UTF-8 text (bad byte at offset {exc.start})") from exc
        headings, title = titled(detect_headings(text, self.kind), text)
        return Loaded(text=text, headings=tuple(headings), title=title)


LOADERS = (TextLoader("txt", (".txt",)), TextLoader("md", (".md", ".markdown")))
