"""Rebuilds under load: `briefqa serve` (real model, real uvicorn, its own process) answers 16
concurrent clients while the corpus changes and the index is rebuilt and reloaded 10 times, half by
POST /v1/admin/reload and half by SIGHUP. No request may fail, and every index_version seen must be
one that was published."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from collections import Counter

import httpx
import pytest

from service.pipeline import build_index
from service.app.runtime import build_settings
from service.stores.disk.files import current_version
from tests.live_server import subprocess_server

pytestmark = pytest.mark.integration
CLIENTS, CYCLES = 16, 10
ADMIN_KEY = "load-admin"
QUESTIONS = ["what are the ADSE priority areas", "how much did Allies pledge to Ukraine",
             "air and missile defence", "what did ministers say about defence production"]


class Load:
    """CLIENTS threads asking, searching and listing until stopped; every outcome recorded."""

    def __init__(self, base: str) -> None:
        self.base, self.stop = base, threading.Event()
        self.versions: Counter[str] = Counter()
        self.failures: list[str] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(CLIENTS)]

    def _one(self, http: httpx.Client, i: int, n: int) -> httpx.Response:
        kind = (i + n) % 4
        if kind == 3:
            return http.get("/v1/documents")
        if kind == 2:
            return http.post("/v1/search", json={"query": QUESTIONS[n % 4], "top_k": 5})
        return http.post("/v1/ask", json={"question": QUESTIONS[(i + n) % 4]})

    def _client(self, i: int) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                version, failure = None, None
                try:
                    r = self._one(http, i, n)
                    if r.status_code == 200:
                        version = r.json()["index_version"]
                    else:
                        failure = f"HTTP {r.status_code}: {r.text[:200]}"
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    failure = f"{type(exc).__name__}: {exc}"
                with self.lock:
                    self.requests += 1
                    if failure is not None:
                        self.failures.append(failure)
                    else:
                        self.versions[version] += 1

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(90)


def _wait_for_version(base: str, version: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(base + "/readyz", timeout=10).json().get("index_version") == version:
            return
        time.sleep(0.1)
    raise AssertionError(f"server did not switch to {version} within {timeout}s")


def test_sixteen_clients_see_no_failure_across_ten_rebuild_and_reload_cycles(real_settings, real_embedder, tmp_path):
    shutil.copytree(real_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    shutil.copytree(real_settings.corpus_dir, tmp_path / "corpus")
    settings = real_settings.model_copy(update={"index_dir": tmp_path / "index", "corpus_dir": tmp_path / "corpus"})
    published = [current_version(settings.index_dir)]
    env = {"BRIEFQA_INDEX_DIR": str(settings.index_dir), "BRIEFQA_CORPUS_DIR": str(settings.corpus_dir),
           "BRIEFQA_ADMIN_KEY": ADMIN_KEY}
    doc = next(settings.corpus_dir.glob("*.txt"))
    t0 = time.monotonic()
    with subprocess_server(env, tmp_path / "server.log") as (base, proc), Load(base) as load:
        for cycle in range(CYCLES):
            doc.write_text(doc.read_text(encoding="utf-8") + f"\nUpdate {cycle}: ministers met again and agreed.\n",
                           encoding="utf-8")
            report = build_index(build_settings(settings), lambda: real_embedder)
            assert not report.up_to_date
            published.append(report.version)
            if cycle % 2 == 0:
                r = httpx.post(base + "/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=60)
                assert r.status_code == 200 and r.json()["index_version"] == report.version, r.text
            else:
                proc.send_signal(signal.SIGHUP)
                _wait_for_version(base, report.version)
            time.sleep(0.5)  # let every client get some answers from this build
    seconds = time.monotonic() - t0
    print(f"load: {load.requests} requests from {CLIENTS} clients over {CYCLES} rebuild+reload cycles "
          f"in {seconds:.0f}s, {len(load.failures)} failed, versions seen {len(load.versions)}/{len(published)}")
    assert not load.failures, load.failures[:5]
    assert set(load.versions) <= set(published), set(load.versions) - set(published)
    assert len(load.versions) >= CYCLES // 2 and load.requests >= 10 * CLIENTS
    log = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    reloads = [e for e in log if e["event"] == "reload"]
    assert [e["trigger"] for e in reloads] == ["SIGHUP"] * (CYCLES // 2) and all(e["status"] == "reloaded" for e in reloads)
    requests = [e for e in log if e["event"] == "request" and e["path"].startswith("/v1/") and e["status"] == 200]
    assert requests and all(e["request_id"] and e["latency_ms"] >= 0 for e in requests)
    assert {e["index_version"] for e in requests if e["route"] != "/v1/admin/reload"} <= set(published)
