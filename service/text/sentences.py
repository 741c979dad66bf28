"""Sentence spans inside passages, for extractive answers. Pure text functions."""

from __future__ import annotations

import re

from service.core.records import Chunk, Sentence

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]*]*\s+(?=[\"“‘(\[*]*[A-Z0-9])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "e.g", "i.e", "u.s", "inc", "jr", "sr"}
_LEAD = re.compile(r"^[\s\-*+•]*(?:\d+[.)]\s+)?")
_EMPHASIS = re.compile(r"\*\*|__")
_SPACE = re.compile(r"\s+")
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


def _units(text: str) -> list[tuple[int, int]]:
    """Lines, except that a line starting in lower case continues an unfinished one."""
    units: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        if units and stripped[0].islower() and text[units[-1][0] : units[-1][1]].rstrip()[-1] not in ".!?:;":
            units[-1] = (units[-1][0], end)
        else:
            units.append((start, end))
    return units


def split_sentences(doc_id: str, text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of `text` (a passage starting at `offset` in its document)."""
    out: list[Sentence] = []
    for u_start, u_end in _units(text):
        unit = text[u_start:u_end]
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


def clean(text: str) -> str:
    """Display form: emphasis markers removed, whitespace collapsed."""
    return _SPACE.sub(" ", _EMPHASIS.sub("", text)).strip()
