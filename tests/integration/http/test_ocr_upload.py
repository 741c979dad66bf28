"""A scanned PDF uploaded over HTTP to a real server, read by the real Tesseract, answers with its
page cited and `ocr: true`; with OCR off the upload's job fails naming the reason and the fix, and
a corrupt image is refused with a 415 and a detail."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from service.http.app import create_app
from tests.documents_api import ADMIN, ADMIN_KEY, private_copy, upload, wait_job
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
SCAN = Path(__file__).resolve().parents[2] / "data/corpora/scanned-policy/policy-pages-scan.pdf"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None and not __import__("os").environ.get("CI"),
                                     reason="Debian's tesseract-ocr is not installed (`make ocr`; CI installs it)")


@pytest.fixture(scope="module")
def live(real_settings, real_embedder, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("ocr"), admin_key=SecretStr(ADMIN_KEY))
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


@needs_tesseract
def test_a_scanned_upload_answers_citing_its_page_read_by_ocr(live):
    client = live
    r = upload(client, {"policy-scan.pdf": SCAN.read_bytes()})
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job_id"], timeout=600)
    assert job["status"] == "published", job
    answer = client.post("/v1/ask", json={"question": "What exit status must a maintainer script return on success?"}).json()
    cited = [c for c in answer["citations"] if c["doc_id"] == "policy-scan.pdf"]
    assert cited, answer
    assert cited[0]["page"] == 3 and cited[0]["ocr"] is True and 0.5 < cited[0]["ocr_confidence"] <= 1.0
    doc = client.get("/v1/documents/policy-scan.pdf").json()
    for c in cited:  # the citation contract holds for OCR text like any other
        assert doc["text"][c["start"]:c["end"]] == c["text"]
    assert [p["page"] for p in doc["ocr_pages"]] == [1, 2, 3]
    assert "zero exit status" in doc["text"]


def test_a_corrupt_image_is_refused_with_a_detail(live):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"garbage" * 20
    r = upload(live, {"broken.png": png})
    assert r.status_code == 415, r.text
    assert "broken.png" in r.json()["detail"] and "not a readable image" in r.json()["detail"]


def test_with_ocr_off_a_scanned_upload_is_listed_with_the_reason_and_the_fix(real_settings, real_embedder, tmp_path):
    settings = private_copy(real_settings, tmp_path, admin_key=SecretStr(ADMIN_KEY), ocr="off")
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        r = upload(client, {"policy-scan.pdf": SCAN.read_bytes()})
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["job_id"], timeout=300)
        assert job["status"] == "failed"
        assert "policy-scan.pdf has no text layer" in job["detail"]
        assert "BRIEFQA_OCR=off" in job["detail"] and "install tesseract-ocr" in job["detail"]
        listed = client.get("/v1/jobs", headers=ADMIN).json()
        assert any("install tesseract-ocr" in (j.get("detail") or "") for j in listed["jobs"])
