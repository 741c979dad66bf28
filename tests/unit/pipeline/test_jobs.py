"""The job runner with the fake embedder and a real index folder: jobs in order, uploads folded into the
next build while one runs, an unreadable upload failing only its own job, and restarts after a kill."""

from __future__ import annotations

import threading
import time

from service.core.jobs import Change, Job
from service.pipeline.build import BuildSettings
from service.pipeline.jobs import JobRunner
from service.stores.disk.corpus import TMP_PREFIX, DiskFiles
from service.stores.disk.files import current_version
from service.stores.disk.jobs import DiskJobLog
from tests.conftest import fake_build


def _runner(corpus, index, fake, checkpoint=None, published=None):
    build = BuildSettings(corpus, index, fake.model_id, **({"checkpoint": checkpoint} if checkpoint else {}))
    events: list[dict] = []
    runner = JobRunner(build, DiskFiles(corpus, index), DiskJobLog(index), lambda: fake, fake.fingerprint(),
                       published or (lambda v: None), lambda event, **f: events.append({"event": event, **f}))
    return runner, events


def _wait(runner, job_id, timeout=30.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = runner.get(job_id)
        if job.finished:
            return job
        time.sleep(0.01)
    raise TimeoutError(job_id)


def _add(runner, name, text) -> Job:
    previous = runner.files.add(name, text.encode(), False)
    return runner.submit([Change("add", name, None, previous)], "key:test")


def test_uploads_made_while_a_job_runs_fold_into_the_next_build(corpus, tmp_path, fake):
    index = tmp_path / "index"
    fake_build(corpus, index, fake)
    gate, entered = threading.Event(), threading.Event()

    def hold_first(point):
        if point == "embedded" and not gate.is_set():
            entered.set()
            gate.wait(10)

    versions: list[str] = []
    runner, events = _runner(corpus, index, fake, hold_first, versions.append)
    runner.start()
    try:
        first = _add(runner, "a.txt", "Alpha harbour notes.\n\nThe alpha pier has six cranes.\n")
        assert entered.wait(10)
        assert runner.get(first.job_id).status == "running"
        second = _add(runner, "b.txt", "Beta harbour notes.\n\nThe beta pier has two cranes.\n")
        third = _add(runner, "c.txt", "Gamma harbour notes.\n\nThe gamma pier has one crane.\n")
        assert runner.get(second.job_id).status == "queued"
        gate.set()
        done = [_wait(runner, j.job_id) for j in (first, second, third)]
    finally:
        runner.stop()
    assert [j.status for j in done] == ["published"] * 3
    assert done[1].index_version == done[2].index_version != done[0].index_version  # one build for both
    assert versions == [done[0].index_version, done[1].index_version]
    assert current_version(index) == done[2].index_version
    assert [e["job_id"] for e in events if e["event"] == "job"] == [first.job_id, second.job_id, third.job_id]


def test_an_unreadable_upload_fails_its_own_job_only(corpus, tmp_path, fake):
    index = tmp_path / "index"
    fake_build(corpus, index, fake)
    before = current_version(index)
    gate = threading.Event()
    runner, _ = _runner(corpus, index, fake, lambda p: gate.wait(10) if p == "embedded" else None)
    runner.start()
    try:
        blocker = _add(runner, "first.txt", "First notes.\n\nThe first pier has four cranes.\n")
        time.sleep(0.2)
        bad = _add(runner, "bad.pdf", "%PDF-1.4 not really")
        good = _add(runner, "good.md", "# Good\n\nThe good pier has three cranes.\n")
        gate.set()
        results = {j.job_id: _wait(runner, j.job_id) for j in (blocker, bad, good)}
    finally:
        runner.stop()
    assert results[bad.job_id].status == "failed" and "bad.pdf" in results[bad.job_id].detail
    assert results[good.job_id].status == "published" and results[blocker.job_id].status == "published"
    assert not (corpus / "bad.pdf").exists() and (corpus / "good.md").exists()
    assert current_version(index) not in (None, before)


def test_a_restart_fails_the_interrupted_job_runs_it_again_once_and_drops_half_uploads(corpus, tmp_path, fake):
    index = tmp_path / "index"
    fake_build(corpus, index, fake)
    (corpus / "extra.txt").write_text("Extra notes.\n\nThe extra pier has five cranes.\n", encoding="utf-8")
    (corpus / f"{TMP_PREFIX}deadbeef").write_bytes(b"half a fi")
    log = DiskJobLog(index)
    stuck = Job(job_id="20260101T000000000000-aaaaaa", changes=(Change("add", "extra.txt"),), by="key:x",
                status="running", step="embedding", runner="gone")
    log.save(stuck)
    runner, events = _runner(corpus, index, fake)
    runner.start()
    try:
        failed = runner.get(stuck.job_id)
        assert failed.status == "failed" and "interrupted" in failed.detail
        again = _wait(runner, failed.detail.split("as job ")[1])
    finally:
        runner.stop()
    assert again.status == "published" and again.attempt == 2
    assert not list(corpus.glob(f"{TMP_PREFIX}*"))
    assert any(e["event"] == "recovered" for e in events)


def test_disk_files_never_show_half_a_file_and_keep_what_they_remove(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    files = DiskFiles(corpus, index)
    assert files.add("a.txt", b"one", False) is None
    kept = files.add("a.txt", b"two", True)
    assert (index / kept).read_bytes() == b"one" and (corpus / "a.txt").read_bytes() == b"two"
    gone = files.remove("a.txt")
    assert (index / gone).read_bytes() == b"two" and not (corpus / "a.txt").exists()
    files.add("b.txt", b"new", False)
    files.withdraw("b.txt", None)
    assert not (corpus / "b.txt").exists() and list((index / "rejected").rglob("b.txt"))
    assert sorted(p.name for p in corpus.iterdir()) == []
