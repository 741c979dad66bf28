"""Response models of the document-change routes: a job and its progress (see service/core/jobs.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.jobs import Job

_JOB_EXAMPLE = {
    "job_id": "20261201T101500123456-3fa2c1", "status": "running", "step": "embedding", "done": 256, "total": 1024,
    "eta_s": 12.5, "index_version": None, "detail": None, "by": "key:9f2c0e51a7b3",
    "changes": [{"action": "add", "doc_id": "brief.pdf", "sha256": "ab12...", "previous": None}],
    "created_at": "2026-12-01T10:15:00.123+00:00", "started_at": "2026-12-01T10:15:00.140+00:00",
    "finished_at": None, "attempt": 1, "skipped": []}


class ChangeOut(BaseModel):
    action: Literal["add", "replace", "delete"]
    doc_id: str
    sha256: str | None = Field(None, description="Content hash of the file added.")
    previous: str | None = Field(None, description="Where the replaced or deleted copy is kept, under the index folder.")


class JobOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_JOB_EXAMPLE]})
    job_id: str
    status: Literal["queued", "running", "published", "failed"]
    step: Literal["queued", "reading", "embedding", "writing", "publishing", "done"]
    done: int = Field(description="Items of the current step done (files read, texts embedded).")
    total: int = Field(description="Items of the current step in all (0 when the step has no count).")
    eta_s: float | None = Field(description="Seconds the current step still needs, from its rate so far.")
    index_version: str | None = Field(description="The build that published this job's changes.")
    detail: str | None = Field(description="Why the job failed, naming the file and the reason.")
    by: str = Field(description="Key id of who asked (a hash, never the key).")
    changes: list[ChangeOut]
    created_at: str
    started_at: str | None
    finished_at: str | None
    attempt: int = Field(description="2 when re-run after the server stopped during the first run.")
    skipped: list[str] = Field(description="Other corpus files the build could not read, each named with the reason.")


class JobList(BaseModel):
    jobs: list[JobOut]


def job_out(job: Job) -> JobOut:
    return JobOut.model_validate(job.to_json())
