"""Load test: briefqa as it runs in production vs the usual LangChain pipeline, in one run.

    .venv/bin/python bench/load.py [--seconds 10] [--concurrency 1 4 16 64]

Builds an index of corpus/ in a temporary folder with each encoder (int8, the default, and fp32, the one
before it), starts every server at once on loopback (`briefqa serve`, production settings, and the
LangChain baseline: bench/baseline/app.py, FAISS vector store + HuggingFaceEmbeddings over the same
packaged model and the same chunks, top 5 passages, from its own venv bench/.venv-baseline), then for
each round, each concurrency and each target in turn drives it with the test-set questions for a fixed
time. Baseline and candidates are interleaved, so a busy machine slows them alike; each row is the
median over the rounds. `nocache` targets run with BRIEFQA_QUERY_CACHE=0 and BRIEFQA_ANSWER_CACHE=0: every request encodes and answers its
question, as a question never asked before does. Prints a markdown table and writes
bench/results/load-<time>.json and .md, with the load average seen during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadgen import drive
from servers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BASELINE_VENV = BENCH / ".venv-baseline"
sys.path.insert(0, str(ROOT))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402
from service.stores.disk.files import load_build  # noqa: E402


def ensure_baseline_venv() -> Path:
    python = BASELINE_VENV / "bin" / "python"
    if not (BASELINE_VENV / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "torch==2.13.0"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(BENCH / "baseline" / "requirements.txt")], check=True)
        (BASELINE_VENV / ".installed").touch()
    return python


def build_index(work: Path, encoder: str) -> Path:
    index = work / f"index-{encoder}"
    subprocess.run([str(Path(sys.executable).parent / "briefqa"), "--index-dir", str(index),
                    "--corpus-dir", str(ROOT / "corpus"), "index", "--quiet"], check=True,
                   env={**os.environ, "BRIEFQA_ENCODER": encoder})
    return index


def export_chunks(index: Path, path: Path) -> None:
    data = load_build(index).data
    rows = [{"text": c.text, "metadata": {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "start": c.start, "end": c.end}}
            for c in data.chunks]
    path.write_text(json.dumps(rows), encoding="utf-8")


def median_row(rows: list[dict]) -> dict:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms")
    out = {"concurrency": rows[0]["concurrency"], "rounds": len(rows),
           "requests": sum(r["requests"] for r in rows), "errors": sum(r["errors"] for r in rows)}
    return out | {k: round(statistics.median(r[k] for r in rows), 3 if k != "rps" else 1) for k in keys}


def run_interleaved(targets: list[tuple[str, Server, str, list[dict]]], levels: list[int], seconds: float,
                    rounds: int) -> tuple[list[dict], list[float]]:
    runs: dict[tuple[str, int], list[dict]] = {}
    load = [os.getloadavg()[0]]
    for r in range(rounds):
        for c in levels:
            for name, server, route, bodies in targets:
                row = asyncio.run(drive(server.base + route, bodies, c, seconds)).summary()
                runs.setdefault((name, c), []).append(row)
                load.append(os.getloadavg()[0])
                print(f"  round {r + 1} {name:<26} c={c:<3} {row} load {load[-1]:.1f}", flush=True)
    results = []
    for name, server, _, _ in targets:
        memory = server.memory()
        results.append({"target": name, "cold_start_s": round(server.cold_start_s, 2),
                        "peak_rss_mib": round(memory["VmHWM"] / 1024, 1),
                        "levels": [median_row(runs[(name, c)]) for c in levels]})
    return results, load


def table(results: list[dict], ratio_level: int) -> str:
    lines = ["| target | concurrency | rps | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | cold start s |",
             "|---|---|---|---|---|---|---|---|---|"]  # medians over the rounds; errors summed
    for r in results:
        for row in r["levels"]:
            lines.append(f"| {r['target']} | {row['concurrency']} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | "
                         f"{row['p99_ms']} | {row['errors']} | {r['peak_rss_mib']} | {r['cold_start_s']} |")
    base = next(r for r in results if r["target"].startswith("langchain"))
    base_rps = next(row["rps"] for row in base["levels"] if row["concurrency"] == ratio_level)
    lines.append("")
    for r in results:
        rps = next((row["rps"] for row in r["levels"] if row["concurrency"] == ratio_level), None)
        if rps is not None and r is not base:
            lines.append(f"- {r['target']} at concurrency {ratio_level}: {rps} rps vs LangChain {base_rps} rps = "
                         f"**{rps / base_rps:.2f}x**")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    ask = [{"question": q, "top_k": 5, "mode": "hybrid"} for q in questions]
    search = [{"query": q, "top_k": 5, "mode": "hybrid"} for q in questions]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index, fp32 = build_index(work, "int8"), build_index(work, "fp32")
        briefqa = [str(Path(sys.executable).parent / "briefqa"), "serve"]
        plan = [("briefqa /v1/ask", "/v1/ask", ask, index, {}),
                ("briefqa /v1/ask nocache", "/v1/ask", ask, index, {"BRIEFQA_QUERY_CACHE": "0", "BRIEFQA_ANSWER_CACHE": "0"}),
                ("briefqa /v1/ask nocache fp32", "/v1/ask", ask, fp32, {"BRIEFQA_QUERY_CACHE": "0", "BRIEFQA_ANSWER_CACHE": "0"}),
                ("briefqa /v1/search", "/v1/search", search, index, {})]
        targets = []
        try:
            for name, route, bodies, folder, env in plan:
                port = free_port()
                env = {"BRIEFQA_INDEX_DIR": str(folder), "BRIEFQA_PORT": str(port), **env}
                server = Server(briefqa, env, port, ROOT, work / f"{port}.log").start()
                targets.append((name, server, route, bodies))
            if not args.skip_baseline:
                chunks = work / "chunks.json"
                export_chunks(index, chunks)
                python = ensure_baseline_venv()
                port = free_port()
                argv = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
                server = Server(argv, {"BASELINE_CHUNKS": str(chunks)}, port, BENCH / "baseline", work / "baseline.log").start()
                targets.append(("langchain FAISS top-5", server, "/ask", ask))
            results, load = run_interleaved(targets, args.concurrency, args.seconds, args.rounds)
        finally:
            for _, server, _, _ in targets:
                server.stop()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    report = {"when": stamp, "seconds_per_level": args.seconds, "rounds": args.rounds, "questions": len(questions),
              "load_avg_1m": [round(x, 2) for x in load], "results": results}
    (out / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"load average (1 min) during the run: min {min(load):.1f}, median {statistics.median(load):.1f}, max {max(load):.1f}")
    md = table(results, 16 if 16 in args.concurrency else args.concurrency[-1]) if not args.skip_baseline else ""
    (out / f"load-{stamp}.md").write_text(md + "\n")
    print("\n" + md)


if __name__ == "__main__":
    main()
