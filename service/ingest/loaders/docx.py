"""Word documents via python-docx (MIT): paragraphs and tables in order; paragraphs styled
"Heading N" (or based on such a style) are sections; the core title, if set, is the title. A table's
first row (or the rows marked as its repeating header) heads its columns, and each body row is one
line naming its headers beside its cells (text.tables)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from service.ingest.loaders._blocks import Block, clean_lines, join_blocks
from service.ingest.loaders.base import Loaded, Unreadable, collapse
from service.text.tables import table_text

_HEADING = re.compile(r"^heading\s+([1-9])$", re.I)


def _level(style: Any) -> int:
    """N for a style named "Heading N" or based on one; 0 otherwise."""
    seen = 0
    while style is not None and seen < 10:
        m = _HEADING.match(style.name or "")
        if m:
            return int(m.group(1))
        style, seen = style.base_style, seen + 1
    return 0


def _is_item(paragraph: Any) -> bool:
    ppr = paragraph._p.pPr
    name = (paragraph.style.name or "") if paragraph.style is not None else ""
    return name.lower().startswith("list") or (ppr is not None and ppr.numPr is not None)


def _depth(paragraph: Any) -> int:
    """A list paragraph's nesting: its numbering level, or the digit of a "List Bullet 2" style."""
    ppr = paragraph._p.pPr
    ilvl = ppr.numPr.ilvl if ppr is not None and ppr.numPr is not None else None
    if ilvl is not None and ilvl.val is not None:
        return int(ilvl.val) + 1
    m = re.search(r"(\d)$", (paragraph.style.name or "") if paragraph.style is not None else "")
    return int(m.group(1)) if m else 1


def _row_text(row: Any) -> str:
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:  # a merged cell is listed once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(collapse(cell.text))
    return " | ".join(c for c in cells if c)


def _header_rows(table: Any) -> int:
    """Rows marked to repeat as the table's header (w:tblHeader) at its top; at least the first."""
    count = 0
    for row in table.rows:
        trpr = row._tr.trPr
        if trpr is None or not trpr.xpath("./w:tblHeader"):
            break
        count += 1
    return max(1, count)


def _table_blocks(table: Any) -> list[Block]:
    """One block of row lines naming their headers (text.tables); a table of one row or one column
    has no headers to name and is its rows as " | "-joined lines, as before."""
    heads = _header_rows(table)
    grid = []
    for i, row in enumerate(table.rows):
        cells, seen = [], set()
        for cell in row.cells:  # a merged cell is listed once per grid column it spans: it heads each
            repeat = id(cell._tc) in seen  # header column, but a body row holds its text once
            seen.add(id(cell._tc))
            cells.append("" if repeat and i >= heads else collapse(cell.text))
        grid.append(cells)
    text = table_text(grid, heads)
    return [Block(text)] if text else [Block(_row_text(row)) for row in table.rows]


def _blocks(document: Any) -> list[Block]:
    from docx.table import Table

    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_blocks(item))
            continue
        style = item.style.name if item.style is not None else ""
        if style == "Title":
            blocks.append(Block(clean_lines(item.text)))
            continue
        is_item = _is_item(item)
        blocks.append(Block(clean_lines(item.text), _level(item.style), is_item, _depth(item) if is_item else 1))
    return blocks


def _open(data: bytes) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"is not a readable Word document ({type(exc).__name__}: {exc})") from exc


class DocxLoader:
    kind = "docx"
    suffixes = (".docx",)

    def load(self, data: bytes) -> Loaded:
        document = _open(data)
        title = collapse(document.core_properties.title or "") or None
        loaded = join_blocks(_blocks(document))
        return Loaded(loaded.text, loaded.headings, title)


LOADERS = (DocxLoader(),)
