"""The corpus folder as the API changes it. A new file is written under a hidden temporary name in
the corpus folder (which every reader skips), fsynced, then renamed into place, so `corpus/` never
holds half a file. Removed and replaced files are moved to `index/removed/<stamp>/`, files a build
could not read to `index/rejected/<stamp>/`, each kept until pruned like builds."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from service.core.errors import CorpusError, NotFound
from service.ingest.corpus import corpus_files, read_file
from service.ingest.loaders import loader_for
from service.ingest.uploads import UploadRefused
from service.stores.disk.files import fsync_dir

TMP_PREFIX = ".briefqa-upload-"
REMOVED = "removed"
REJECTED = "rejected"


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:4]


class DiskFiles:
    def __init__(self, corpus_dir: Path, index_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self.index_dir = index_dir
        self._lock = threading.Lock()  # one change of the folder at a time within this server

    def describe(self) -> str:
        return str(self.corpus_dir)

    def _path(self, doc_id: str) -> Path:
        """The document's file; NotFound for anything that is not a document of the corpus (a path out
        of it, a hidden or temporary file, a kind no loader reads)."""
        parts = Path(doc_id).parts
        path = self.corpus_dir / doc_id
        if (not parts or ".." in parts or any(p.startswith(".") for p in parts) or loader_for(path.suffix) is None
                or not path.resolve().is_relative_to(self.corpus_dir.resolve())):
            raise NotFound(f"no document {doc_id!r} in the corpus")
        return path

    def names(self) -> list[str]:
        try:
            return [p.relative_to(self.corpus_dir).as_posix() for p in corpus_files(self.corpus_dir)]
        except CorpusError:
            return []

    def exists(self, doc_id: str) -> bool:
        try:
            return self._path(doc_id).is_file()
        except NotFound:
            return False

    def read(self, doc_id: str, max_bytes: int) -> bytes:
        return read_file(self._path(doc_id), self.corpus_dir, max_bytes)

    def add(self, doc_id: str, data: bytes, replace: bool) -> str | None:
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        final = self._path(doc_id)
        tmp = self.corpus_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        with tmp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            with self._lock:
                if final.exists() and not replace:
                    raise UploadRefused(409, f"{doc_id!r} is already in the corpus; send ?replace=true to replace it")
                previous = self._keep(final, REMOVED) if final.exists() else None
                os.replace(tmp, final)
                fsync_dir(self.corpus_dir)
                return previous
        finally:
            tmp.unlink(missing_ok=True)

    def _keep(self, path: Path, where: str) -> str:
        """Move `path` to index/<where>/<stamp>/<doc_id>; returns that location."""
        doc_id = path.relative_to(self.corpus_dir).as_posix()
        target = self.index_dir / where / _stamp() / doc_id
        target.parent.mkdir(parents=True)
        shutil.copy2(path, target)  # copy, fsync, then unlink: a crash leaves the file in one place at least
        with target.open("rb") as fh:
            os.fsync(fh.fileno())
        fsync_dir(target.parent)
        path.unlink()
        return target.relative_to(self.index_dir).as_posix()

    def remove(self, doc_id: str) -> str:
        with self._lock:
            path = self._path(doc_id)
            if not path.is_file():
                raise NotFound(f"no document {doc_id!r} in the corpus; GET /v1/documents lists them")
            kept = self._keep(path, REMOVED)
            fsync_dir(path.parent)
            return kept

    def withdraw(self, doc_id: str, previous: str | None) -> None:
        with self._lock:
            path = self._path(doc_id)
            if path.is_file():
                self._keep(path, REJECTED)
            if previous:
                kept = self.index_dir / previous
                if kept.is_file():
                    shutil.copy2(kept, path)
            fsync_dir(path.parent)

    def recover(self) -> int:
        if not self.corpus_dir.is_dir():
            return 0
        left = list(self.corpus_dir.glob(f"{TMP_PREFIX}*"))
        for path in left:
            path.unlink(missing_ok=True)
        return len(left)

    def prune(self, keep: int) -> None:
        for where in (REMOVED, REJECTED):
            folder = self.index_dir / where
            if folder.is_dir():
                for old in sorted(folder.iterdir(), reverse=True)[keep:]:
                    shutil.rmtree(old, ignore_errors=True)
