"""PNG, JPEG and TIFF (a multi-page TIFF is one page per frame) read by OCR through _ocr_pages, then
laid out like a PDF's lines by _pdf_layout; every page is an OCR page with the engine's confidence."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageSequence, UnidentifiedImageError

from service.ingest.loaders._ocr_pages import ocr_page
from service.ingest.loaders._pdf_layout import assemble
from service.ingest.loaders.base import Loaded, Unreadable
from service.ingest.ocr import OcrChoice, resolve

MAX_PIXELS = 60_000_000  # a page at 600 dpi is ~35 Mpx; Pillow's own bomb limit is higher
DEFAULT_DPI = 200.0


def open_image(data: bytes) -> Any:
    """The decoded image; Unreadable (with Pillow's reason) for a corrupt or truncated file."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Unreadable(f"is not a readable image ({type(exc).__name__}: {exc})") from exc
    if image.width * image.height > MAX_PIXELS:
        raise Unreadable(f"is a {image.width}x{image.height} image, over {MAX_PIXELS} pixels")
    return image


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi", (DEFAULT_DPI,))[0]
    try:
        return float(dpi) if 50 <= float(dpi) <= 1200 else DEFAULT_DPI
    except (TypeError, ValueError):
        return DEFAULT_DPI


class ImageLoader:
    kind = "image"
    suffixes = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
    reads_scans = True  # load() takes the OCR engine (see base.Loader)

    def load(self, data: bytes, ocr: OcrChoice | None = None) -> Loaded:
        engine = resolve() if ocr is None else ocr
        image = open_image(data)
        pages, confidences, dpi = [], [], _dpi(image)
        try:
            for n, frame in enumerate(ImageSequence.Iterator(image)):
                gray = frame.convert("L")
                gray.info["dpi"] = (dpi, dpi)
                lines, conf = ocr_page(engine, gray, n, dpi)
                pages.append(lines)
                confidences.append(conf)
        except (OSError, ValueError) as exc:
            raise Unreadable(f"is not a readable image ({type(exc).__name__}: {exc})") from exc
        if not any(ln.text.strip() for page in pages for ln in page):
            raise Unreadable(f"holds no text that OCR ({engine.name}) could read")
        loaded = assemble(pages)
        return Loaded(loaded.text, loaded.headings, loaded.title, loaded.pages,
                      ocr_pages=tuple((i + 1, c) for i, c in enumerate(confidences)))


LOADERS = (ImageLoader(),)
