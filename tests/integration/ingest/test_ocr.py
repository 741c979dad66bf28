"""The scanned fixture read by the real Tesseract: text close to the text layer of the same pages,
every page marked as OCR'd, passages exactly their document's text; with OCR off the corpus read
names the scan with the reason and the fix instead of dropping it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from service.ingest.chunking import ChunkSettings, split_document
from service.ingest.corpus import parse_document, read_corpus

FIXTURE = Path(__file__).resolve().parents[2] / "data/corpora/scanned-policy"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("CI"),
                                     reason="Debian's tesseract-ocr is not installed (`make ocr`; CI installs it)")


@pytest.fixture(scope="module")
def scanned():
    return parse_document("scan.pdf", (FIXTURE / "policy-pages-scan.pdf").read_bytes(), ocr="tesseract")


@needs_tesseract
def test_the_scan_reads_within_two_percent_of_the_text_layer(scanned):
    text = parse_document("text.pdf", (FIXTURE / "policy-pages-text.pdf").read_bytes())
    a, b = re.sub(r"\s", "", scanned.text), re.sub(r"\s", "", text.text)
    assert Levenshtein.distance(a, b) / len(b) <= 0.02
    assert [p for p, _ in scanned.ocr_pages] == [1, 2, 3] and all(0.5 < c <= 1 for _, c in scanned.ocr_pages)
    assert not text.ocr_pages


@needs_tesseract
def test_ocr_passages_are_their_documents_text_and_say_so(scanned):
    chunks = split_document(scanned, ChunkSettings())
    assert chunks and all(scanned.text[c.start:c.end] == c.text and c.ocr is not None for c in chunks)
    assert {c.page for c in chunks} == {1, 2, 3}


def test_with_ocr_off_the_scan_is_listed_with_the_reason_and_the_fix():
    read = read_corpus(FIXTURE, ocr="off")
    assert [d.doc_id for d in read.documents] == ["policy-pages-text.pdf"]
    assert len(read.skipped) == 1 and "policy-pages-scan.pdf has no text layer" in read.skipped[0]
    assert "install tesseract-ocr" in read.skipped[0]
