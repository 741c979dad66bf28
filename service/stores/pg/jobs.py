"""Index jobs in PostgreSQL (`briefqa_jobs`), so any replica can report any job. Each server's worker
holds a session advisory lock named after it for as long as its process lives; a job whose worker's
lock is free was left by a process that ended, and may be taken over."""

from __future__ import annotations

import json

import psycopg

from service.core.jobs import Job
from service.stores.pg.db import Database, PgOptions, unavailable_on_error

RUNNER_LOCKS = 0x6271  # advisory lock class of job workers (two-key form: class, hashtext(runner))


class PgJobLog:
    def __init__(self, url: str, options: PgOptions = PgOptions()) -> None:
        self.db = Database(url, options)
        self._held: psycopg.Connection | None = None

    def save(self, job: Job) -> None:
        with self.db.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO briefqa_jobs (job_id, runner, status, record) VALUES (%s, %s, %s, %s)"
                         " ON CONFLICT (job_id) DO UPDATE SET runner = excluded.runner, status = excluded.status,"
                         " record = excluded.record, updated_at = now()",
                         (job.job_id, job.runner, job.status, json.dumps(job.to_json())))

    def get(self, job_id: str) -> Job | None:
        with self.db.connection() as conn:
            row = conn.execute("SELECT record FROM briefqa_jobs WHERE job_id = %s", (job_id,)).fetchone()
        return Job.from_json(row[0]) if row else None

    def recent(self, limit: int) -> list[Job]:
        with self.db.connection() as conn:
            rows = conn.execute("SELECT record FROM briefqa_jobs ORDER BY job_id DESC LIMIT %s", (limit,)).fetchall()
        return [Job.from_json(r[0]) for r in rows]

    def hold(self, runner: str) -> None:
        with unavailable_on_error(self.db.where):
            conn = psycopg.connect(self.db.conninfo, autocommit=True)
            conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (RUNNER_LOCKS, runner))
        self._held = conn  # kept open: the lock lives as long as this process

    def orphaned(self, job: Job) -> bool:
        with unavailable_on_error(self.db.where), psycopg.connect(self.db.conninfo, autocommit=True) as conn:
            free = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (RUNNER_LOCKS, job.runner)).fetchone()[0]
            if free:
                conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (RUNNER_LOCKS, job.runner))
        return bool(free)
