"""Both stores keep a document's OCR pages and give its passages their OCR confidence back (a fixed
stand-in engine reads the image, so this is about the stores, not OCR)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import service.ingest.corpus as corpus_module
from service.ingest.ocr import OcrLine
from service.stores.disk.store import DiskStore
from service.stores.pg.store import PgBuildOptions, PgStore
from tests.conftest import fake_build, fake_build_into

pytestmark = pytest.mark.integration


class _Fixed:
    name = "fixed"

    def read(self, image):
        return [OcrLine(f"Scanned line {i}: the harbour authority approved the beacon budget.", 10, 20 + 30 * i,
                        900, 40 + 30 * i, 0.875) for i in range(6)]


@pytest.fixture
def scanned_corpus(corpus, monkeypatch):
    monkeypatch.setattr(corpus_module, "resolve", lambda mode="auto": _Fixed())
    png = io.BytesIO()
    Image.new("L", (1000, 400), 255).save(png, format="PNG")
    (corpus / "scan.png").write_bytes(png.getvalue())
    return corpus


def _check(index) -> None:
    docs = {d.doc_id: d for d in index.document_list()}
    assert docs["scan.png"].ocr_pages == ((1, 0.875),)
    assert all(not d.ocr_pages for name, d in docs.items() if name != "scan.png")
    assert index.document("scan.png").ocr_pages == ((1, 0.875),)
    chunks = index.all_chunks()
    assert {c.ocr for c in chunks if c.doc_id == "scan.png"} == {0.875}
    assert {c.ocr for c in chunks if c.doc_id != "scan.png"} == {None}
    assert index.chunks([0])[0].ocr == chunks[0].ocr


def test_the_disk_store_keeps_ocr_pages(scanned_corpus, fake, tmp_path):
    fake_build(scanned_corpus, tmp_path / "index", fake)
    _check(DiskStore(tmp_path / "index").open())


def test_the_postgresql_store_keeps_ocr_pages(scanned_corpus, pg_database, fake):
    store = PgStore(pg_database, build=PgBuildOptions(grace_s=0))
    fake_build_into(scanned_corpus, store, fake)
    _check(store.open())
    store.close()
