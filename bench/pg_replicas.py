"""Two `briefqa serve` replicas on one PostgreSQL database, under load from both, while `briefqa index`
publishes three new versions.

    .venv/bin/python bench/pg_replicas.py [--pg URL] [--clients 8] [--publishes 3]

Real processes throughout: the replicas and the indexer are `python -m service ...` subprocesses with
BRIEFQA_STORE set, and the clients are threads posting the project's test questions to /v1/ask, half to
each replica. Between publishes the corpus gets a new paragraph, so each build is a real new version.
Prints requests, failures, latency, every index_version seen by each replica and whether each was
published, and how long each replica took to serve a new version after the pointer flipped.
Without --pg it starts a throw-away PostgreSQL 18 + pgvector, and then, still under load, stops the
database for --outage-s seconds and starts it again: it reports the 503s while it was down (how fast
they came), any other failure, and how soon each replica answered 200 again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402
from tests.live_server import free_port, wait_ready  # noqa: E402


def briefqa(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "service", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"briefqa {' '.join(args)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout) if "--json" in args else {}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="PostgreSQL URL (default: start a throw-away server)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--publishes", type=int, default=3)
    ap.add_argument("--outage-s", type=float, default=5.0, help="then stop the database this long (own server only)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefqa-replicas-"))
    server = None
    if args.pg is None:
        from tests.pgserver import PgServer, fresh_database

        server = PgServer(work / "pg", free_port()).init().start()
        url = fresh_database(server.url, "replicas")
    else:
        url = args.pg
    corpus = work / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("README*"))
    env = {**os.environ, "BRIEFQA_STORE": url, "BRIEFQA_CORPUS_DIR": str(corpus), "BRIEFQA_INDEX_DIR": str(work / "index"),
           "BRIEFQA_RELOAD_POLL_S": "0.5", "TOKENIZERS_PARALLELISM": "false"}
    published = [briefqa(env, "index", "--json")["version"]]
    procs, bases = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = (work / f"replica-{name}.log").open("w")
            procs.append(subprocess.Popen([sys.executable, "-m", "service", "serve"], cwd=ROOT, stdout=log,
                                          stderr=subprocess.STDOUT, env={**env, "BRIEFQA_PORT": str(port)}))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs):
            wait_ready(base, proc=proc)
        report = load(bases, published, env, corpus, args, server)
        report["replica_logs"] = str(work)
        print(json.dumps(report, indent=2))
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / "pg_replicas.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        if server is not None:
            server.stop("immediate")


def load(bases: list[str], published: list[str], env: dict[str, str], corpus: Path, args, server) -> dict:
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    stop = threading.Event()
    results: list[tuple[int, float, int, str | None, float]] = []  # replica, time, status, version, ms
    lock = threading.Lock()

    def client(i: int) -> None:
        replica = i % len(bases)
        with httpx.Client(base_url=bases[replica], timeout=30) as http:
            n = i
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    r = http.post("/v1/ask", json={"question": questions[n % len(questions)]})
                    row = (replica, time.time(), r.status_code,
                           r.json().get("index_version") if r.status_code == 200 else r.text[:200],
                           (time.perf_counter() - t0) * 1000)
                except httpx.HTTPError as exc:
                    row = (replica, time.time(), 0, repr(exc), (time.perf_counter() - t0) * 1000)
                with lock:
                    results.append(row)
                n += len(bases)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    publish_times = []
    time.sleep(3)
    for i in range(args.publishes):
        doc = next(corpus.glob("*.txt"))
        doc.write_text(doc.read_text(encoding="utf-8") + f"\nAddendum {i + 1}: the ministers met again.\n", encoding="utf-8")
        published.append(briefqa(env, "index", "--json")["version"])
        publish_times.append(published_at(env["BRIEFQA_STORE"]))
        time.sleep(4)
    outage = None
    if server is not None:  # then stop the database mid-load, and start it again
        down = time.time()
        server.stop("immediate")
        time.sleep(args.outage_s)
        up = time.time()
        server.start()
        time.sleep(5)
        outage = (down, up)
    stop.set()
    for t in threads:
        t.join()
    report = summarise([r for r in results if outage is None or r[1] < outage[0]], published, publish_times, len(bases))
    if outage is not None:
        report["outage"] = summarise_outage([r for r in results if r[1] >= outage[0]], *outage, len(bases))
    return report


def summarise_outage(results, down: float, up: float, replicas: int) -> dict:
    during = [r for r in results if r[1] < up]
    after = [r for r in results if r[1] >= up]
    waits = sorted(r[4] for r in during if r[2] == 503)
    return {"database_down_seconds": round(up - down, 1), "requests_while_down": len(during),
            "503": sum(r[2] == 503 for r in during), "other_failures_while_down": sum(r[2] not in (200, 503) for r in during),
            "503_p50_ms": round(waits[len(waits) // 2], 1) if waits else None, "503_max_ms": round(waits[-1], 1) if waits else None,
            "seconds_to_first_200_after_restart": {f"replica {i}": round(min((r[1] for r in after if r[0] == i and r[2] == 200),
                                                                              default=float("nan")) - up, 2) for i in range(replicas)},
            "failed_after_first_200": sum(1 for i in range(replicas) for r in after if r[0] == i and r[2] != 200
                                          and r[1] > min((x[1] for x in after if x[0] == i and x[2] == 200), default=float("inf")))}


def published_at(url: str) -> float:
    """When the current pointer was flipped, by the database's clock (the same machine's here)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT extract(epoch FROM published_at) FROM briefqa_current").fetchone()[0]


def summarise(results, published, publish_times, replicas: int) -> dict:
    ok = [r for r in results if r[2] == 200]
    failed = [r for r in results if r[2] != 200]
    latencies = sorted(r[4] for r in ok)
    seen = {f"replica {i}": dict(Counter(r[3] for r in ok if r[0] == i)) for i in range(replicas)}
    switch = defaultdict(list)
    for version, t_pub in zip(published[1:], publish_times):
        for i in range(replicas):
            first = min((r[1] for r in ok if r[0] == i and r[3] == version), default=None)
            switch[f"replica {i}"].append(round(first - float(t_pub), 2) if first else None)
    return {"requests": len(results), "failed": len(failed), "failures": [r[3] for r in failed[:5]],
            "p50_ms": round(latencies[len(latencies) // 2], 1), "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1),
            "published": published, "versions_seen": seen,
            "unpublished_versions_seen": sorted({r[3] for r in ok} - set(published)),
            "seconds_from_publish_to_serving_it": dict(switch)}


if __name__ == "__main__":
    main()
