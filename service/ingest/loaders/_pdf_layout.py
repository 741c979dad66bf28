"""PDF lines -> canonical text: running headers, footers and page numbers left out, wrapped
lines joined (hyphenation at line ends undone), ligatures expanded, headings by font size."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from service.ingest.loaders.base import Loaded, collapse
from service.text.structure import Heading

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                           "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st", "\u00ad": ""})
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—(]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_BULLET = re.compile(r"^(?:[-*+•▪◦–]\s|\d{1,3}[.)]\s|\(?[a-z]\)\s)")
EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running headers/footers
EDGE_BAND = 0.12  # ... and only within this fraction of the page height from its edge
MAX_LEVELS = 3


@dataclass(frozen=True)
class Line:
    text: str
    page: int  # 0-based
    top: float
    bottom: float
    x1: float
    size: float
    page_height: float
    block: bool = False  # a table's rows (loaders/_tables.py): a paragraph of its own, never a heading


def _edge_lines(page: list[Line]) -> list[Line]:
    if not page:
        return []
    band = EDGE_BAND * page[0].page_height
    ends = page[:EDGE_LINES] + page[-EDGE_LINES:]
    return [ln for ln in dict.fromkeys(ends) if ln.top < band or ln.bottom > ln.page_height - band]


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", collapse(text).lower())


def _set_apart(page: list[Line], ln: Line) -> bool:
    """The page's first or last line, over twice its font size away from the line next to it."""
    if len(page) < 2:
        return False
    gap = page[1].top - ln.bottom if ln == page[0] else ln.top - page[-2].bottom if ln == page[-1] else 0.0
    return gap > 2 * ln.size


def _slot(ln: Line) -> tuple[int, float]:
    return round(ln.top), _size_key(ln)


def body_lines(pages: list[list[Line]]) -> list[Line]:
    """Every line but page numbers and headers/footers repeated at the same edge of most pages, and
    the running headers whose text changes with the chapter ("CHAPTER 7. BASICS OF ..."): a page's
    first or last line, not larger than the body text, set apart from the rest, at the place (top,
    font size) where most pages have such a line."""
    edges = [_edge_lines(page) for page in pages]
    seen = Counter(key for page in edges for key in {_running_key(ln.text) for ln in page})
    need = max(2, (len(pages) + 1) // 2)
    drop = {ln for page in edges for ln in page
            if _PAGE_NUMBER.match(collapse(ln.text)) or seen[_running_key(ln.text)] >= need}
    sizes = _text_by_size(ln for page in pages for ln in page)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    apart = [[ln for ln in dict.fromkeys((page[0], page[-1])) if ln in edge and not ln.block and ln not in drop
              and _size_key(ln) <= body and _set_apart(page, ln)] if page else []
             for page, edge in zip(pages, edges)]
    slots = Counter(slot for page in apart for slot in {_slot(ln) for ln in page})
    drop |= {ln for page in apart for ln in page if slots[_slot(ln)] >= need}
    return [ln for page in pages for ln in page if ln not in drop]


def _size_key(line: Line) -> float:
    return round(line.size * 2) / 2


def _text_by_size(lines: Iterable[Line]) -> Counter[float]:
    """Characters of text at each font size: the most common size is the body text's."""
    weight: Counter[float] = Counter()
    for ln in lines:
        weight[_size_key(ln)] += len(ln.text)
    return weight


def _levels(lines: list[Line]) -> dict[float, int]:
    """Font size -> heading level, for sizes clearly larger than the body text's."""
    weight = _text_by_size(ln for ln in lines if not ln.block)
    if not weight:
        return {}
    body = weight.most_common(1)[0][0]
    bigger = sorted((s for s in weight if s >= body + 1.0), reverse=True)
    return {s: min(i + 1, MAX_LEVELS) for i, s in enumerate(bigger)}


def _leading(lines: list[Line]) -> float:
    """Usual distance between line tops, as a multiple of the font size."""
    ratios = Counter(round((b.top - a.top) / a.size, 1) for a, b in zip(lines, lines[1:])
                     if a.page == b.page and _size_key(a) == _size_key(b) and b.top > a.top)
    return ratios.most_common(1)[0][0] if ratios else 1.2


def _separator(prev: Line, cur: Line, leading: float, right: float, levels: dict[float, int]) -> str:
    if prev.block or cur.block:
        return "\n\n"
    if _size_key(prev) != _size_key(cur) and (_size_key(prev) in levels or _size_key(cur) in levels):
        return "\n\n"
    if prev.page == cur.page:
        extra = (cur.top - prev.top) / cur.size - leading
        if extra > 0.6 or extra < -leading:
            return "\n\n"
        if extra > 0.15:
            return "\n"
    elif prev.x1 < right - 3 * prev.size:  # a short last line: its paragraph ended on that page
        return "\n" if _BULLET.match(cur.text) else "\n\n"
    if _BULLET.match(cur.text):
        return "\n"
    if prev.text.endswith("-") and prev.text[-2:-1].isalpha() and cur.text[:1].islower():
        return ""  # hyphenation at the line end: the hyphen goes, the word is joined
    return " "


@dataclass
class _Builder:
    parts: list[str]
    length: int = 0

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)


def assemble(pages: list[list[Line]], title: str | None = None) -> Loaded:
    """Canonical text, page starts and font-size headings of a PDF's lines."""
    lines = body_lines([[replace(ln, text=ln.text.translate(LIGATURES)) for ln in page] for page in pages])
    lines = [ln for ln in lines if ln.text.strip()]
    levels, leading = _levels(lines), _leading(lines)
    right = max((ln.x1 for ln in lines), default=0.0)
    out = _Builder([])
    starts: list[int | None] = [None] * len(pages)
    headings: list[Heading] = []
    open_head: tuple[int, int] | None = None  # (start, level) of the heading being read
    for i, ln in enumerate(lines):
        sep = _separator(lines[i - 1], ln, leading, right, levels) if i else ""
        if sep == "" and i:
            out.parts[-1] = out.parts[-1][:-1]
            out.length -= 1
        if open_head and sep != " ":
            headings.append(_heading(out, *open_head))
            open_head = None
        out.add(sep)
        if starts[ln.page] is None:
            starts[ln.page] = out.length
        level = None if ln.block else levels.get(_size_key(ln))
        if level and open_head is None:
            open_head = (out.length, level)
        out.add(ln.text.strip())
    if open_head:
        headings.append(_heading(out, *open_head))
    return Loaded("".join(out.parts), tuple(headings), title, _fill(starts, out.length))


def _heading(out: _Builder, start: int, level: int) -> Heading:
    text = "".join(out.parts)
    return Heading(collapse(text[start:]), level, start, out.length)


def _fill(starts: list[int | None], length: int) -> tuple[int, ...]:
    """A page without body text starts where the next page with text starts."""
    filled, nxt = [], length
    for s in reversed(starts):
        nxt = s if s is not None else nxt
        filled.append(nxt)
    out = list(reversed(filled))
    if out:
        out[0] = 0
    return tuple(out)


def outline_headings(text: str, outline: list[tuple[int, str]]) -> list[Heading]:
    """The PDF's outline (bookmarks) as headings: each title found, in order, at the start of a
    line of the canonical text; titles not found are left out."""
    heads: list[Heading] = []
    cursor = 0
    for level, title in outline:
        words = title.translate(LIGATURES).split()
        if not words:
            continue
        pattern = r"(?:^|(?<=\n))" + r"\s+".join(re.escape(w) for w in words)
        m = re.compile(pattern, re.IGNORECASE).search(text, cursor)
        if m:
            heads.append(Heading(collapse(m.group()), max(1, min(level, MAX_LEVELS)), m.start(), m.end()))
            cursor = m.end()
    return heads
