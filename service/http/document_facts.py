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


def indexed_at(runner: JobRunner | None, manifest: dict[str, Any]) -> Callable[[str, str], str | None]:
    published: dict[tuple[str, str | None], str] = {}
    for job in reversed(runner.recent(1000) if runner else []):
        if job.status == "published" and job.finished_at:
            for change in job.changes:
                if change.action != "delete":
                    published[(change.doc_id, change.sha256)] = job.finished_at
    built = manifest.get("created_at")
    return lambda doc_id, sha: published.get((doc_id, sha), built)
