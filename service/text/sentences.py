"""Sentence spans inside passages, for extractive answers. Pure text functions."""

from __future__ import annotations

import functools
import re

from service.core.records import Chunk, Sentence
from service.text.tables import is_row

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]*]*\s+(?=[\"“‘(\[*]*[A-Z0-9])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "e.g", "i.e", "u.s", "inc", "jr", "sr"}
_LEAD = re.compile(r"^[\s\-*+•]*(?:\d+[.)]\s+)?")
_EMPHASIS = re.compile(r"\*\*|__")
MIN_CHARS = 12


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z.]+)\.$", text[: dot + 1])
    if not word:
        return False
    token = word.group(1)
    return len(token) == 1 and token.isupper() or token.lower() in _ABBREVIATIONS


def _line_sentences(line: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY.finditer(line):
        dot = line.rfind(".", start, m.start() + 1)
        if dot == m.start() - 1 and _abbreviation_before(line, dot):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(line)))
    return spans


def sentence_count(line: str) -> int:
    """How many sentences one line holds (abbreviations such as "e.g." do not end one)."""
    return len(_line_sentences(line))


_MARKER = re.compile(r"^(\s*)((?:[-*+•]|\d+[.)]|\(?[a-z0-9]\))\s+)?")
_WRAP_MAX = 100  # a text whose longest line is at most this wide may be hard-wrapped
_WRAP_SLACK = 22  # a line this close to the longest one ended at the margin, not at its end


def _wrap_width(lines: list[str]) -> int | None:
    """The width a passage's lines were wrapped at, or None when they were not (long lines)."""
    widths = [len(line.rstrip()) for line in lines if line.strip()]
    if len(widths) < 3 or max(widths) > _WRAP_MAX:
        return None
    return max(widths)


def _wraps_into(line: str, following: str, width: int) -> bool:
    """`line` was broken at the margin and `following` (the next line) goes on with its text."""
    body = line.rstrip()
    if len(body) < width - _WRAP_SLACK or body.endswith(":") or not following.strip():
        return False
    marker = _MARKER.match(line)
    next_marker = _MARKER.match(following)
    if next_marker.group(2):
        return False  # a new list item
    indent, text_indent = len(marker.group(1)), marker.end()
    return len(next_marker.group(1)) in (indent, text_indent)


def _units(text: str) -> list[tuple[int, int]]:
    """Lines, except that a line starting in lower case continues an unfinished one, and a
    hard-wrapped paragraph's lines (broken at a fixed width) are one unit; a table row line
    (text.tables) is always a unit of its own."""
    units: list[tuple[int, int]] = []
    lines = text.split("\n")
    width = _wrap_width(lines)
    pos, joined, after_row = 0, False, False
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            joined = False
            continue
        if is_row(line):  # a table row is a unit of its own: nothing joins it, it joins nothing
            units.append((start, end))
            joined, after_row = False, True
            continue
        if units and not after_row and (joined or stripped[0].islower()
                      and text[units[-1][0] : units[-1][1]].rstrip()[-1] not in ".!?:;"):
            units[-1] = (units[-1][0], end)
        else:
            units.append((start, end))
        after_row = False
        joined = width is not None and i + 1 < len(lines) and _wraps_into(line, lines[i + 1], width)
    return units


def split_sentences(doc_id: str, text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of `text` (a passage starting at `offset` in its document)."""
    out: list[Sentence] = []
    for u_start, u_end in _units(text):
        unit = text[u_start:u_end]
        if is_row(unit):  # one sentence, kept whole
            out.append(Sentence(doc_id, offset + u_start, offset + u_end, unit))
            continue
        for a, b in _line_sentences(unit):
            piece = unit[a:b]
            lead = len(_LEAD.match(piece).group(0))
            core = piece[lead:].rstrip()
            if len(clean(core)) >= MIN_CHARS:
                start = offset + u_start + a + lead
                out.append(Sentence(doc_id, start, start + len(core), core))
    return out


def chunk_sentences(chunk: Chunk) -> list[Sentence]:
    return split_sentences(chunk.doc_id, chunk.text, chunk.start)


@functools.lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """Display form: emphasis markers removed, whitespace collapsed. Memoised: the answer step cleans the
    same candidate sentences for question after question (a tenth of its time before)."""
    if "**" in text or "__" in text:
        text = _EMPHASIS.sub("", text)
    return " ".join(text.split())  # str.split's whitespace is re's \s for str patterns (str.isspace)
