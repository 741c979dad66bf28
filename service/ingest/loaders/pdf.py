"""PDF via pdfplumber (MIT): text lines with their page, position and font size, then
_pdf_layout turns them into canonical text with page starts and headings (from the PDF's outline
when it has one that matches the text, else from font sizes).

A page with no text but with an image (a scan) is rendered with pypdfium2 and read by OCR
(_ocr_pages); a PDF with no text at all and no OCR engine is Unreadable with the reason and the fix.
Pages with text are read exactly as before."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import replace
from typing import Any

from service.ingest.loaders._ocr_pages import ocr_page
from service.ingest.loaders._pdf_layout import Line, assemble, outline_headings
from service.ingest.loaders._tables import PdfTables
from service.ingest.loaders.base import Loaded, Unreadable, collapse
from service.ingest.ocr import NoOcr, OcrChoice, resolve

OCR_DPI = 300  # scans are rendered at this resolution for OCR (Tesseract reads best near 300 dpi)
# Two letters further apart than this share of their font size are two words. pdfplumber's default
# (a fixed 3 pt) glued the words of justified TeX output, which has no space characters: agreement
# with poppler's pdftotext over 13 PDFs from Debian's packages went from 0.28-1.00 to 0.89-1.00, and
# every ratio from 0.05 to 0.12 did as well (bench/pdf_words.py).
WORD_GAP: float | None = 0.1


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


def _scanned(pages: list[list[Line]], pdf: Any) -> list[int]:
    """0-based pages without text that hold an image: what a scanner makes."""
    return [i for i, (lines, page) in enumerate(zip(pages, pdf.pages))
            if not any(ln.text.strip() for ln in lines) and page.images]


def _ocr(data: bytes, scanned: list[int], engine: OcrChoice) -> dict[int, tuple[list[Line], float]]:
    """OCR lines and confidence of each scanned page, rendered at OCR_DPI."""
    import pypdfium2

    out = {}
    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise Unreadable(f"is not a readable PDF ({exc})") from exc
    try:
        for i in scanned:
            image = doc[i].render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            image.info["dpi"] = (OCR_DPI, OCR_DPI)
            out[i] = ocr_page(engine, image, i, OCR_DPI)
    finally:
        doc.close()
    return out


class PdfLoader:
    kind = "pdf"
    suffixes = (".pdf",)
    reads_scans = True  # load() takes the OCR engine (see base.Loader)

    def load(self, data: bytes, ocr: OcrChoice | None = None) -> Loaded:
        with _open(data) as pdf:
            try:
                tables = PdfTables(WORD_GAP)  # loaders/_tables.py: a table's text lines give way to its rows, named by their headers
                pages = [tables.page_lines(page, i, page.extract_text_lines(return_chars=True, x_tolerance_ratio=WORD_GAP),
                                           _line) for i, page in enumerate(pdf.pages)]
                scanned = _scanned(pages, pdf)
            except Exception as exc:  # pdfminer raises many kinds of error on damaged content streams
                raise Unreadable(f"is not a readable PDF ({type(exc).__name__}: {exc or 'corrupt file'})") from exc
            title, outline = _title(pdf), _outline(pdf)
        has_text = any(ln.text.strip() for page in pages for ln in page)
        engine = resolve() if ocr is None else ocr
        if not has_text and (not scanned or isinstance(engine, NoOcr)):
            why = engine.reason if isinstance(engine, NoOcr) else "no page holds an image to read by OCR"
            raise Unreadable(f"has no text layer (a scanned PDF) and {why}")
        read = {} if isinstance(engine, NoOcr) else _ocr(data, scanned, engine)
        for i, (lines, _conf) in read.items():
            pages[i] = lines
        if not has_text and not any(ln.text.strip() for lines, _ in read.values() for ln in lines):
            raise Unreadable(f"has no text layer and OCR ({engine.name}) found no text on its pages")
        loaded = assemble(pages, title)
        if read:
            loaded = replace(loaded, ocr_pages=tuple((i + 1, conf) for i, (_, conf) in sorted(read.items())))
        marked = outline_headings(loaded.text, outline)
        if marked and 2 * len(marked) >= len(outline):  # the outline, when it fits the text, wins
            return replace(loaded, headings=tuple(marked))
        return loaded


LOADERS = (PdfLoader(),)
