"""Index jobs: a change to the documents (files added, replaced or removed) and the build that
publishes it. A job's record is what `GET /v1/jobs/{id}` returns and what survives a restart."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

Status = Literal["queued", "running", "published", "failed"]
Step = Literal["queued", "reading", "embedding", "writing", "publishing", "done"]
Action = Literal["add", "replace", "delete"]
FINISHED = ("published", "failed")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_job_id() -> str:
    """Sortable by creation time, unique."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class Change:
    """One document change a job carries: `doc_id` added, replaced (`previous` keeps the old copy's
    location, for putting it back if the new file cannot be read) or deleted."""

    action: Action
    doc_id: str
    sha256: str | None = None
    previous: str | None = None


@dataclass(frozen=True)
class Job:
    job_id: str
    changes: tuple[Change, ...]
    by: str  # the key id of whoever asked (never the key)
    status: Status = "queued"
    step: Step = "queued"
    done: int = 0
    total: int = 0
    eta_s: float | None = None
    index_version: str | None = None
    detail: str | None = None
    created_at: str = field(default_factory=now_iso)
    started_at: str | None = None
    finished_at: str | None = None
    attempt: int = 1
    skipped: tuple[str, ...] = ()  # other corpus files the build could not read (named, as `briefqa index` does)
    runner: str = ""  # the worker (one per server process) that runs it

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def evolve(self, **changes: Any) -> "Job":
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["changes"] = [asdict(c) for c in self.changes]
        out["skipped"] = list(self.skipped)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Job":
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        known["changes"] = tuple(Change(**c) for c in raw.get("changes", ()))
        known["skipped"] = tuple(raw.get("skipped", ()))
        return cls(**known)
