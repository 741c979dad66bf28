"""Every setting that changes what is built or served (encoder, store, chunking, FAISS index kind) gives
the same build whichever route makes it: `briefqa index` (the CLI, in-process) or a server's index job
(an upload over HTTP), and either build is served by a server started with the same settings.

Each case sets its settings as a user does, in the environment, and builds the brief plus one note twice:
folder A with `briefqa index` over both files; folder B with `briefqa index` over the brief, then the note
uploaded to a server on B (the job path). Then a server on each folder answers the same searches with
the same passages, offsets and scores. The `default` case is the shipped configuration; the others are
about the setting they name."""

from __future__ import annotations

import shutil

import httpx
import pytest
from pydantic import SecretStr

from service.app.settings import Settings
from service.cli.main import main
from service.http.app import create_app
from tests.conftest import ADSE, BRIEF
from tests.documents_api import ADMIN, ADMIN_KEY, UNIQUE_QUESTION, unique_text, upload, wait_job
from tests.live_server import thread_server

pytestmark = pytest.mark.integration

CASES = {
    "default": {},
    "encoder-fp32": {"BRIEFQA_ENCODER": "fp32"},
    "chunking": {"BRIEFQA_CHUNK_SIZE": "300", "BRIEFQA_CHUNK_OVERLAP": "40"},
    "faiss-hnsw": {"BRIEFQA_FAISS_INDEX": "HNSW32"},
    "postgres": {"BRIEFQA_STORE": "<database>"},
}
NOTE = "note.md"
QUESTIONS = (ADSE, UNIQUE_QUESTION, "which ministers met in October 2024")


def _folder(base, with_note: bool):
    (base / "corpus").mkdir(parents=True)
    shutil.copy(BRIEF, base / "corpus" / BRIEF.name)
    if with_note:
        (base / "corpus" / NOTE).write_text(unique_text(), encoding="utf-8")
    return base


def _cli_index(folder) -> None:
    code = main(["--corpus-dir", str(folder / "corpus"), "--index-dir", str(folder / "index"), "index", "--quiet"])
    assert code == 0


def _searches(settings: Settings, upload_note: bool = False) -> dict[str, list]:
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        if upload_note:
            r = upload(client, {NOTE: unique_text().encode()})
            assert r.status_code == 202, r.text
            job = wait_job(client, r.json()["job_id"])
            assert job["status"] == "published", job
        out = []
        for q in QUESTIONS:
            r = client.post("/v1/search", json={"query": q, "top_k": 5})
            assert r.status_code == 200, r.text
            out.append([(h["chunk_id"], h["doc_id"], h["start"], h["end"], h["score"]) for h in r.json()["results"]])
        assert client.post("/v1/ask", json={"question": UNIQUE_QUESTION}).status_code == 200
        listed = client.get("/v1/documents").json()["documents"]
        return {"searches": out, "documents": sorted((d["doc_id"], d["sha256"], d["passages"]) for d in listed)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_and_server_job_builds_are_interchangeable(case, tmp_path, monkeypatch, request):
    env = dict(CASES[case])
    if "BRIEFQA_STORE" in env:
        from tests.pgserver import fresh_database

        pg_url = request.getfixturevalue("pg_url")
        databases = {"a": fresh_database(pg_url, "matrix_a"), "b": fresh_database(pg_url, "matrix_b")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    results = {}
    for side, with_note in (("a", True), ("b", False)):
        folder = _folder(tmp_path / side, with_note)
        if "BRIEFQA_STORE" in env:
            monkeypatch.setenv("BRIEFQA_STORE", databases[side])
        _cli_index(folder)
        settings = Settings(corpus_dir=folder / "corpus", index_dir=folder / "index", admin_key=SecretStr(ADMIN_KEY))
        results[side] = _searches(settings, upload_note=side == "b")
    passages = {side: [[hit[:4] for hit in hits] for hits in r] for side, r in results.items()}
    # the same documents and passages, and every question's best passage the same, with the same score;
    # lower ranks may differ where scores nearly tie (vectors embedded in other batches differ slightly)
    assert results["a"]["documents"] == results["b"]["documents"]
    best = {side: [hits[0] for hits in r["searches"]] for side, r in results.items()}
    assert [h[:4] for h in best["a"]] == [h[:4] for h in best["b"]]
    assert [h[4] for h in best["a"]] == pytest.approx([h[4] for h in best["b"]], abs=0.01)
    assert any(hit[1] == NOTE for hit in results["a"]["searches"][1]), "the note is found in both builds"
