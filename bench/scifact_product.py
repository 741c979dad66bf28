"""SciFact the way a user meets it: the abstracts as text files in a corpus folder, `briefqa index` with
the shipped defaults (timed, whole CLI process, fresh index folder, so the first ONNX export and int8
quantisation are included), `briefqa serve`, and the test queries sent to POST /v1/search.

    .venv/bin/python bench/scifact_product.py [--top-k 100] [--mode hybrid dense bm25] [--titles plain]

The abstracts are written to a temporary folder as `title\n\ntext` files, the title in capitals (the
default) or, with --titles plain, as SciFact writes it; SciFact is read from ../shared/benchmarks/scifact
in place. Each query's passages are pooled to documents (a document ranks at its best passage) and scored
with nDCG@10 against the test qrels, as `briefqa eval --beir` scores its own index. Writes
bench/results/scifact-product-<titles>-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from build import SCIFACT as SCIFACT_CORPUS, write_corpus
from servers import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.evaluation.beir import load_beir  # noqa: E402
from service.evaluation.metrics import ndcg_at  # noqa: E402

SCIFACT = SCIFACT_CORPUS.parent
BRIEFQA = str(Path(sys.executable).parent / "briefqa")


def pooled(results: list[dict]) -> list[str]:
    seen: list[str] = []
    for r in results:
        doc = r["doc_id"].removesuffix(".txt")
        if doc not in seen:
            seen.append(doc)
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top-k", type=int, default=100)
    ap.add_argument("--mode", nargs="+", default=["hybrid", "dense", "bm25"])
    ap.add_argument("--titles", choices=["capitals", "plain"], default="capitals",
                    help="how each abstract's title line is written (default: capitals)")
    args = ap.parse_args()
    data = load_beir(SCIFACT, "test")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_corpus(work / "corpus", len(data.corpus) + 1, args.titles)
        load = [os.getloadavg()[0]]
        t = time.perf_counter()
        out = subprocess.run([BRIEFQA, "--corpus-dir", str(work / "corpus"), "--index-dir", str(work / "index"),
                              "index"], check=True, capture_output=True, text=True)
        index_s = time.perf_counter() - t
        load.append(os.getloadavg()[0])
        print(out.stdout.strip().splitlines()[-1], f"\n`briefqa index` wall time {index_s:.1f}s", flush=True)
        port = free_port()
        server = Server([BRIEFQA, "serve"], {"BRIEFQA_INDEX_DIR": str(work / "index"), "BRIEFQA_PORT": str(port)},
                        port, ROOT, work / "serve.log").start()
        scores: dict[str, float] = {}
        try:
            with httpx.Client(base_url=server.base, timeout=60) as client:
                for mode in args.mode:
                    per_query = []
                    for qid, query in data.queries.items():
                        r = client.post("/v1/search", json={"query": query, "top_k": args.top_k, "mode": mode})
                        r.raise_for_status()
                        per_query.append(ndcg_at(pooled(r.json()["results"]), data.qrels[qid], 10))
                    scores[mode] = round(statistics.mean(per_query), 4)
                    print(f"  {mode}: nDCG@10 {scores[mode]}", flush=True)
            rss = server.memory()
        finally:
            server.stop()
        manifest = json.loads(next((work / "index" / "builds").glob("*/manifest.json")).read_text())
    result = {"titles": args.titles, "queries": len(data.queries), "documents": len(data.corpus), "top_k": args.top_k,
              "index_wall_s": round(index_s, 1), "index_summary": out.stdout.strip().splitlines()[-1],
              "settings": manifest["settings"], "model": manifest["model"], "ndcg@10": scores,
              "serving_peak_rss_mib": round(rss["VmHWM"] / 1024, 1), "load_avg_1m": [round(x, 2) for x in load]}
    print(json.dumps(result, indent=2))
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    (folder / f"scifact-product-{args.titles}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
