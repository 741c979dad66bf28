"""Table rows as canonical text: each body row of a table is one line that names its column headers
beside its cells, "Country: Germany; 2014: 1.19; 2023: 1.57", so a row is one citable sentence whose
offsets hold like any other. The loaders write rows with `row_text`; the sentence splitter, the
chunker and the page read them back with `is_row` and `parse_row`. Pure text functions.

The line is unambiguous because the writer keeps its separators out of the parts: a header holds no
":" or ";", a cell no ";" (both become ","), and a row needs two non-empty cells (a row with one is a
group label, written as a plain line)."""

from __future__ import annotations

import re
from collections.abc import Sequence

PAIR = ": "
CELL = "; "
_MAX_HEADER = 80
ROW = re.compile(r"[^\s:;][^:;\n]{0,%d}: [^;\n]*(?:; [^\s:;][^:;\n]{0,%d}: [^;\n]*)+" % (_MAX_HEADER - 1, _MAX_HEADER - 1))
_SPACE = re.compile(r"\s+")


def _header(text: str, column: int) -> str:
    text = _SPACE.sub(" ", text.replace(":", " ").replace(";", ",")).strip()
    return text[:_MAX_HEADER].rstrip() or f"Column {column + 1}"


def _cell(text: str) -> str:
    return _SPACE.sub(" ", text.replace(";", ",")).strip()


def headers_of(header_rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """One header per column: the header rows' texts of that column joined (a spanning group header
    over a sub-header gives "Share of GDP 2023"), repeats dropped; "Column n" when none."""
    out = []
    for col in range(width):
        parts: list[str] = []
        for row in header_rows:
            text = _SPACE.sub(" ", row[col] if col < len(row) else "").strip()
            if text and text not in parts:
                parts.append(text)
        out.append(_header(" ".join(parts), col))
    return out


def row_text(headers: Sequence[str], cells: Sequence[str]) -> str:
    """The canonical line of one body row: "Header: cell" pairs joined by "; ", empty cells left out;
    a row with fewer than two non-empty cells is its one cell's text (a group label, not a row)."""
    pairs = [(_header(h, i), _cell(c)) for i, (h, c) in enumerate(zip(headers, cells)) if _cell(c)]
    if len(pairs) < 2:
        return pairs[0][1] if pairs else ""
    return CELL.join(f"{h}{PAIR}{c}" for h, c in pairs)


def table_text(rows: Sequence[Sequence[str]], header_count: int = 1) -> str:
    """A table (rows of cell texts, the first `header_count` of them headers) as canonical lines, one
    per body row, joined by newlines; empty when it has no body row."""
    width = max((len(r) for r in rows), default=0)
    if width < 2 or len(rows) <= header_count:
        return ""
    headers = headers_of(rows[:header_count], width)
    lines = (row_text(headers, row) for row in rows[header_count:])
    return "\n".join(line for line in lines if line)


def is_row(line: str) -> bool:
    return ROW.fullmatch(line) is not None


def parse_row(text: str) -> tuple[tuple[str, str], ...] | None:
    """(header, cell) pairs of a row line, or None when `text` is not one."""
    if not is_row(text):
        return None
    return tuple(tuple(part.split(PAIR, 1)) for part in text.split(CELL))  # type: ignore[misc]


def row_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every row line in `text`."""
    out, pos = [], 0
    for line in text.split("\n"):
        if is_row(line):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out
