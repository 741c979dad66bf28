"""RapidOCR (Apache-2.0, PyPI `rapidocr-onnxruntime`): PaddleOCR's PP-OCRv4 detection and recognition
models, shipped inside the wheel, run by onnxruntime. Optional: not a dependency of briefqa; the
bench compares it with Tesseract (bench/README.md)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from service.ingest.ocr.base import OcrLine


class RapidOcr:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR  # raises ImportError when it is not installed

        self._engine = RapidOCR()

    def read(self, image: Image.Image) -> list[OcrLine]:
        found, _elapsed = self._engine(np.asarray(image.convert("RGB")))
        lines = []
        for box, text, score in found or []:
            xs = [float(p[0]) for p in box]
            ys = [float(p[1]) for p in box]
            lines.append(OcrLine(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
        lines.sort(key=lambda ln: (ln.top + ln.bottom) / 2)  # one column: top to bottom
        return lines
