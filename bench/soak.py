"""Soak: 32 concurrent clients against `briefqa serve` for 5 minutes, with hot reloads, watching memory.

The server (real model, real uvicorn, its own process) serves an index of the brief. Clients mix
/v1/ask, /v1/search and /v1/documents; half the questions carry a random suffix so the query cache
cannot answer everything. Every `--reload-every` seconds CURRENT is switched between two builds and
the server reloaded (POST /v1/admin/reload), so old engines must be freed. The server's resident
memory (VmRSS) is sampled every 5 s; growth is measured from the end of the warm-up to the end.

    .venv/bin/python bench/soak.py                      # 32 clients, 300 s
    .venv/bin/python bench/soak.py --clients 8 --seconds 30

Prints the figures and exits 1 if any request failed or RSS grew by 10% or more.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from servers import Server, free_port, memory_kib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402
from service.stores.disk.files import current_version, publish  # noqa: E402

ADMIN_KEY = "soak-admin-key"


@dataclass
class Tally:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)
    reloads: int = 0
    rss_kib: list[tuple[float, int]] = field(default_factory=list)


def _request(questions: list[str], rng: random.Random) -> tuple[str, str, dict | None]:
    text = rng.choice(questions) + (f" {rng.randrange(10**6)}" if rng.random() < 0.5 else "")
    roll = rng.random()
    if roll < 0.6:
        return "POST", "/v1/ask", {"question": text, "top_k": rng.choice((3, 5))}
    if roll < 0.9:
        return "POST", "/v1/search", {"query": text, "top_k": rng.choice((5, 10, 20))}
    return "GET", "/v1/documents", None


async def _client(http: httpx.AsyncClient, questions: list[str], seed: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(seed)
    while time.perf_counter() < deadline:
        method, path, body = _request(questions, rng)
        t = time.perf_counter()
        try:
            r = await http.request(method, path, json=body)
            if r.status_code == 200:
                tally.versions.add(r.json()["index_version"])
            else:
                tally.errors.append(f"{path} HTTP {r.status_code}: {r.text[:200]}")
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            tally.errors.append(f"{path} {type(exc).__name__}: {exc}")
        tally.latencies_ms.append((time.perf_counter() - t) * 1000)
        tally.requests += 1


async def _reloader(http: httpx.AsyncClient, index_dir: Path, builds: list[str], every: float,
                    deadline: float, tally: Tally) -> None:
    while time.perf_counter() + every < deadline:
        await asyncio.sleep(every)
        publish(index_dir, builds[(tally.reloads + 1) % 2])
        r = await http.post("/v1/admin/reload", headers={"X-API-Key": ADMIN_KEY})
        if r.status_code != 200 or r.json()["status"] != "reloaded":
            tally.errors.append(f"reload HTTP {r.status_code}: {r.text[:200]}")
        tally.reloads += 1


async def _sampler(pid: int, start: float, deadline: float, tally: Tally) -> None:
    while time.perf_counter() < deadline:
        tally.rss_kib.append((time.perf_counter() - start, memory_kib(pid)["VmRSS"]))
        await asyncio.sleep(5.0)
    tally.rss_kib.append((time.perf_counter() - start, memory_kib(pid)["VmRSS"]))


async def soak(server: Server, index_dir: Path, builds: list[str], args: argparse.Namespace) -> Tally:
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    tally = Tally()
    limits = httpx.Limits(max_connections=args.clients + 2, max_keepalive_connections=args.clients + 2)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60.0) as http:
        start = time.perf_counter()
        deadline = start + args.seconds
        await asyncio.gather(
            *(_client(http, questions, seed, deadline, tally) for seed in range(args.clients)),
            _reloader(http, index_dir, builds, args.reload_every, deadline, tally),
            _sampler(server.proc.pid, start, deadline, tally))
        tally.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return tally


def _two_builds(work: Path) -> tuple[Path, list[str]]:
    """An index of the brief with two published builds (the second with one extra line)."""
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("README*"))
    run = [sys.executable, "-m", "service", "--corpus-dir", str(corpus), "--index-dir", str(index), "index", "-q"]
    subprocess.run(run, check=True, cwd=ROOT)
    first = current_version(index)
    doc = next(corpus.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nSoak: one more line for a second build.\n", encoding="utf-8")
    subprocess.run(run, check=True, cwd=ROOT)
    second = current_version(index)
    publish(index, first)  # the server starts on the first; reloads alternate from there
    return index, [first, second]


def report(t: Tally, warmup: float) -> bool:
    lat = sorted(t.latencies_ms) or [float("nan")]
    pct = {p: round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1) for p in (50, 95, 99)}
    warm = next(rss for s, rss in t.rss_kib if s >= warmup)
    first, end, peak = t.rss_kib[0][1], t.rss_kib[-1][1], max(rss for _, rss in t.rss_kib)
    growth = (end - warm) / warm * 100
    print(f"requests {t.requests} in {t.seconds:.0f}s ({t.requests / t.seconds:.1f}/s), errors {len(t.errors)}, "
          f"reloads {t.reloads}, versions seen {len(t.versions)}")
    print(f"latency ms p50 {pct[50]} p95 {pct[95]} p99 {pct[99]}")
    print(f"RSS MiB: at start {first / 1024:.1f}, after {warmup:.0f}s warm-up {warm / 1024:.1f}, "
          f"end {end / 1024:.1f}, peak {peak / 1024:.1f}; growth after warm-up {growth:+.1f}%")
    print("RSS MiB every 30 s: " + " ".join(f"{rss / 1024:.0f}" for s, rss in t.rss_kib[::6]))
    for e in t.errors[:5]:
        print("  error:", e)
    return not t.errors and growth < 10.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--warmup", type=float, default=30.0, help="seconds before the RSS baseline is taken")
    ap.add_argument("--reload-every", type=float, default=30.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefqa-soak-") as tmp:
        index, builds = _two_builds(Path(tmp))
        env = {"BRIEFQA_INDEX_DIR": str(index), "BRIEFQA_ADMIN_KEY": ADMIN_KEY, "BRIEFQA_PORT": str(free_port())}
        server = Server([sys.executable, "-m", "service", "serve"], env, int(env["BRIEFQA_PORT"]), ROOT,
                        Path(tmp) / "server.log").start()
        try:
            tally = asyncio.run(soak(server, index, builds, args))
        finally:
            server.stop()
    print(f"soak: {args.clients} clients, {args.seconds:.0f}s, reload every {args.reload_every:.0f}s")
    return 0 if report(tally, args.warmup) else 1


if __name__ == "__main__":
    raise SystemExit(main())
