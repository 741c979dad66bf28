"""Changing the documents: POST /v1/documents (upload), DELETE /v1/documents/{doc_id}, and the jobs
that index each change: GET /v1/jobs, GET /v1/jobs/{job_id}. Changes need the admin key."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from service.core.errors import BriefqaError, NotFound
from service.core.jobs import Change
from service.http.job_schemas import JobList, JobOut, job_out
from service.http.logs import log_event
from service.http.middleware import GUARD_RESPONSES, ErrorOut, header_map
from service.http.security import key_id, presented_key
from service.ingest.uploads import UploadRefused, check_upload
from service.pipeline.jobs import JobRunner

router = APIRouter(tags=["documents"])
log = logging.getLogger("briefqa.documents")


class ChangesOff(BriefqaError):
    """This server runs no index jobs."""


def _error(text: str) -> dict:
    return {"model": ErrorOut, "description": text}


CHANGE_RESPONSES = {**GUARD_RESPONSES, 400: _error("Bad file name, empty file, or the same name twice."),
                    409: _error("A document of that name exists (send ?replace=true)."),
                    415: _error("Unsupported kind, or content that does not match the name.")}


def _runner(request: Request) -> JobRunner:
    runner = getattr(request.app.state, "jobs", None)
    if runner is None:
        raise ChangesOff("this server does not run index jobs")
    return runner


def _who(request: Request) -> str:
    return key_id(presented_key(header_map(request.scope)))


def _accepted(request: Request, response: Response, runner: JobRunner, changes: list[Change]) -> JobOut:
    job = runner.submit(changes, _who(request))
    response.headers["Location"] = f"/v1/jobs/{job.job_id}"
    log_event(log, "documents", by=job.by, job_id=job.job_id, changes=[f"{c.action} {c.doc_id}" for c in changes])
    return job_out(job)


def _store(runner: JobRunner, items: list[tuple[str, bytes]], replace: bool) -> list[Change]:
    """Write every file, all or none: a refusal midway takes the ones already written out again."""
    for name, _ in items:
        if not replace and runner.files.exists(name):
            raise UploadRefused(409, f"{name!r} is already in the corpus; send ?replace=true to replace it")
    changes: list[Change] = []
    try:
        for name, data in items:
            previous = runner.files.add(name, data, replace)
            changes.append(Change("replace" if previous else "add", name, hashlib.sha256(data).hexdigest(), previous))
    except BaseException:
        for change in changes:
            runner.files.withdraw(change.doc_id, change.previous)
        raise
    return changes


@router.post("/v1/documents", status_code=202, response_model=JobOut, responses=CHANGE_RESPONSES)
async def upload(request: Request, response: Response, files: Annotated[list[UploadFile], File(
                     description="One or more documents (.txt .md .pdf .html .htm .docx).")],
                 replace: Annotated[bool, Query(description="Replace documents of the same name.")] = False) -> JobOut:
    """Store each file in the corpus atomically and start an index job; 202 with the job."""
    runner = _runner(request)
    items = [(f.filename or "", await f.read()) for f in files]
    names = [name for name, _ in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UploadRefused(400, f"the same file name was sent twice: {', '.join(map(repr, twice))}")
    for name, data in items:
        check_upload(name, data, request.app.state.max_upload_bytes)
    changes = await run_in_threadpool(_store, runner, items, replace)
    return _accepted(request, response, runner, changes)


@router.delete("/v1/documents/{doc_id:path}", status_code=202, response_model=JobOut,
               responses={**CHANGE_RESPONSES, 404: _error("No such document.")})
def delete(doc_id: str, request: Request, response: Response) -> JobOut:
    """Take the document out of the corpus (a copy is kept under index/removed/) and start an index job."""
    runner = _runner(request)
    if not runner.files.exists(doc_id):
        raise NotFound(f"no document {doc_id!r} in the corpus; GET /v1/documents lists them")
    if runner.files.names() == [doc_id]:
        raise UploadRefused(409, f"{doc_id!r} is the last document; add another before deleting it")
    kept = runner.files.remove(doc_id)
    return _accepted(request, response, runner, [Change("delete", doc_id, None, kept)])


@router.get("/v1/jobs", response_model=JobList, responses=GUARD_RESPONSES)
def jobs(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> JobList:
    """The newest index jobs first."""
    return JobList(jobs=[job_out(j) for j in _runner(request).recent(limit)])


@router.get("/v1/jobs/{job_id}", response_model=JobOut, responses={**GUARD_RESPONSES, 404: _error("No such job.")})
def job(job_id: str, request: Request) -> JobOut:
    found = _runner(request).get(job_id)
    if found is None:
        raise NotFound(f"no job {job_id!r}; GET /v1/jobs lists them")
    return job_out(found)
