"""HTML via BeautifulSoup (MIT) with Python's own parser: the page's main content as paragraphs,
navigation, scripts, styles, asides and page-level headers/footers left out; h1-h3 are sections; list
items are bullets ("- item", nested ones indented), as plain text writes them. A table with header
cells (<thead>, or leading rows of <th>) is its caption, then one line per body row naming each
cell's column header (text.tables); other tables (layout) are read as blocks, as before."""

from __future__ import annotations

from typing import Any

from service.ingest.loaders._blocks import Block, clean_lines, join_blocks
from service.ingest.loaders.base import Loaded, collapse
from service.text.tables import table_text

DROP = {"script", "style", "noscript", "template", "nav", "aside", "svg", "iframe", "form", "button",
        "select", "head", "object", "canvas", "dialog"}
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
BLOCK = {"p", "div", "section", "article", "main", "ul", "ol", "li", "table", "tr", "td", "th", "blockquote",
         "pre", "dl", "dt", "dd", "figure", "figcaption", "address", "hr", "header", "footer", "body",
         "h4", "h5", "h6", "caption"}
SECTION_HEADINGS = {"h1": 1, "h2": 2, "h3": 3}


def _dropped(tag: Any) -> bool:
    if tag.name in DROP or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if tag.get("role") in DROP_ROLES:
        return True
    return tag.name in ("header", "footer") and tag.find_parent(["article", "main"]) is None


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.level = 0
        self.items = 0  # how deep in list items the walk is
        self.fresh = False  # the next block starts a list item (else it continues one)

    def flush(self) -> None:
        text = clean_lines("".join(self.buffer))
        self.buffer = []
        if text:
            item = self.items > 0 and not self.level
            self.blocks.append(Block(text, self.level, item, max(1, self.items), item and not self.fresh))
            self.fresh = self.fresh and not item

    def walk(self, node: Any) -> None:
        from bs4 import NavigableString
        from bs4.element import PreformattedString

        for child in node.children:
            if isinstance(child, PreformattedString):
                continue  # comments, doctype, CDATA, processing instructions
            if isinstance(child, NavigableString):
                self.buffer.append(str(child).replace("\n", " "))
            elif child.name == "br":
                self.buffer.append("\n")
            elif not _dropped(child):
                self.element(child)

    def element(self, tag: Any) -> None:
        if tag.name == "table" and self.table(tag):
            return
        level = SECTION_HEADINGS.get(tag.name, 0)
        if not level and tag.name not in BLOCK:
            self.walk(tag)
            return
        self.flush()
        outer = self.level
        self.level = level or self.level
        self.items += tag.name == "li"
        self.fresh = self.fresh or tag.name == "li"
        self.walk(tag)
        self.flush()
        self.items -= tag.name == "li"
        self.level = outer


    def table(self, tag: Any) -> bool:
        """A data table as its caption and row lines; False (nothing written) for any other table."""
        grid = _grid(tag)
        text = table_text(grid[1], grid[0]) if grid else ""
        if not text:
            return False
        self.flush()
        caption = tag.find("caption")
        if caption is not None and collapse(caption.get_text(" ")):
            self.blocks.append(Block(collapse(caption.get_text(" "))))
        self.blocks.append(Block(text))
        return True


def _grid(table: Any) -> tuple[int, list[list[str]]] | None:
    """(header row count, rows of cell texts with spans filled in) of a table with header cells; None
    for a layout table (no header row, or a table nested inside)."""
    if table.find("table") is not None:
        return None
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    heads = 0
    for tr in rows:
        cells = tr.find_all(["td", "th"], recursive=False)
        if not cells or not (tr.find_parent("thead") is not None or all(c.name == "th" for c in cells)):
            break
        heads += 1
    if not heads:
        return None
    grid: list[list[str]] = []
    carry: dict[int, tuple[str, int]] = {}  # column -> (text, rows still spanned) of a rowspan cell
    for i, tr in enumerate(rows):
        row: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            while len(row) in carry:
                row.append(_carried(carry, len(row)))
            text = collapse(cell.get_text(" "))
            span, down = _span(cell, "colspan"), _span(cell, "rowspan")
            for k in range(span):  # a header spanning columns heads each of them; a body cell only the first
                if down > 1:
                    carry[len(row)] = (text, down - 1)
                row.append(text if k == 0 or i < heads else "")
        while len(row) in carry:
            row.append(_carried(carry, len(row)))
        grid.append(row)
    return heads, grid


def _carried(carry: dict[int, tuple[str, int]], col: int) -> str:
    """The text of a cell spanning down into this row: each row names it, so each row reads alone."""
    text, left = carry.pop(col)
    if left > 1:
        carry[col] = (text, left - 1)
    return text


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, 1)).strip() or 1), 100))
    except ValueError:
        return 1


class HtmlLoader:
    kind = "html"
    suffixes = (".html", ".htm", ".xhtml")

    def load(self, data: bytes) -> Loaded:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "html.parser")
        root = soup.find("main") or soup.find("body") or soup
        walker = _Walker()
        walker.walk(root)
        walker.flush()
        loaded = join_blocks(walker.blocks)
        page_title = collapse(soup.title.get_text()) if soup.title else ""
        return Loaded(loaded.text, loaded.headings, None if loaded.headings or not page_title else page_title)


LOADERS = (HtmlLoader(),)
