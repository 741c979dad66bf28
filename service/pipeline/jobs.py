"""Index jobs, one at a time, in order, in a background thread of the server.

A change to the documents (see `DocumentFiles`) is recorded as a queued job. The worker takes every
job queued by the time it is free and runs one build for all of them (uploads made while a build
runs fold into the next one): read each file (`reading`), embed what changed (`embedding`), write
the build (`writing`), publish it and switch the server to it (`publishing`). A file of this batch
that cannot be read fails the job that brought it, with the reason, and is taken out of the corpus
again (a replaced file's previous copy is put back); the other jobs go on. Each job's record is
saved durably at every step, so after a kill -9 a restart reports the interrupted job `failed`
and runs its changes again as a new job (once).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from service.core.errors import BriefqaError, CorpusError
from service.core.jobs import Change, Job, new_job_id, now_iso
from service.models.embedding import Embedder
from service.pipeline.build import BuildSettings, build_documents
from service.pipeline.reading import BatchRead, read_batch
from service.stores.sources import DocumentFiles, JobLog

log = logging.getLogger("briefqa.jobs")
STEP_OF_POINT = {"embedded": "writing", "written": "publishing"}
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class JobSettings:
    max_file_bytes: int = 50 * 1024 * 1024  # largest file a build reads
    keep_copies: int = 20  # removed / withdrawn copies kept


Publish = Callable[[str], None]  # switch the server to this version (a reload)
Events = Callable[..., None]  # log_event-like: (event, **fields)


class JobRunner:
    def __init__(self, build: BuildSettings, files: DocumentFiles, jobs: JobLog,
                 embedder_factory: Callable[[], Embedder], fingerprint: str | None,
                 on_published: Publish, events: Events, settings: JobSettings = JobSettings()) -> None:
        self.build, self.files, self.log = build, files, jobs
        self.embedder = functools.cache(embedder_factory)  # loaded by the first job, kept for the next
        self.fingerprint = fingerprint
        self.on_published, self.events, self.settings = on_published, events, settings
        self._queue: list[str] = []
        self._live: dict[str, Job] = {}
        self._step_t0: dict[str, tuple[str, float]] = {}
        self._wake = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.runner_id = uuid.uuid4().hex

    # --- the API side ---
    def submit(self, changes: list[Change], by: str) -> Job:
        job = Job(job_id=new_job_id(), changes=tuple(changes), by=by, runner=self.runner_id)
        self._save(job)
        with self._wake:
            self._queue.append(job.job_id)
            self._wake.notify()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._live.get(job_id) or self.log.get(job_id)

    def recent(self, limit: int) -> list[Job]:
        return [self._live.get(j.job_id, j) for j in self.log.recent(limit)]

    # --- life cycle ---
    def start(self) -> None:
        """Report jobs a killed server left running as failed (queued again, once); take over the queued
        jobs it left. Jobs of workers still alive (other replicas) are theirs."""
        try:
            self._recover()
        except BriefqaError as exc:  # e.g. the database is down: serve anyway; jobs report the store's error
            self.events("recovery_failed", detail=str(exc))
        self._thread = threading.Thread(target=self._loop, name="briefqa-jobs", daemon=True)
        self._thread.start()

    def _recover(self) -> None:
        self.log.hold(self.runner_id)
        left = self.files.recover()
        if left:
            self.events("recovered", detail=f"removed {left} half-written upload(s) from {self.files.describe()}")
        for job in reversed(self.log.recent(10_000)):
            if job.finished or not self.log.orphaned(job):
                continue
            if job.status == "queued":
                self._save(job.evolve(runner=self.runner_id))
                self._queue.append(job.job_id)
            else:
                self._interrupted(job)

    def _interrupted(self, job: Job) -> None:
        again = None
        if job.attempt < MAX_ATTEMPTS:
            again = Job(job_id=new_job_id(), changes=job.changes, by=job.by, attempt=job.attempt + 1,
                        runner=self.runner_id)
            self._save(again)
            self._queue.append(again.job_id)
        then = f"its changes were queued again as job {again.job_id}" if again else "it was not run again"
        self._finish(job, "failed", f"interrupted: the server stopped while this job was {job.step}; {then}")

    def stop(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify_all()

    def idle(self) -> bool:
        return not self._queue and not any(not j.finished for j in self._live.values())

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._stop:
                    self._wake.wait()
                if self._stop:
                    return
                ids, self._queue = self._queue, []
            batch = [j for j in (self.log.get(i) for i in ids) if j is not None and not j.finished]
            if batch:
                self._run(batch)

    # --- one build for a batch of jobs ---
    def _run(self, batch: list[Job]) -> None:
        started = now_iso()
        for job in batch:
            self._save(job.evolve(status="running", step="reading", started_at=started))
        running = [j.job_id for j in batch]
        try:
            read = read_batch(self.files, self._owners(batch), self.settings.max_file_bytes,
                              lambda d, t: self._progress(running, "reading", d, t), ocr=self.build.ocr)
            for job_id, reason in read.failed.items():
                self._finish(self._live[job_id], "failed", reason)
            running = [i for i in running if i not in read.failed]
            if running:
                self._build(running, read)
        except BriefqaError as exc:
            for job_id in running:
                self._finish(self._live[job_id], "failed", str(exc))
        except Exception as exc:  # a bug: say so on the job, keep the worker alive for the next one
            log.exception("index job failed")
            for job_id in running:
                self._finish(self._live[job_id], "failed", f"internal error: {type(exc).__name__}: {exc}")

    def _owners(self, batch: list[Job]) -> dict[str, tuple[str, Change]]:
        """doc_id -> (the job whose file it is now, its change), for files this batch added or replaced."""
        owners: dict[str, tuple[str, Change]] = {}
        for job in batch:
            for change in job.changes:
                if change.action == "delete":
                    owners.pop(change.doc_id, None)
                else:
                    owners[change.doc_id] = (job.job_id, change)
        return owners

    def _build(self, running: list[str], read: BatchRead) -> None:
        if not read.documents:
            raise CorpusError(f"no documents would be left in {self.files.describe()}; add one before deleting the last")
        outer = self.build.checkpoint

        def checkpoint(point: str) -> None:
            if point in STEP_OF_POINT:
                self._progress(running, STEP_OF_POINT[point], 0, 0)
            outer(point)

        settings: BuildSettings = replace(self.build, checkpoint=checkpoint)
        self._progress(running, "embedding", 0, 0)
        report = build_documents(settings, read.documents, self.embedder, self.fingerprint,
                                 progress=lambda _label, d, t: self._progress(running, "embedding", d, t))
        self.files.prune(self.settings.keep_copies)
        self._progress(running, "publishing", 0, 0)
        self.on_published(report.version)
        for job_id in running:
            self._finish(self._live[job_id], "published", None, index_version=report.version,
                         skipped=tuple(read.skipped))

    # --- records ---
    def _progress(self, job_ids: list[str], step: str, done: int, total: int) -> None:
        """Save each job's step and done/total, with an ETA from the rate so far in this step."""
        for job_id in job_ids:
            job = self._live[job_id]
            if self._step_t0.get(job_id, ("", 0.0))[0] != step:
                self._step_t0[job_id] = (step, time.monotonic())
            elapsed = time.monotonic() - self._step_t0[job_id][1]
            eta = round(elapsed / done * (total - done), 1) if done and total >= done else None
            self._save(job.evolve(step=step, done=done, total=total, eta_s=eta))

    def _finish(self, job: Job, status: str, detail: str | None, **fields: object) -> None:
        done = job.evolve(status=status, step="done", detail=detail, eta_s=None, finished_at=now_iso(), **fields)
        self._save(done)
        self._live.pop(job.job_id, None)
        self._step_t0.pop(job.job_id, None)
        self.events("job", job_id=job.job_id, by=job.by, status=status, detail=detail,
                    index_version=done.index_version, changes=[f"{c.action} {c.doc_id}" for c in job.changes])

    def _save(self, job: Job) -> None:
        self.log.save(job)
        if not job.finished:
            self._live[job.job_id] = job
