"""Job records on disk: one JSON file per job in `index/jobs/`, each written to a temporary file,
fsynced and renamed, so a record is always whole, even after a kill -9."""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.core.jobs import Job

KEEP_JOBS = 1000


class DiskJobLog:
    def __init__(self, index_dir: Path) -> None:
        self.folder = index_dir / "jobs"

    def _file(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def save(self, job: Job) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".tmp-{job.job_id}.json"
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(job.to_json(), fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._file(job.job_id))
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def hold(self, runner: str) -> None:
        return None  # one server per index folder: a job left unfinished is one a stopped server left

    def orphaned(self, job: Job) -> bool:
        return True

    def get(self, job_id: str) -> Job | None:
        if not job_id or "/" in job_id or job_id.startswith("."):
            return None
        try:
            return Job.from_json(json.loads(self._file(job_id).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def recent(self, limit: int) -> list[Job]:
        if not self.folder.is_dir():
            return []
        files = sorted((p for p in self.folder.glob("*.json") if not p.name.startswith(".")), reverse=True)
        for old in files[KEEP_JOBS:]:
            old.unlink(missing_ok=True)
        jobs = (self.get(p.stem) for p in files[:limit])
        return [j for j in jobs if j is not None]
