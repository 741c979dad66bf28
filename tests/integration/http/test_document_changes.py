"""Documents changed over HTTP against a real uvicorn server, the real model and a real index on disk:
upload, ask about it, replace, delete, and who may do so; every change is one JSON log line."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from pydantic import SecretStr

from service.app.runtime import load_engine
from service.http.app import create_app
from tests.documents_api import ADMIN, ADMIN_KEY, UNIQUE_QUESTION, private_copy, unique_text, upload, wait_job
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
READER = {"X-API-Key": "docs-reader-key"}


@pytest.fixture(scope="module")
def live(real_settings, real_embedder, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("changes"),
                            admin_key=SecretStr(ADMIN_KEY), api_key=SecretStr("docs-reader-key"))
    app = create_app(settings)
    with thread_server(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client, settings


def _ask(client, question: str) -> dict:
    r = client.post("/v1/ask", json={"question": question}, headers=READER)
    assert r.status_code == 200, r.text
    return r.json()


def test_upload_is_indexed_cited_with_its_hash_then_deleted(live, capfd):
    client, settings = live
    data = unique_text().encode()
    before = _ask(client, UNIQUE_QUESTION)
    assert all(c["doc_id"] != "lighthouse.txt" for c in before["citations"])
    r = upload(client, {"lighthouse.txt": data})
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/v1/jobs/{r.json()['job_id']}"
    seen: list[dict] = []
    job = wait_job(client, r.json()["job_id"], seen=seen)
    assert job["status"] == "published", job
    assert {s["step"] for s in seen} <= {"queued", "reading", "embedding", "writing", "publishing", "done"}
    assert (settings.corpus_dir / "lighthouse.txt").read_bytes() == data
    answer = _ask(client, UNIQUE_QUESTION)
    assert answer["index_version"] == job["index_version"] and not answer["abstained"]
    cited = [c for c in answer["citations"] if c["doc_id"] == "lighthouse.txt"]
    assert cited and cited[0]["doc_sha256"] == hashlib.sha256(data).hexdigest()
    assert "77 million euros" in answer["answer"]
    doc = client.get("/v1/documents/lighthouse.txt", headers=READER).json()
    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    listed = {d["doc_id"]: d for d in client.get("/v1/documents", headers=READER).json()["documents"]}
    assert listed["lighthouse.txt"]["passages"] >= 1 and listed["lighthouse.txt"]["format"] == "txt"

    r = client.delete("/v1/documents/lighthouse.txt", headers=ADMIN)
    assert r.status_code == 202, r.text
    gone = wait_job(client, r.json()["job_id"])
    assert gone["status"] == "published", gone
    assert not (settings.corpus_dir / "lighthouse.txt").exists()
    kept = settings.index_dir / gone["changes"][0]["previous"]
    assert kept.read_bytes() == data  # a mistaken delete can be undone by hand
    after = _ask(client, UNIQUE_QUESTION)
    assert after["index_version"] == gone["index_version"]
    assert all(c["doc_id"] != "lighthouse.txt" for c in after["citations"])
    assert client.get("/v1/documents/lighthouse.txt", headers=READER).status_code == 404
    lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if x.startswith("{")]
    changes = [x for x in lines if x.get("event") == "documents"]
    assert [c["changes"] for c in changes][-2:] == [["add lighthouse.txt"], ["delete lighthouse.txt"]]
    assert all(c["by"].startswith("key:") and ADMIN_KEY not in json.dumps(c) for c in changes)


def test_replace_needs_the_flag(live):
    client, _ = live
    first = upload(client, {"beacons.md": b"# Beacons\n\nThe beacon chain has nine towers.\n"})
    assert first.status_code == 202
    assert wait_job(client, first.json()["job_id"])["status"] == "published"
    again = upload(client, {"beacons.md": b"# Beacons\n\nThe beacon chain has ten towers.\n"})
    assert again.status_code == 409 and "replace=true" in again.json()["detail"]
    replaced = upload(client, {"beacons.md": b"# Beacons\n\nThe beacon chain has ten towers.\n"}, replace=True)
    assert replaced.status_code == 202 and replaced.json()["changes"][0]["action"] == "replace"
    assert wait_job(client, replaced.json()["job_id"])["status"] == "published"
    text = client.get("/v1/documents/beacons.md", headers=READER).json()["text"]
    assert "ten towers" in text


def test_a_file_that_cannot_be_parsed_fails_its_job_and_changes_nothing_served(live):
    client, settings = live
    version = client.get("/readyz").json()["index_version"]
    r = upload(client, {"broken.pdf": b"%PDF-1.7\n this is not really a PDF at all \n%%EOF"})
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job_id"])
    assert job["status"] == "failed" and "broken.pdf" in job["detail"] and "PDF" in job["detail"]
    assert not (settings.corpus_dir / "broken.pdf").exists()
    assert client.get("/readyz").json()["index_version"] == version


def test_who_may_change_documents(live):
    client, _ = live
    assert upload(client, {"x.txt": b"hello world"}, headers={}).status_code == 401
    assert upload(client, {"x.txt": b"hello world"}, headers=READER).status_code == 403
    assert client.delete("/v1/documents/x.txt", headers=READER).status_code == 403
    assert client.get("/v1/jobs", headers=READER).status_code == 200
    assert client.get("/v1/jobs/nope", headers=READER).status_code == 404
