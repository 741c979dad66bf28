"""Where a new question's milliseconds go between the socket and the response: a py-spy profile of
`briefqa serve` (production settings, query and answer caches off) while one client asks the test-set
questions one after another.

    .venv/bin/python bench/profile_serve.py [--seconds 20] [--rate 400]

Builds an index of corpus/ in a temporary folder, starts the server, warms it, then samples it with
py-spy (installed on first use into bench/.venv-pyspy: a PyPI wheel, not a project dependency). Prints
each part's share of the busy samples (idle worker threads left out) and writes
bench/results/profile-<time>.svg (a flame graph) and .json (the shares, the load average, the client's
p50). Shares, not milliseconds: py-spy's sampling slows the process a little, and a busy machine slows
the encoder's threads more than the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import build_index
from loadgen import drive
from servers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYSPY_VENV = BENCH / ".venv-pyspy"
sys.path.insert(0, str(ROOT))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402

# (part, frame names that mark it): a sample counts for each part one of its frames names.
PARTS = [
    ("whole request in the worker thread (the route)", "ask service/http/routes/questions.py"),
    ("  query encoder (onnxruntime)", "OnnxEmbedder.encode service/models/onnx.py"),
    ("  retrieval besides the encoder (BM25, FAISS, fusion)", "Engine._rankings service/pipeline/query.py"),
    ("  answer step (respond)", "respond service/answering/respond.py"),
    ("  response JSON (pydantic)", "ask_response service/http/schemas.py"),
    ("event loop: HTTP parsing, middleware, sending", "Server.run uvicorn/server.py"),
    ("  briefqa's middleware (guard, request log, metrics)", "MetricsMiddleware.__call__ service/http/observability.py"),
    ("  the request log line", "log_event service/http/logs.py"),
]


def ensure_pyspy() -> Path:
    spy = PYSPY_VENV / "bin" / "py-spy"
    if not spy.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYSPY_VENV)], check=True)
        subprocess.run([str(PYSPY_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "py-spy==0.4.3"], check=True)
    return spy


def frame(f: str) -> str:
    m = re.match(r"(.*?) \((.*?):\d+\)", f)
    return f"{m.group(1)} {m.group(2).split('site-packages/')[-1].replace(str(ROOT) + '/', '')}" if m else f


def shares(raw: Path) -> tuple[int, dict[str, float]]:
    total, counts = 0, collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if "Condition.wait" in stack:  # a worker thread waiting for work
            continue
        total += int(n)
        names = {frame(f) for f in stack.split(";")}
        for part, marker in PARTS:
            if marker in names:
                counts[part] += int(n)
    return total, {part: round(counts[part] / max(1, total), 3) for part, _ in PARTS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=int, default=400, help="py-spy samples per second")
    args = ap.parse_args()
    spy = ensure_pyspy()
    bodies = [{"question": q.question, "top_k": 5, "mode": "hybrid"} for q in load_testset(DEFAULT_TESTSET)]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = BENCH / "results"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index = build_index(work, "int8")  # the shipped encoder
        port = free_port()
        env = {"BRIEFQA_INDEX_DIR": str(index), "BRIEFQA_PORT": str(port), "BRIEFQA_QUERY_CACHE": "0",
               "BRIEFQA_ANSWER_CACHE": "0"}
        server = Server([str(Path(sys.executable).parent / "briefqa"), "serve"], env, port, ROOT, work / "serve.log").start()
        try:
            asyncio.run(drive(server.base + "/v1/ask", bodies, 1, 3.0))  # warm up
            raw, svg = work / "stacks.txt", out / f"profile-{stamp}.svg"
            results = {}
            for fmt, path, seconds in (("raw", raw, args.seconds), ("flamegraph", svg, args.seconds / 2)):
                rec = subprocess.Popen([str(spy), "record", "-p", str(server.proc.pid), "-r", str(args.rate), "-d",
                                        str(int(seconds)), "-f", fmt, "-o", str(path), "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
                results[fmt] = asyncio.run(drive(server.base + "/v1/ask", bodies, 1, seconds - 1.5)).summary()
                rec.wait(timeout=seconds + 30)
        finally:
            server.stop()
        total, parts = shares(raw)
    report = {"when": stamp, "samples": total, "client_while_sampled": results["raw"], "shares": parts,
              "load_avg_1m": round(os.getloadavg()[0], 2), "flame_graph": svg.name}
    (out / f"profile-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"{total} busy samples; client while sampled: {results['raw']}; load average {report['load_avg_1m']}")
    for part, share in parts.items():
        print(f"{share * 100:6.1f}%  {part}")
    print(f"flame graph: {svg.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
