"""Blocks of text (paragraphs, list items, headings) -> canonical text with heading offsets.
Shared by the loaders of formats that are trees of blocks (HTML, DOCX)."""

from __future__ import annotations

from dataclasses import dataclass

from service.ingest.loaders.base import Loaded, collapse
from service.text.structure import Heading


@dataclass(frozen=True)
class Block:
    text: str
    level: int = 0  # heading level, 0 for body text
    item: bool = False  # a list item: joined to a neighbouring item by one newline
    depth: int = 1  # a list item's nesting: 1 for a top-level item
    continues: bool = False  # a later paragraph of the same list item: indented under its marker


def marked(block: Block) -> str:
    """A list item's text as a plain-text bullet ("- one", nested items indented two spaces a level),
    its further lines and paragraphs indented under the marker, as plain text lists are written."""
    pad = "  " * (block.depth - 1)
    lines = block.text.split("\n")
    first = pad + ("  " if block.continues else "- ") + lines[0]
    return "\n".join([first, *(pad + "  " + line for line in lines[1:])])


def clean_lines(text: str) -> str:
    """Whitespace collapsed within each line; blank lines dropped."""
    return "\n".join(line for line in (collapse(x) for x in text.split("\n")) if line)


def join_blocks(blocks: list[Block], title: str | None = None) -> Loaded:
    parts: list[str] = []
    headings: list[Heading] = []
    length = 0
    prev: Block | None = None
    for block in blocks:
        if not block.text:
            continue
        if prev is not None:
            sep = "\n" if prev.item and block.item else "\n\n"
            parts.append(sep)
            length += len(sep)
        text = marked(block) if block.item else block.text
        if block.level:
            headings.append(Heading(collapse(text), block.level, length, length + len(text)))
        parts.append(text)
        length += len(text)
        prev = block
    return Loaded("".join(parts), tuple(headings), title)
