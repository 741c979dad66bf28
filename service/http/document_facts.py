"""What the document list adds to each document: its passage count (counted once per served build)
and when it was indexed (the job that published this copy, else the serving build's creation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from service.pipeline.jobs import JobRunner
from service.stores.base import ServedIndex

_COUNTS: dict[str, Counter[str]] = {}


def passage_counts(index: ServedIndex) -> Counter[str]:
    counts = _COUNTS.get(index.version)
    if counts is None:
        counts = Counter(c.doc_id for c in index.all_chunks())
        if len(_COUNTS) >= 4:
            _COUNTS.pop(next(iter(_COUNTS)))
        _COUNTS[index.version] = counts
    return counts


_PUBLISHED: dict[tuple[int, str], dict[tuple[str, str | None], str]] = {}


def _published(runner: JobRunner) -> dict[tuple[str, str | None], str]:
    """(doc_id, sha256) -> when the job that added that copy published, from the recent jobs."""
    published: dict[tuple[str, str | None], str] = {}
    for job in reversed(runner.recent(1000)):
        if job.status == "published" and job.finished_at:
            for change in job.changes:
                if change.action != "delete":
                    published[(change.doc_id, change.sha256)] = job.finished_at
    return published


def indexed_at(runner: JobRunner | None, manifest: dict[str, Any]) -> Callable[[str, str], str | None]:
    """Read the job records once per served build, once no job is still finishing."""
    key = (id(runner), str(manifest.get("version")))
    published = _PUBLISHED.get(key) if runner else {}
    if published is None and runner is not None:
        published = _published(runner)
        if runner.idle():
            _PUBLISHED.clear()
            _PUBLISHED[key] = published
    built = manifest.get("created_at")
    return lambda doc_id, sha: (published or {}).get((doc_id, sha), built)
