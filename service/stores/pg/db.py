"""Connections to the PostgreSQL store: one pool per process, timeouts everywhere, and every
driver error turned into a one-sentence StoreUnavailable (HTTP 503) instead of a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from service.core.errors import ConfigError, StoreUnavailable

logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)  # failures are reported as StoreUnavailable


FAILING_WAIT_S = 0.1


@dataclass(frozen=True)
class PgOptions:
    pool_size: int = 8
    timeout_s: float = 2.0  # connecting, and waiting for a free pooled connection
    statement_timeout_ms: int = 5000
    ef_search: int = 100  # hnsw.ef_search: HNSW candidates per dense query (at least the number asked for)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparsable URL)"
    host, port, db = parts.get("host", "localhost"), parts.get("port", "5432"), parts.get("dbname", "")
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}:{port}/{db}"


def _conninfo(url: str, options: PgOptions) -> str:
    try:
        return make_conninfo(url, connect_timeout=max(1, round(options.timeout_s)), application_name="briefqa",
                             keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"BRIEFQA_STORE is not a valid PostgreSQL URL: {exc}") from exc


class Database:
    """A lazily opened pool; `connection()` yields a checked connection or raises StoreUnavailable."""

    def __init__(self, url: str, options: PgOptions = PgOptions()) -> None:
        self.where = redact(url)
        self.options = options
        self.conninfo = _conninfo(url, options)
        self._pool: ConnectionPool | None = None
        self._up = True  # False after a failure, until a connection succeeds again

    def _configure(self, conn: psycopg.Connection) -> None:
        _register_vector(conn)
        conn.execute(f"SET statement_timeout = {int(self.options.statement_timeout_ms)}")
        conn.execute(f"SET hnsw.ef_search = {int(min(1000, self.options.ef_search))}")
        conn.commit()

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.conninfo, min_size=1, max_size=self.options.pool_size, timeout=self.options.timeout_s,
                configure=self._configure, check=ConnectionPool.check_connection, open=False,
                reconnect_timeout=0, name="briefqa")
            self._pool.open(wait=False)
        return self._pool

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """While the database is known to be down, wait only briefly for a connection: requests
        then fail in about FAILING_WAIT_S instead of each waiting out the full timeout."""
        wait = self.options.timeout_s if self._up else min(self.options.timeout_s, FAILING_WAIT_S)
        try:
            with unavailable_on_error(self.where), self.pool.connection(timeout=wait) as conn:
                if conn.adapters.types.get("vector") is None:
                    _register_vector(conn)  # the schema was migrated after this connection was made
                self._up = True
                yield conn
        except StoreUnavailable:
            self._up = False
            raise

    @contextmanager
    def direct(self, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        """A connection of its own (the writer's: its session holds the writer lock)."""
        with unavailable_on_error(self.where):
            with psycopg.connect(self.conninfo, autocommit=autocommit) as conn:
                yield conn

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close(timeout=1.0)
            self._pool = None


def _register_vector(conn: psycopg.Connection) -> None:
    """Binary vectors when the pgvector extension exists; a database not yet migrated has none, and
    its readers are then refused with a clear message (pg_schema.require_current)."""
    try:
        register_vector(conn)
    except psycopg.ProgrammingError:
        conn.rollback()


def as_array(value: object) -> np.ndarray:
    """A vector column as float32 numpy (pgvector hands back Vector objects)."""
    to_numpy = getattr(value, "to_numpy", None)
    return np.asarray(to_numpy() if to_numpy else value, dtype=np.float32)


@contextmanager
def unavailable_on_error(where: str) -> Iterator[None]:
    try:
        yield
    except PoolTimeout as exc:
        raise StoreUnavailable(f"the index database at {where} is unreachable or too busy: {exc}") from exc
    except psycopg.errors.QueryCanceled as exc:
        raise StoreUnavailable(f"the index database at {where} took too long to answer: {exc}") from exc
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"the index database at {where} is unreachable: {first}") from exc
