"""The documents the API manages, in PostgreSQL (`briefqa_files`), so any machine that builds reads
the same files. Removed, replaced and withdrawn copies go to `briefqa_kept_files`. Each change is one
transaction. The first server to start copies its corpus folder in, once (`briefqa_files_seeded`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from service.core.errors import CorpusError, NotFound
from service.ingest.corpus import corpus_files, read_file
from service.ingest.uploads import UploadRefused
from service.stores.pg.db import Database, PgOptions

KEPT = "briefqa_kept_files/"
SEED_LOCK = 0x6272_6965_6671_63


class PgFiles:
    def __init__(self, url: str, seed_from: Path | None, options: PgOptions = PgOptions()) -> None:
        self.db = Database(url, options)
        self.seed_from = seed_from

    def describe(self) -> str:
        return f"the briefqa_files table at {self.db.where}"

    def names(self) -> list[str]:
        with self.db.connection() as conn:
            return [r[0] for r in conn.execute("SELECT doc_id FROM briefqa_files ORDER BY doc_id")]

    def exists(self, doc_id: str) -> bool:
        with self.db.connection() as conn:
            return conn.execute("SELECT 1 FROM briefqa_files WHERE doc_id = %s", (doc_id,)).fetchone() is not None

    def read(self, doc_id: str, max_bytes: int) -> bytes:
        with self.db.connection() as conn:
            row = conn.execute("SELECT data FROM briefqa_files WHERE doc_id = %s", (doc_id,)).fetchone()
        if row is None:
            raise CorpusError(f"{doc_id} is no longer in {self.describe()}")
        if len(row[0]) > max_bytes:
            raise CorpusError(f"{doc_id} is {len(row[0])} bytes, over the {max_bytes}-byte limit per file")
        return bytes(row[0])

    def add(self, doc_id: str, data: bytes, replace: bool) -> str | None:
        with self.db.connection() as conn, conn.transaction():
            old = conn.execute("SELECT 1 FROM briefqa_files WHERE doc_id = %s FOR UPDATE", (doc_id,)).fetchone()
            if old and not replace:
                raise UploadRefused(409, f"{doc_id!r} is already in the corpus; send ?replace=true to replace it")
            previous = self._keep(conn, doc_id, "removed") if old else None
            conn.execute("INSERT INTO briefqa_files (doc_id, data, sha256) VALUES (%s, %s, %s)",
                         (doc_id, data, hashlib.sha256(data).hexdigest()))
            conn.execute("INSERT INTO briefqa_files_seeded (source) VALUES ('api') ON CONFLICT DO NOTHING")
            return previous

    @staticmethod
    def _keep(conn, doc_id: str, reason: str) -> str | None:
        """Move the file's row to briefqa_kept_files; returns where it is kept (None if there was none)."""
        row = conn.execute("WITH gone AS (DELETE FROM briefqa_files WHERE doc_id = %s RETURNING doc_id, data, sha256)"
                           " INSERT INTO briefqa_kept_files (doc_id, data, sha256, reason)"
                           " SELECT doc_id, data, sha256, %s FROM gone RETURNING kept_id", (doc_id, reason)).fetchone()
        return f"{KEPT}{row[0]}" if row else None

    def remove(self, doc_id: str) -> str:
        with self.db.connection() as conn, conn.transaction():
            kept = self._keep(conn, doc_id, "removed")
        if kept is None:
            raise NotFound(f"no document {doc_id!r} in the corpus; GET /v1/documents lists them")
        return kept

    def withdraw(self, doc_id: str, previous: str | None) -> None:
        with self.db.connection() as conn, conn.transaction():
            self._keep(conn, doc_id, "rejected")
            if previous and previous.startswith(KEPT):
                conn.execute("INSERT INTO briefqa_files (doc_id, data, sha256) SELECT doc_id, data, sha256"
                             " FROM briefqa_kept_files WHERE kept_id = %s", (int(previous[len(KEPT):]),))

    def recover(self) -> int:
        """Nothing is ever half-written here (one transaction per change); copy the corpus folder in once."""
        with self.db.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SEED_LOCK,))
            if conn.execute("SELECT 1 FROM briefqa_files_seeded").fetchone() or self.seed_from is None:
                return 0
            for path in corpus_files(self.seed_from) if self.seed_from.is_dir() else []:
                data = read_file(path, self.seed_from, 1 << 31)
                conn.execute("INSERT INTO briefqa_files (doc_id, data, sha256) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                             (path.relative_to(self.seed_from).as_posix(), data, hashlib.sha256(data).hexdigest()))
            conn.execute("INSERT INTO briefqa_files_seeded (source) VALUES (%s)", (str(self.seed_from),))
        return 0

    def prune(self, keep: int) -> None:
        with self.db.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM briefqa_kept_files WHERE kept_id NOT IN"
                         " (SELECT kept_id FROM briefqa_kept_files ORDER BY kept_id DESC LIMIT %s)", (keep,))
