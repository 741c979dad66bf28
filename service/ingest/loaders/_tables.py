"""PDF tables via pdfplumber's table finder (ruled tables: its default "lines" strategy): each table
found becomes one block line of row lines naming their column headers (text.tables), put where the
table's text lines were, and those lines are left out. A table that goes on from the foot of one
page to the head of the next keeps the first page's headers (a repeated header row is dropped). A
page without a table, or whose tables have no header row and body row of two or more columns, keeps
its lines as they are, so a PDF without tables reads exactly as before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from service.ingest.loaders._pdf_layout import EDGE_BAND, Line
from service.text.tables import table_text

MakeLine = Callable[[dict[str, Any], int, float], Line]


def _rows(table: Any, word_gap: float | None) -> list[list[str]]:
    """The table's cells as text; a header cell merged across columns (None) heads each of them."""
    raw = table.extract(x_tolerance_ratio=word_gap)
    rows = [[" ".join((c or "").split()) for c in row] for row in raw]
    if raw:
        for col, cell in enumerate(raw[0]):
            if cell is None and col:
                rows[0][col] = rows[0][col - 1]
    return rows


def _inside(raw: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    middle = (float(raw["top"]) + float(raw["bottom"])) / 2
    return top <= middle <= bottom and float(raw["x0"]) < x1 and float(raw["x1"]) > x0


class PdfTables:
    """Reads the tables of a PDF's pages in order (one instance per PDF: a table may go on across a
    page break)."""

    def __init__(self, word_gap: float | None) -> None:
        self.word_gap = word_gap  # letters further apart than this share of their size are two words
        self.open_header: list[str] | None = None  # the header row of a table that ran to its page's foot

    def page_lines(self, page: Any, index: int, raws: list[dict[str, Any]], line: MakeLine) -> list[Line]:
        """The page's text lines (`raws`, made into Lines by `line`) with each table's lines replaced
        by one block line holding its rows, in reading order (by top)."""
        height = float(page.height)
        try:
            found = sorted(page.find_tables(), key=lambda t: t.bbox[1])
        except Exception:  # a damaged page's drawing commands: read its text as it is
            found = []
        carried, self.open_header = self.open_header, None
        tables = []
        for n, t in enumerate(found):
            rows = _rows(t, self.word_gap)
            above = [r for r in raws if float(r["bottom"]) <= t.bbox[1] and float(r["top"]) > EDGE_BAND * height]
            if n == 0 and carried and not above and rows and len(rows[0]) == len(carried):
                rows = [carried] + (rows[1:] if rows[0] == carried else rows)  # it goes on from the last page
            text = table_text(rows)
            if not text:
                continue
            tables.append((t.bbox, text))
            below = [r for r in raws if float(r["top"]) >= t.bbox[3] and float(r["bottom"]) < (1 - EDGE_BAND) * height]
            if n == len(found) - 1 and not below:
                self.open_header = rows[0]
        if not tables:
            return [line(raw, index, height) for raw in raws]
        made = [(line(raw, index, height), any(_inside(raw, bbox) for bbox, _ in tables)) for raw in raws]
        sizes = Counter(ln.size for ln, inside in made if inside)  # the block line gets its cells' font size
        size = sizes.most_common(1)[0][0] if sizes else 10.0
        lines = [ln for ln, inside in made if not inside]
        for (x0, top, x1, bottom), text in tables:
            lines.append(Line(text, index, float(top), float(bottom), float(x1), size, height, block=True))
        return sorted(lines, key=lambda ln: ln.top)
