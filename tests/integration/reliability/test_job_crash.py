"""kill -9 of `briefqa serve` (real processes, real model) while an index job runs: on restart the
corpus holds only whole files, the served version is the last published one, and the interrupted
job is reported `failed` (its changes run again once as a new job), never left `running`."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from service.stores.disk import files as store
from tests.documents_api import ADMIN, ADMIN_KEY, private_copy, tree, unique_text, upload
from tests.live_server import subprocess_server

pytestmark = pytest.mark.integration


def _env(settings, pause: str | None) -> dict[str, str]:
    env = {"BRIEFQA_CORPUS_DIR": str(settings.corpus_dir), "BRIEFQA_INDEX_DIR": str(settings.index_dir),
           "BRIEFQA_ADMIN_KEY": ADMIN_KEY}
    return {**env, "BRIEFQA_TEST_PAUSE_AT": pause} if pause else env


def _wait_step(client: httpx.Client, job_id: str, step: str, timeout: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()
        if job["step"] == step or job["status"] in ("published", "failed"):
            return job
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} never reached {step}")


def _kill(proc) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _jobs(client) -> dict[str, dict]:
    return {j["job_id"]: j for j in client.get("/v1/jobs", headers=ADMIN).json()["jobs"]}


@pytest.mark.parametrize("point,step", [("embedded", "writing"), ("written", "publishing")])
def test_kill_9_during_a_job(real_settings, tmp_path, point, step):
    settings = private_copy(real_settings, tmp_path)
    published = store.current_version(settings.index_dir)
    corpus_before = tree(settings.corpus_dir)
    data = unique_text().encode()
    with subprocess_server(_env(settings, point), tmp_path / "serve1.log") as (url, proc):
        with httpx.Client(base_url=url, timeout=60) as client:
            job = upload(client, {"lighthouse.txt": data}).json()
            assert _wait_step(client, job["job_id"], step)["status"] == "running"
            _kill(proc)
    # what the kill left: whole files only, CURRENT on the last published build
    assert tree(settings.corpus_dir) == {**corpus_before, "lighthouse.txt": tree(settings.corpus_dir)["lighthouse.txt"]}
    assert (settings.corpus_dir / "lighthouse.txt").read_bytes() == data
    assert store.current_version(settings.index_dir) == published

    with subprocess_server(_env(settings, "embedded"), tmp_path / "serve2.log") as (url, proc):
        with httpx.Client(base_url=url, timeout=60) as client:
            assert client.get("/readyz").json()["index_version"] == published
            jobs = _jobs(client)
            first = jobs[job["job_id"]]
            assert first["status"] == "failed" and "interrupted" in first["detail"], first
            again_id = first["detail"].split("as job ")[1]
            again = _wait_step(client, again_id, "writing")
            assert again["status"] == "running" and again["attempt"] == 2
            assert client.get("/readyz").json()["index_version"] == published
            _kill(proc)

    with subprocess_server(_env(settings, None), tmp_path / "serve3.log") as (url, proc):
        with httpx.Client(base_url=url, timeout=60) as client:
            assert all(j["status"] != "running" or j["job_id"] not in (job["job_id"], again_id)
                       for j in _jobs(client).values())
            second = _jobs(client)[again_id]
            assert second["status"] == "failed" and "not run again" in second["detail"]
            assert not [p for p in settings.corpus_dir.iterdir() if p.name.startswith(".")]
            # the corpus still holds the upload; the next change indexes it with the rest
            nxt = upload(client, {"beacons.md": b"# Beacons\n\nThe beacon chain has nine towers.\n"}).json()
            deadline = time.monotonic() + 240
            while _jobs(client)[nxt["job_id"]]["status"] not in ("published", "failed") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _jobs(client)[nxt["job_id"]]["status"] == "published"
            ids = {d["doc_id"] for d in client.get("/v1/documents").json()["documents"]}
            assert {"lighthouse.txt", "beacons.md"} <= ids
