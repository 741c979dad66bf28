"""Tesseract 5 (Apache-2.0, Debian's `tesseract-ocr`), run as its command line: a PNG on stdin, TSV on
stdout (one row per word with its box, line number and confidence), grouped here into lines."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from itertools import groupby

from PIL import Image

from service.ingest.ocr.base import OcrLine

TIMEOUT_S = 120  # one page; a real page takes a few seconds


class TesseractUnavailable(RuntimeError):
    pass


class Tesseract:
    name = "tesseract"

    def __init__(self, binary: str = "tesseract", language: str = "eng") -> None:
        found = shutil.which(binary)
        if found is None:
            raise TesseractUnavailable(f"no `{binary}` program on PATH")
        self.binary = found
        self.language = language

    def version(self) -> str:
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).split("\n", 1)[0].strip()

    def read(self, image: Image.Image) -> list[OcrLine]:
        png = io.BytesIO()
        image.save(png, format="PNG")
        dpi = int(round(image.info.get("dpi", (200, 200))[0] or 200))
        done = subprocess.run([self.binary, "stdin", "stdout", "-l", self.language, "--psm", "3", "--dpi", str(dpi),
                               "-c", "preserve_interword_spaces=0", "tsv"],
                              input=png.getvalue(), capture_output=True, timeout=TIMEOUT_S)
        if done.returncode != 0:
            raise RuntimeError(f"tesseract failed: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
        return _lines(done.stdout.decode("utf-8", "replace"))


def _lines(tsv: str) -> list[OcrLine]:
    rows = [r for r in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
            if r.get("level") == "5" and (r.get("text") or "").strip()]
    out: list[OcrLine] = []
    key = lambda r: (int(r["page_num"]), int(r["block_num"]), int(r["par_num"]), int(r["line_num"]))  # noqa: E731
    for _, group in groupby(rows, key=key):
        words = list(group)
        lefts = [int(w["left"]) for w in words]
        tops = [int(w["top"]) for w in words]
        rights = [int(w["left"]) + int(w["width"]) for w in words]
        bottoms = [int(w["top"]) + int(w["height"]) for w in words]
        text = " ".join(w["text"].strip() for w in words)
        confs = [max(0.0, float(w["conf"])) / 100 for w in words]
        conf = sum(c * len(w["text"]) for c, w in zip(confs, words)) / max(1, sum(len(w["text"]) for w in words))
        out.append(OcrLine(text, min(lefts), min(tops), max(rights), max(bottoms), conf))
    return out
