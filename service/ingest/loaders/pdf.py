"""PDF via pdfplumber (MIT): text lines with their page, position and font size, then
_pdf_layout turns them into canonical text with page starts and headings (from the PDF's outline
when it has one that matches the text, else from font sizes)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import replace
from typing import Any

from service.ingest.loaders._pdf_layout import Line, assemble, outline_headings
from service.ingest.loaders._tables import PdfTables
from service.ingest.loaders.base import Loaded, Unreadable, collapse


def _line(raw: dict[str, Any], page: int, height: float) -> Line:
    sizes = Counter(round(float(c.get("size", 0.0)), 1) for c in raw.get("chars", ()) if str(c.get("text", "")).strip())
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    return Line(raw["text"], page, float(raw["top"]), float(raw["bottom"]), float(raw["x1"]), max(size, 1.0), height)


def _open(data: bytes) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise Unreadable("is an encrypted PDF that needs a password; save a copy without one") from exc
        raise Unreadable(f"is not a readable PDF ({type(cause).__name__}: {cause or 'corrupt file'})") from exc


def _outline(pdf: Any) -> list[tuple[int, str]]:
    """(level, title) of the PDF's bookmarks in document order; empty when it has none."""
    try:
        return [(int(level), collapse(title)) for level, title, *_ in pdf.doc.get_outlines() if isinstance(title, str)]
    except Exception:  # no outline, or a damaged one: fall back to font sizes
        return []


def _title(pdf: Any) -> str | None:
    title = (pdf.metadata or {}).get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", "replace")
    title = collapse(title) if isinstance(title, str) else ""
    return title if len(title) >= 3 and not title.lower().startswith(("untitled", "microsoft word")) else None


class PdfLoader:
    kind = "pdf"
    suffixes = (".pdf",)

    def load(self, data: bytes) -> Loaded:
        with _open(data) as pdf:
            try:
                tables = PdfTables()  # loaders/_tables.py: a table's text lines give way to its rows, named by their headers
                pages = [tables.page_lines(page, i, page.extract_text_lines(return_chars=True), _line)
                         for i, page in enumerate(pdf.pages)]
            except Exception as exc:  # pdfminer raises many kinds of error on damaged content streams
                raise Unreadable(f"is not a readable PDF ({type(exc).__name__}: {exc or 'corrupt file'})") from exc
            title, outline = _title(pdf), _outline(pdf)
        if not any(ln.text.strip() for page in pages for ln in page):
            raise Unreadable("has no text layer (a scanned PDF needs OCR before it can be indexed)")
        loaded = assemble(pages, title)
        marked = outline_headings(loaded.text, outline)
        if marked and 2 * len(marked) >= len(outline):  # the outline, when it fits the text, wins
            return replace(loaded, headings=tuple(marked))
        return loaded


LOADERS = (PdfLoader(),)
