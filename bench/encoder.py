"""The encoder alone, in process: int8 ONNX beside fp32 ONNX (queries) and torch fp32 (builds), interleaved.

    .venv/bin/python bench/encoder.py [--rounds 5] [--texts 300]

Per query: each test-set question encoded alone (as a new question is), p50 wall time and CPU time
per query. Per build batch: the first N SciFact abstracts and their sentences, texts per second of wall
time and of CPU time (CPU time is what a busy, shared machine distorts least). Each round runs every
encoder once, in turn; the figures are medians over the rounds. Writes bench/results/encoder-<time>.json.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build import SCIFACT  # noqa: E402
from service.app.encoders import build_embedder, onnx_cache  # noqa: E402
from service.app.settings import Settings  # noqa: E402
from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402
from service.models.embedding import SentenceTransformerEmbedder  # noqa: E402
from service.models.onnx import OnnxEmbedder, verified_export  # noqa: E402


def scifact_texts(n: int) -> list[str]:
    texts = []
    with SCIFACT.open(encoding="utf-8") as fh:
        for _, line in zip(range(n), fh):
            doc = json.loads(line)
            texts.append(f"{doc['title']}\n{doc['text'][:1000]}")
            texts += [s.strip() for s in doc["text"].split(". ") if len(s.strip()) > 20]
    return texts


def per_query(embedder, questions: list[str]) -> tuple[float, float]:
    wall = []
    cpu0 = time.process_time()
    for q in questions:
        t = time.perf_counter()
        embedder.encode([q])
        wall.append((time.perf_counter() - t) * 1000)
    return statistics.median(wall), (time.process_time() - cpu0) * 1000 / len(questions)


def batch(embedder, texts: list[str]) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - t), len(texts) / (time.process_time() - c)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--texts", type=int, default=300, help="SciFact abstracts (plus their sentences) per batch")
    args = ap.parse_args()
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    texts = scifact_texts(args.texts)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp))
        int8_build = build_embedder(settings)  # exports and quantises into the temporary folder
        torch_model = SentenceTransformerEmbedder(settings.model)
        weights = torch_model.fingerprint()
        fp32_folder = verified_export(onnx_cache(settings), weights)
        queries = {"int8": OnnxEmbedder(int8_build.folder, "m", weights),  # the same model, one thread
                   "fp32 onnx": OnnxEmbedder(fp32_folder, "m", weights)}
        builds = {"int8 onnx": int8_build, "fp32 torch": torch_model}
        rows: dict[str, list[tuple[float, float]]] = {}
        load = [os.getloadavg()[0]]
        for r in range(args.rounds):
            for name, e in queries.items():
                rows.setdefault(f"query {name}", []).append(per_query(e, questions))
            for name, e in builds.items():
                rows.setdefault(f"build {name}", []).append(batch(e, texts))
            load.append(os.getloadavg()[0])
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f}/{v[-1][1]:.2f}" for k, v in rows.items()), flush=True)
    med = {k: [round(statistics.median(x[i] for x in v), 3) for i in (0, 1)] for k, v in rows.items()}
    result = {"rounds": args.rounds, "questions": len(questions), "batch_texts": len(texts),
              "query_p50_wall_ms / cpu_ms_per_query": {k: v for k, v in med.items() if k.startswith("query")},
              "build_texts_per_s wall / per cpu s": {k: v for k, v in med.items() if k.startswith("build")},
              "load_avg_1m": [round(x, 2) for x in load]}
    q, b = med["query int8"], med["build int8 onnx"]
    result["int8 vs fp32"] = {"query wall": round(med["query fp32 onnx"][0] / q[0], 2),
                              "query cpu": round(med["query fp32 onnx"][1] / q[1], 2),
                              "build wall": round(b[0] / med["build fp32 torch"][0], 2),
                              "build cpu": round(b[1] / med["build fp32 torch"][1], 2)}
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"encoder-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
