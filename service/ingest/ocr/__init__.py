"""OCR for pages without a text layer: Tesseract (the default, when installed) or RapidOCR.

`resolve(mode)` turns the BRIEFQA_OCR setting into an engine, or a `NoOcr` saying why there is none
and what to install; it is cached per mode, so a missing engine is looked up once per process."""

from __future__ import annotations

from functools import cache

from service.ingest.ocr.base import NoOcr, OcrChoice, OcrEngine, OcrLine, page_confidence

__all__ = ["MODES", "NoOcr", "OcrChoice", "OcrEngine", "OcrLine", "page_confidence", "resolve"]

MODES = ("auto", "tesseract", "rapidocr", "off")
INSTALL_TESSERACT = "install tesseract-ocr (`apt-get install tesseract-ocr`, or `make ocr`)"


@cache
def resolve(mode: str = "auto") -> OcrChoice:
    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r}; known: {', '.join(MODES)}")
    if mode == "off":
        return NoOcr("OCR is off (BRIEFQA_OCR=off); set BRIEFQA_OCR=auto and " + INSTALL_TESSERACT + " to read it")
    if mode in ("auto", "tesseract"):
        from service.ingest.ocr.tesseract import Tesseract, TesseractUnavailable

        try:
            return Tesseract()
        except TesseractUnavailable:
            if mode == "tesseract":
                return NoOcr("no OCR engine is installed (BRIEFQA_OCR=tesseract, but no `tesseract` program on "
                             "PATH); " + INSTALL_TESSERACT, name="tesseract")
    try:
        from service.ingest.ocr.rapid import RapidOcr

        return RapidOcr()
    except ImportError:
        if mode == "rapidocr":
            return NoOcr("no OCR engine is installed (BRIEFQA_OCR=rapidocr, but the rapidocr-onnxruntime package "
                         "is missing); pip install rapidocr-onnxruntime==1.4.4, or set BRIEFQA_OCR=auto and "
                         + INSTALL_TESSERACT, name="rapidocr")
    return NoOcr("no OCR engine is installed; " + INSTALL_TESSERACT + " to read it by OCR", name="auto")
