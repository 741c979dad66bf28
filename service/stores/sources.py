"""Where uploaded documents and job records live, as two Protocols beside the index's own.

`DocumentFiles` is the corpus as the API changes it: files added atomically (never half-written),
replaced, removed (a copy kept, so a mistaken delete can be undone by hand) and read back by a
build. `JobLog` keeps every job's record durably, so a restart finds what was running.
Implementations: `stores.disk` (the corpus folder and `index/jobs/`) and `stores.pg` (tables).
"""

from __future__ import annotations

from typing import Protocol

from service.core.jobs import Job


class DocumentFiles(Protocol):
    def describe(self) -> str:
        """Where the files are, for messages (never a password)."""

    def names(self) -> list[str]:
        """doc_id of every document file, sorted."""

    def exists(self, doc_id: str) -> bool: ...

    def read(self, doc_id: str, max_bytes: int) -> bytes:
        """The file's bytes; CorpusError (naming it) when it cannot be read or is over `max_bytes`."""

    def add(self, doc_id: str, data: bytes, replace: bool) -> str | None:
        """Store the file atomically. Refuses (UploadRefused 409) a name that exists unless `replace`;
        when replacing, returns where the previous copy is kept."""

    def remove(self, doc_id: str) -> str:
        """Take the file out of the corpus, keeping a copy; returns where (NotFound if there is none)."""

    def withdraw(self, doc_id: str, previous: str | None) -> None:
        """Take out a new file that could not be read (kept aside) and put `previous` back, if any."""

    def recover(self) -> int:
        """Remove what an interrupted upload left (never a whole file); returns how many."""

    def prune(self, keep: int) -> None:
        """Keep only the newest `keep` removed and withdrawn copies."""


class JobLog(Protocol):
    def save(self, job: Job) -> None:
        """Record the job durably (it survives a kill -9 once this returns)."""

    def get(self, job_id: str) -> Job | None: ...

    def recent(self, limit: int) -> list[Job]:
        """The newest `limit` jobs, newest first."""

    def hold(self, runner: str) -> None:
        """Mark `runner` (this process's worker) alive for as long as the process lives."""

    def orphaned(self, job: Job) -> bool:
        """True when the worker that owns this unfinished job is gone (its process ended)."""
