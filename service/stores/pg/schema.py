"""Versioned migrations of the PostgreSQL store: numbered SQL files, each applied once, in order,
in one transaction, recorded in briefqa_schema. Concurrent migrators wait on an advisory lock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from service.core.errors import IndexMismatch

MIGRATION_LOCK = 0x6272_6965_6671_61  # "briefqa": pg_advisory_xact_lock key for migrations
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    folder = resources.files("service.stores.pg") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.number)


LATEST = max(m.number for m in migrations())


def schema_version(conn: psycopg.Connection) -> int:
    """The newest migration applied to this database (0: none)."""
    row = conn.execute("SELECT to_regclass('briefqa_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT coalesce(max(version), 0) FROM briefqa_schema").fetchone()
    return int(found[0]) if found else 0


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply the migrations this database lacks; return their names."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS briefqa_schema (version integer PRIMARY KEY, name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())")
        have = schema_version(conn)
        for migration in migrations():
            if migration.number > have:
                conn.execute(migration.sql.encode())
                conn.execute("INSERT INTO briefqa_schema (version, name) VALUES (%s, %s)",
                             (migration.number, migration.name))
                applied.append(migration.name)
    return applied


def require_current(conn: psycopg.Connection, where: str) -> None:
    """Readers never migrate: a database behind or ahead of this briefqa is a clear error."""
    have = schema_version(conn)
    if have < LATEST:
        raise IndexMismatch(f"the database at {where} has briefqa schema {have}, this briefqa needs {LATEST}; "
                            "run `briefqa index` (or `briefqa migrate`) against it")
    if have > LATEST:
        raise IndexMismatch(f"the database at {where} has briefqa schema {have}, newer than this briefqa's {LATEST}; "
                            "upgrade briefqa")
