"""HTML via BeautifulSoup (MIT) with Python's own parser: the page's main content as paragraphs,
navigation, scripts, styles, asides and page-level headers/footers left out; h1-h3 are sections; list
items are bullets ("- item", nested ones indented), as plain text writes them."""

from __future__ import annotations

from typing import Any

from service.ingest.loaders._blocks import Block, clean_lines, join_blocks
from service.ingest.loaders.base import Loaded, collapse

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
