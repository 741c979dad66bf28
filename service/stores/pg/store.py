"""The PostgreSQL + pgvector store: many replicas read one database; one indexer writes.

A build is written in one transaction (its partitions, rows, indexes and its briefqa_builds row), so
no reader ever sees part of one; publishing replaces the one-row current pointer in another. Servers
poll the pointer and switch without a restart. A pruned build's partitions are dropped whole, and only
once it has been retired for `grace_s`, so a replica still serving it has time to move on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql

from service.core.checkpoints import Checkpoint
from service.core.errors import IndexCorrupt, IndexNotBuilt
from service.core.records import Entities, entity_spans
from service.stores.base import IndexData
from service.stores.pg.db import Database, PgOptions, as_array
from service.stores.pg.index import PgIndex
from service.stores.pg.schema import migrate, require_current
from service.stores.pg.write import TABLES, index_and_attach, partition, write_rows

WRITER_LOCK = 0x6272_6965_6671_62  # pg_advisory_lock key held by the one indexer


@dataclass(frozen=True)
class PgBuildOptions:
    hnsw_m: int = 16
    ef_construction: int = 64
    grace_s: float = 60.0  # a retired build is kept at least this long before it may be pruned
    lock_timeout_ms: int = 5000  # a prune waits at most this long for readers; else it is left for later


class PgStore:
    def __init__(self, url: str, options: PgOptions = PgOptions(), build: PgBuildOptions = PgBuildOptions()) -> None:
        self.db = Database(url, options)
        self.build = build
        self._writer: psycopg.Connection | None = None

    def describe(self) -> str:
        return self.db.where

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Migrate, then hold a session advisory lock on a connection of our own for the whole build:
        a killed indexer's session ends and the lock with it."""
        with self.db.direct(autocommit=True) as conn:
            migrate(conn)
            register_vector(conn)
            conn.execute("SELECT pg_advisory_lock(%s)", (WRITER_LOCK,))
            self._writer = conn
            try:
                yield
            finally:
                self._writer = None

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection]:
        if self._writer is not None:
            yield self._writer
            return
        with self.db.connection() as conn:
            yield conn

    def clean_partial(self) -> int:
        return 0  # a build is one transaction: a killed writer leaves nothing behind

    def current_version(self) -> str | None:
        with self._conn() as conn:
            require_current(conn, self.db.where)
            row = conn.execute("SELECT b.version FROM briefqa_current c JOIN briefqa_builds b USING (build_id)").fetchone()
        return row[0] if row else None

    def has_version(self, version: str) -> bool:
        with self._conn() as conn:
            return conn.execute("SELECT 1 FROM briefqa_builds WHERE version = %s", (version,)).fetchone() is not None

    def read_manifest(self, version: str) -> dict[str, Any]:
        with self._conn() as conn:
            row = conn.execute("SELECT manifest FROM briefqa_builds WHERE version = %s", (version,)).fetchone()
        if row is None:
            raise IndexCorrupt(f"index build {version} is not in the database at {self.db.where}")
        return row[0]

    def vectors_by_key(self) -> dict[str, np.ndarray]:
        with self._conn() as conn:
            row = conn.execute("SELECT build_id FROM briefqa_current").fetchone()
            if row is None:
                return {}
            found: dict[str, np.ndarray] = {}
            for table in ("chunks", "sentences"):
                query = sql.SQL("SELECT embed_key, embedding FROM {}").format(partition(table, row[0]))
                found.update((k, as_array(v)) for k, v in conn.execute(query))
            return found

    def entities_by_text(self) -> dict[str, Entities]:
        with self._conn() as conn:
            row = conn.execute("SELECT build_id FROM briefqa_current").fetchone()
            if row is None:
                return {}
            query = sql.SQL("SELECT sentence, entities FROM {}").format(partition("sentences", row[0]))
            return {text: entity_spans(found) for text, found in conn.execute(query)}

    def write(self, version: str, data: IndexData, manifest: dict[str, Any], checkpoint: Checkpoint) -> None:
        dimension = int(manifest["model"]["dimension"])
        with self._conn() as conn, conn.transaction():
            build_id = conn.execute(
                "INSERT INTO briefqa_builds (version, manifest, dimension) VALUES (%s, %s, %s) RETURNING build_id",
                (version, json.dumps(manifest), dimension)).fetchone()[0]
            write_rows(conn, build_id, data)
            checkpoint("writing")
            index_and_attach(conn, build_id, dimension, self.build.hnsw_m, self.build.ef_construction)

    def publish(self, version: str) -> None:
        with self._conn() as conn, conn.transaction():
            row = conn.execute("SELECT build_id FROM briefqa_builds WHERE version = %s", (version,)).fetchone()
            if row is None:
                raise IndexNotBuilt(f"cannot publish {version}: no such build in {self.db.where}")
            conn.execute("UPDATE briefqa_builds SET retired_at = now() WHERE build_id ="
                         " (SELECT build_id FROM briefqa_current) AND build_id <> %s", (row[0],))
            conn.execute("UPDATE briefqa_builds SET retired_at = NULL WHERE build_id = %s", (row[0],))
            conn.execute("INSERT INTO briefqa_current (build_id) VALUES (%s) ON CONFLICT (only_row)"
                         " DO UPDATE SET build_id = excluded.build_id, published_at = now()", (row[0],))
            conn.execute("NOTIFY briefqa_published")

    def prune(self, keep: int) -> list[str]:
        with self._conn() as conn:
            old = conn.execute(
                "SELECT build_id, version FROM briefqa_builds b WHERE build_id NOT IN (SELECT build_id FROM briefqa_current)"
                " AND build_id NOT IN (SELECT build_id FROM briefqa_builds ORDER BY build_id DESC LIMIT %s)"
                " AND (retired_at IS NULL OR retired_at < now() - make_interval(secs => %s)) ORDER BY build_id",
                (keep, self.build.grace_s)).fetchall()
            return [version for build_id, version in old if self._drop(conn, build_id)]

    def _drop(self, conn: psycopg.Connection, build_id: int) -> bool:
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = {int(self.build.lock_timeout_ms)}")
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
                    sql.SQL(", ").join(partition(t, build_id) for t in TABLES)))
                conn.execute("DELETE FROM briefqa_builds WHERE build_id = %s", (build_id,))
        except psycopg.errors.LockNotAvailable:
            return False  # readers held it too long; the next build prunes it
        return True

    def open(self, version: str | None = None) -> PgIndex:
        with self.db.connection() as conn:
            require_current(conn, self.db.where)
            if version is None:
                row = conn.execute("SELECT b.build_id, b.version, b.manifest, b.dimension FROM briefqa_current c"
                                   " JOIN briefqa_builds b USING (build_id)").fetchone()
            else:
                row = conn.execute("SELECT build_id, version, manifest, dimension FROM briefqa_builds WHERE version = %s",
                                   (version,)).fetchone()
            if row is None:
                raise IndexNotBuilt(f"no index in the database at {self.db.where}; run `briefqa index` first")
            return PgIndex.load(self.db, conn, *row)
