"""The `reading` step of an index job: every document file, parsed, with the files a batch of jobs
brought that cannot be read taken out again (and the reason kept for the job that brought them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from service.core.errors import CorpusError
from service.core.jobs import Change
from service.core.records import Document
from service.ingest.corpus import parse_document
from service.stores.sources import DocumentFiles


@dataclass
class BatchRead:
    documents: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files already in the corpus that cannot be read
    failed: dict[str, str] = field(default_factory=dict)  # job id -> why its file cannot be indexed


def _parse(files: DocumentFiles, doc_id: str, max_bytes: int, ocr: str = "auto") -> Document:
    return parse_document(doc_id, files.read(doc_id, max_bytes), ocr=ocr)


def read_batch(files: DocumentFiles, owners: dict[str, tuple[str, Change]], max_bytes: int,
               progress: Callable[[int, int], None], ocr: str = "auto") -> BatchRead:
    """Parse every file; `owners` maps a doc_id this batch added or replaced to (job id, change);
    `ocr` is the OCR mode for scanned pages."""
    out = BatchRead()
    names = files.names()
    for n, doc_id in enumerate(names, start=1):
        try:
            out.documents.append(_parse(files, doc_id, max_bytes, ocr))
        except CorpusError as exc:
            if doc_id not in owners:
                out.skipped.append(str(exc))
            else:
                job_id, change = owners[doc_id]
                out.failed.setdefault(job_id, f"{exc}; the file was taken out of the corpus again and "
                                              "the served index is unchanged")
                _put_back(files, change, max_bytes, out, ocr)
        progress(n, len(names))
    return out


def _put_back(files: DocumentFiles, change: Change, max_bytes: int, out: BatchRead, ocr: str = "auto") -> None:
    """Withdraw the unreadable new file; a replaced document's previous copy comes back."""
    files.withdraw(change.doc_id, change.previous)
    if change.previous and files.exists(change.doc_id):
        try:
            out.documents.append(_parse(files, change.doc_id, max_bytes, ocr))
        except CorpusError as exc:
            out.skipped.append(str(exc))
