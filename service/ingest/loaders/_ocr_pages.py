"""Page images -> PDF-like lines for _pdf_layout, by an OCR engine: boxes become points (1/72 inch),
and a line's font size is the body size unless its height is clearly larger (a heading), since OCR
boxes vary in height with ascenders and descenders where a text layer's font size does not."""

from __future__ import annotations

from statistics import median

from PIL import Image

from service.ingest.loaders._pdf_layout import Line
from service.ingest.loaders.base import Unreadable
from service.ingest.ocr import NoOcr, OcrChoice, page_confidence

BODY_SIZE = 10.0
HEADING_RATIO = 1.3  # a line this much taller than the page's usual line reads as larger type


def ocr_page(engine: OcrChoice, image: Image.Image, page: int, dpi: float) -> tuple[list[Line], float]:
    """The lines of one page image (0-based `page`) and the engine's confidence for it."""
    if isinstance(engine, NoOcr):
        raise Unreadable(f"has no text layer and {engine.reason}")
    try:
        found = engine.read(image)
    except Exception as exc:  # an engine failing on one page: name the page and the engine's message
        raise Unreadable(f"could not be read by OCR ({engine.name}) on page {page + 1}: {exc}") from exc
    scale = 72.0 / dpi
    usual = median([ln.bottom - ln.top for ln in found if len(ln.text) >= 20] or [1.0])
    lines = []
    for ln in found:
        ratio = (ln.bottom - ln.top) / usual if usual > 0 else 1.0
        size = BODY_SIZE * ratio if ratio >= HEADING_RATIO else BODY_SIZE
        lines.append(Line(ln.text, page, ln.top * scale, ln.bottom * scale, ln.right * scale, size,
                          image.height * scale))
    return lines, round(page_confidence(found), 4)
