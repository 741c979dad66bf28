"""Table rows as answers: a row (text.tables) one of whose cells the question names ("Germany",
"pt_BR", "utility to change file group ownership") answers a factoid question about that row; when
several rows do, the one naming more of the question (longer cell, then more of its column headers
in the question) wins, and a tie picks none. Rows exist only in documents with tables, so nothing
here changes an answer over documents without them. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.text.tables import parse_row

_TOKEN = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_WEAK = {"a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "by", "with",
         "optional", "nothing", "none", "yes", "no", "more", "than", "what", "which"}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _within(cell: list[str], question: list[str]) -> bool:
    n = len(cell)
    return any(question[i:i + n] == cell for i in range(len(question) - n + 1))


def row_key(question: str, text: str) -> tuple[int, int] | None:
    """(tokens of the longest cell the question names, question tokens in the row's headers), or None
    when `text` is not a row or the question names none of its cells."""
    pairs = parse_row(text)
    if pairs is None:
        return None
    q = _tokens(question)
    best = 0
    for _, cell in pairs:
        tokens = _tokens(cell.replace("(optional)", ""))
        if tokens and any(t not in _WEAK and len(t) > 1 for t in tokens) and _within(tokens, q):
            best = max(best, len(tokens))
    if not best:
        return None
    headers = {t for header, _ in pairs for t in _tokens(header)}
    return best, len(headers & set(q))


def best_row(question: str, texts: Sequence[str]) -> int | None:
    """The index of the one row the question is about, or None (no row named, or a tie)."""
    keys = [(row_key(question, t), i) for i, t in enumerate(texts)]
    found = sorted(((k, i) for k, i in keys if k is not None), reverse=True)
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def asked_cell(question: str, text: str) -> tuple[int, int] | None:
    """(start, end) in the row line `text` of the cell the question asks for: of the cells the question
    does not name, the one whose column header shares the most words with the question ("share of GDP
    ... in 2023" -> the cell under "Share of GDP 2023"); None on a tie or when no header is asked."""
    pairs = parse_row(text)
    if pairs is None:
        return None
    qlist = _tokens(question)
    q = set(qlist) - _WEAK
    scored, pos = [], 0
    for header, cell in pairs:
        start = pos + len(header) + 2
        pos = start + len(cell) + 2
        tokens = _tokens(cell)
        if tokens and _within(tokens, qlist):
            continue  # the cell the question names is not its answer
        scored.append((len(q & (set(_tokens(header)) - _WEAK)), start, start + len(cell)))
    scored.sort(reverse=True)
    if not scored or not scored[0][0] or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1], scored[0][2]
