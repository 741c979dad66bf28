"""OCR choice and bookkeeping without running an engine: which engine a mode gives, the reason and
fix when there is none, per-page confidence on documents and passages, and image upload checks."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from service.core.errors import CorpusError
from service.core.records import Document
from service.ingest.corpus import parse_document
from service.ingest.loaders._ocr_pages import ocr_page
from service.ingest.ocr import NoOcr, OcrLine, page_confidence, resolve
from service.ingest.ocr.tesseract import _lines
from service.ingest.uploads import UploadRefused, check_upload


@pytest.fixture
def no_path(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    resolve.cache_clear()
    yield
    resolve.cache_clear()


def test_off_names_the_setting_and_the_fix():
    engine = resolve("off")
    assert isinstance(engine, NoOcr) and "BRIEFQA_OCR=off" in engine.reason and "install tesseract-ocr" in engine.reason


def test_without_tesseract_on_path_tesseract_mode_says_what_to_install(no_path):
    engine = resolve("tesseract")
    assert isinstance(engine, NoOcr) and "install tesseract-ocr" in engine.reason


def test_an_unknown_mode_lists_the_known_ones():
    with pytest.raises(ValueError, match="auto, tesseract, rapidocr, off"):
        resolve("abbyy")


def _png(size=(200, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 255).save(out, format="PNG")
    return out.getvalue()


def test_an_image_with_ocr_off_is_named_with_the_reason_not_dropped():
    with pytest.raises(CorpusError, match=r"scan\.png has no text layer and OCR is off .*install tesseract-ocr"):
        parse_document("scan.png", _png(), ocr="off")


class _Fixed:
    name = "fixed"

    def read(self, image):
        return [OcrLine("A heading", 10, 10, 200, 40, 0.9),
                OcrLine("body text line that is long enough to count", 10, 60, 500, 80, 0.8)]


def test_ocr_lines_become_points_and_a_tall_line_a_larger_size():
    lines, conf = ocr_page(_Fixed(), Image.new("L", (600, 800), 255), 0, 144.0)
    assert [ln.top for ln in lines] == [5.0, 30.0] and lines[1].size == 10.0 and lines[0].size > 13
    assert conf == pytest.approx(page_confidence(_Fixed().read(None)), abs=1e-4)


def test_tesseract_tsv_words_are_grouped_into_lines_with_a_length_weighted_confidence():
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = ["5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t90\tExit", "5\t1\t1\t1\t1\t2\t45\t20\t40\t12\t50\tstatus",
            "5\t1\t1\t1\t2\t1\t10\t40\t30\t10\t-1\t ", "5\t1\t1\t1\t2\t2\t10\t40\t30\t10\t80\tzero"]
    found = _lines(head + "\n".join(rows) + "\n")
    assert [ln.text for ln in found] == ["Exit status", "zero"]
    assert found[0].right == 85 and found[0].bottom == 32
    assert found[0].confidence == pytest.approx((0.9 * 4 + 0.5 * 6) / 10)


def test_a_passage_carries_the_lowest_confidence_of_the_ocr_pages_it_spans():
    doc = Document("d.pdf", "T", "d.pdf", "a" * 300, "x", pages=(0, 100, 200), ocr_pages=((2, 0.9), (3, 0.7)))
    assert doc.ocr_confidence(0, 50) is None
    assert doc.ocr_confidence(90, 150) == 0.9
    assert doc.ocr_confidence(150, 250) == 0.7


def test_a_corrupt_image_upload_is_refused_with_415():
    with pytest.raises(UploadRefused) as refused:
        check_upload("scan.png", _png()[:60], 10**6)
    assert refused.value.status == 415 and "not a readable image" in str(refused.value)


def test_an_image_named_png_that_is_not_one_is_refused():
    with pytest.raises(UploadRefused, match="does not start like a PNG image"):
        check_upload("scan.png", b"%PDF-1.4 hello", 10**6)


def test_a_good_image_upload_passes_the_checks():
    check_upload("scan.png", _png(), 10**6)


def test_an_ocr_read_file_is_not_read_again_while_it_is_unchanged(monkeypatch):
    import service.ingest.corpus as corpus_module

    calls = []

    class Counting(_Fixed):
        def read(self, image):
            calls.append(1)
            return super().read(image)

    monkeypatch.setattr(corpus_module, "resolve", lambda mode="auto": Counting())
    monkeypatch.setattr(corpus_module, "_ocr_memo", {})
    first = parse_document("scan.png", _png((300, 200)))
    again = parse_document("other-name.png", _png((300, 200)))
    assert len(calls) == 1 and first.text == again.text and first.ocr_pages == again.ocr_pages
    parse_document("scan.png", _png((301, 200)))
    assert len(calls) == 2
