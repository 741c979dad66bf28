"""Replicas on one PostgreSQL database (real uvicorn servers): they follow the published pointer
without a restart, and a database outage is a fast 503 that heals by itself."""

from __future__ import annotations

import time

import httpx
import pytest
from pydantic import SecretStr

from service.http.app import create_app
from service.http.reload import SharedEmbedderLoader
from service.app.settings import Settings
from service.stores.pg.store import PgStore
from tests.conftest import add_paragraph, fake_build_into
from tests.live_server import thread_server
from tests.pgserver import PgServer, fresh_database, free_port

pytestmark = pytest.mark.integration
QUESTION = {"question": "what are the ADSE priority areas"}


def _publish(corpus, url: str, fake, i: int | None = None) -> str:
    if i is not None:
        add_paragraph(corpus, i)
    store = PgStore(url)
    try:
        return fake_build_into(corpus, store, fake).version
    finally:
        store.close()


def _app(corpus, url: str, fake, **kw):
    settings = Settings(corpus_dir=corpus, store=SecretStr(url), reload_poll_s=0.2, **kw)
    return create_app(settings, loader=SharedEmbedderLoader(fake))


def _wait_for(predicate, timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


def test_replicas_switch_to_a_published_version_without_a_restart(corpus, pg_database, fake):
    first = _publish(corpus, pg_database, fake)
    with thread_server(_app(corpus, pg_database, fake)) as a, thread_server(_app(corpus, pg_database, fake)) as b:
        for base in (a, b):
            assert httpx.post(base + "/v1/ask", json=QUESTION).json()["index_version"] == first
        second = _publish(corpus, pg_database, fake, 1)
        for base in (a, b):
            _wait_for(lambda: httpx.post(base + "/v1/ask", json=QUESTION).json()["index_version"] == second, 5)
            assert httpx.get(base + "/readyz").json()["index_version"] == second


def test_a_database_outage_is_a_fast_503_and_service_resumes_by_itself(corpus, tmp_path, fake):
    server = PgServer(tmp_path / "pg", free_port()).init().start()
    try:
        url = fresh_database(server.url, "outage")
        version = _publish(corpus, url, fake)
        with thread_server(_app(corpus, url, fake, pg_timeout_s=1.0)) as base:
            assert httpx.post(base + "/v1/ask", json=QUESTION).status_code == 200
            server.stop("immediate")
            waits = []
            for _ in range(3):
                t0 = time.monotonic()
                r = httpx.post(base + "/v1/ask", json=QUESTION, timeout=30)
                waits.append(time.monotonic() - t0)
                assert r.status_code == 503 and "database" in r.json()["detail"], r.text
                assert waits[-1] < 2.5  # fails fast: within the pool timeout, never a hang
            ready = httpx.get(base + "/readyz", timeout=30)
            assert ready.status_code == 503 and "database" in ready.json()["detail"]
            server.start()
            healed = _wait_for(lambda: httpx.post(base + "/v1/ask", json=QUESTION, timeout=30).status_code == 200, 20)
            assert httpx.get(base + "/readyz").json() == {"status": "ready", "index_version": version}
            print(f"503s took {', '.join(f'{w:.2f}' for w in waits)} s; service resumed {healed:.2f}s after the database came back")
    finally:
        if server.running():
            server.stop("immediate")


def test_a_replica_started_before_the_database_serves_once_it_is_up(corpus, tmp_path, fake):
    server = PgServer(tmp_path / "pg", free_port()).init()
    try:
        with thread_server(_app(corpus, server.url, fake, pg_timeout_s=0.5), ready=False) as base:
            ready = httpx.get(base + "/readyz", timeout=30)
            assert ready.status_code == 503 and "unreachable" in ready.json()["detail"]
            assert httpx.post(base + "/v1/ask", json=QUESTION, timeout=30).status_code == 503
            server.start()
            version = _publish(corpus, server.url, fake)
            _wait_for(lambda: httpx.get(base + "/readyz", timeout=30).status_code == 200, 10)
            assert httpx.post(base + "/v1/ask", json=QUESTION).json()["index_version"] == version
    finally:
        if server.running():
            server.stop("immediate")
