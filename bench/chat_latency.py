"""Latency: POST /v1/chat/completions (JSON and stream) vs POST /v1/ask at concurrency 1, in one run.

    .venv/bin/python bench/chat_latency.py [--rounds 6]

Builds an index of corpus/ in a temporary folder and starts `briefqa serve` on loopback, once with the
query cache on (the default; every question is embedded once, in the warm-up) and once with it off
(BRIEFQA_QUERY_CACHE=0; every request embeds). One client sends the test-set questions, each as an ask
and as a chat completion (and a stream), one request at a time and in alternating order, so both see the
same load. Prints p50/p95 per route and the median of the per-question differences (chat minus ask);
the target is a difference of at most 1 ms. Writes bench/results/chat-latency-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from servers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402

TARGET_MS = 1.0


def _bodies(question: str) -> dict[str, dict]:
    return {"ask": {"question": question, "top_k": 5, "mode": "hybrid"},
            "chat": {"model": "briefqa", "messages": [{"role": "user", "content": question}]},
            "chat stream": {"model": "briefqa", "stream": True, "messages": [{"role": "user", "content": question}]}}


ROUTES = {"ask": "/v1/ask", "chat": "/v1/chat/completions", "chat stream": "/v1/chat/completions"}


def _time(client: httpx.Client, route: str, body: dict) -> float:
    t = time.perf_counter()
    r = client.post(route, json=body)
    _ = r.content  # the whole body, streamed or not
    if r.status_code != 200:
        raise RuntimeError(f"{route} answered {r.status_code}: {r.text[:200]}")
    return (time.perf_counter() - t) * 1000


def measure(base: str, questions: list[str], rounds: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in ROUTES}
    with httpx.Client(base_url=base, timeout=30.0) as client:
        for q in questions:  # warm-up: every route once per question
            for name, body in _bodies(q).items():
                _time(client, ROUTES[name], body)
        for r in range(rounds):
            for i, q in enumerate(questions):
                names = list(ROUTES) if (r + i) % 2 == 0 else list(reversed(ROUTES))
                bodies = _bodies(q)
                for name in names:
                    out[name].append(_time(client, ROUTES[name], bodies[name]))
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 3)


def summarise(times: dict[str, list[float]]) -> dict[str, object]:
    rows = {name: {"n": len(v), "p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "mean_ms": round(statistics.fmean(v), 3)}
            for name, v in times.items()}
    for name in ("chat", "chat stream"):
        diffs = [c - a for c, a in zip(times[name], times["ask"])]
        rows[name]["median_over_ask_ms"] = round(statistics.median(diffs), 3)
        rows[name]["p50_over_ask_ms"] = round(rows[name]["p50_ms"] - rows["ask"]["p50_ms"], 3)
    return rows


def run(index: Path, work: Path, questions: list[str], rounds: int, env: dict[str, str]) -> dict[str, object]:
    port = free_port()
    argv = [str(Path(sys.executable).parent / "briefqa"), "serve"]
    server = Server(argv, {"BRIEFQA_INDEX_DIR": str(index), "BRIEFQA_PORT": str(port), **env}, port, ROOT,
                    work / f"{port}.log").start()
    try:
        return summarise(measure(server.base, questions, rounds))
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6, help="passes over the test-set questions (default 6)")
    args = ap.parse_args()
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    load = os.getloadavg()
    report: dict[str, object] = {"when": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "questions": len(questions),
                                 "rounds": args.rounds, "loadavg_before": [round(x, 2) for x in load]}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index = work / "index"
        import subprocess

        subprocess.run([str(Path(sys.executable).parent / "briefqa"), "--index-dir", str(index), "--corpus-dir",
                        str(ROOT / "corpus"), "index", "--quiet"], check=True)
        for label, env in (("query cache on", {}), ("query cache off", {"BRIEFQA_QUERY_CACHE": "0"})):
            rows = run(index, work, questions, args.rounds, env)
            report[label] = rows
            print(f"{label} (c=1, {len(questions)} questions x {args.rounds} rounds):")
            for name, row in rows.items():
                print(f"  {name:<12} {row}")
            for name in ("chat", "chat stream"):
                over = rows[name]["median_over_ask_ms"]  # type: ignore[index]
                verdict = "meets" if over <= TARGET_MS else "MISSES"
                print(f"  {name} costs {over} ms over /v1/ask (median per question): {verdict} the {TARGET_MS} ms target")
    report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average before {report['loadavg_before']}, after {report['loadavg_after']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"chat-latency-{report['when']}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
