"""Load test: briefqa as it runs in production vs the usual LangChain pipeline, in one run.

    .venv/bin/python bench/load.py [--seconds 10] [--concurrency 1 4 16 64]

Builds an index of corpus/ in a temporary folder, starts `briefqa serve` (uvicorn, production settings)
on loopback, drives POST /v1/ask and POST /v1/search with the test-set questions at each concurrency for a
fixed time, then does the same to the LangChain baseline (bench/baseline/app.py, FAISS vector store +
HuggingFaceEmbeddings over the same packaged model and the same chunks, top 5 passages). The baseline runs
from its own venv, bench/.venv-baseline (made on first use from bench/baseline/requirements.txt).
Prints a markdown table and writes bench/results/load-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def build_index(work: Path) -> Path:
    index = work / "index"
    subprocess.run([str(Path(sys.executable).parent / "briefqa"), "--index-dir", str(index),
                    "--corpus-dir", str(ROOT / "corpus"), "index", "--quiet"], check=True)
    return index


def export_chunks(index: Path, path: Path) -> None:
    data = load_build(index).data
    rows = [{"text": c.text, "metadata": {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "start": c.start, "end": c.end}}
            for c in data.chunks]
    path.write_text(json.dumps(rows), encoding="utf-8")


def run_target(name: str, server: Server, route: str, bodies: list[dict], levels: list[int], seconds: float) -> dict:
    server.start()
    rows = []
    try:
        for c in levels:
            result = asyncio.run(drive(server.base + route, bodies, c, seconds))
            rows.append(result.summary())
            print(f"  {name:<22} c={c:<3} {rows[-1]}", flush=True)
        memory = server.memory()
    finally:
        server.stop()
    return {"target": name, "cold_start_s": round(server.cold_start_s, 2), "peak_rss_mib": round(memory["VmHWM"] / 1024, 1),
            "levels": rows}


def table(results: list[dict], ratio_level: int) -> str:
    lines = ["| target | concurrency | rps | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | cold start s |",
             "|---|---|---|---|---|---|---|---|---|"]
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
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    ask = [{"question": q, "top_k": 5, "mode": "hybrid"} for q in questions]
    search = [{"query": q, "top_k": 5, "mode": "hybrid"} for q in questions]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index = build_index(work)
        briefqa = [str(Path(sys.executable).parent / "briefqa"), "serve"]
        for name, route, bodies, env in (
            ("briefqa /v1/ask", "/v1/ask", ask, {}),
            ("briefqa /v1/ask nocache", "/v1/ask", ask, {"BRIEFQA_QUERY_CACHE": "0"}),
            ("briefqa /v1/search", "/v1/search", search, {}),
        ):
            port = free_port()
            env = {"BRIEFQA_INDEX_DIR": str(index), "BRIEFQA_PORT": str(port), **env}
            results.append(run_target(name, Server(briefqa, env, port, ROOT, work / f"{port}.log"),
                                      route, bodies, args.concurrency, args.seconds))
        if not args.skip_baseline:
            chunks = work / "chunks.json"
            export_chunks(index, chunks)
            python = ensure_baseline_venv()
            port = free_port()
            argv = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            server = Server(argv, {"BASELINE_CHUNKS": str(chunks)}, port, BENCH / "baseline", work / "baseline.log")
            results.append(run_target("langchain FAISS top-5", server, "/ask", ask, args.concurrency, args.seconds))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    report = {"when": stamp, "seconds_per_level": args.seconds, "questions": len(questions), "results": results}
    (out / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    md = table(results, 16 if 16 in args.concurrency else args.concurrency[-1]) if not args.skip_baseline else ""
    (out / f"load-{stamp}.md").write_text(md + "\n")
    print("\n" + md)


if __name__ == "__main__":
    main()
