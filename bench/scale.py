"""1,000,000 synthetic passages through the real index and search code.

    .venv/bin/python bench/scale.py [--n 1000000] [--factory HNSW32] [--ef-search 128] [--queries 200]

Vectors: random unit vectors of the model's dimension (384), drawn around 2,000 random directions
(real embeddings cluster; pass --uniform for structureless vectors, the worst case for ANN indexes).
Texts: 40-80 words drawn Zipf-like from a real vocabulary (SciFact's, from ../shared/benchmarks, else the
brief's). The dense index is built by service.retrieval.dense from the factory string, BM25 by service.retrieval.bm25,
and queries go through service.pipeline.Engine.search (dense + BM25 + fusion) exactly as when serving;
the query vector is drawn from the same distribution (the text encoder is measured in bench/load.py).
Reports build times, fused search latency p50/p99, dense-only latency, RSS, and recall@10 of the
approximate index against exact search (Flat) on the same vectors, both dense-only and after fusion.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.answering.extractive import AnswerSettings  # noqa: E402
from service.retrieval.bm25 import Bm25Index  # noqa: E402
from service.pipeline import Engine, RetrievalSettings  # noqa: E402
from service.core.records import Chunk  # noqa: E402
from service.stores.base import IndexData
from service.stores.memory import LoadedIndex  # noqa: E402
from service.retrieval.dense import build_dense, tune  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact" / "corpus.jsonl"


def rss_mib() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    get = lambda key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024  # noqa: E731
    return round(get("VmRSS"), 1), round(get("VmHWM"), 1)


def vocabulary() -> list[str]:
    source = SCIFACT.read_text(encoding="utf-8")[:4_000_000] if SCIFACT.exists() else \
        (ROOT / "corpus").glob("*.txt").__next__().read_text(encoding="utf-8")
    words: dict[str, int] = {}
    for w in re.findall(r"[A-Za-z][a-z]{2,}", source):
        words[w.lower()] = words.get(w.lower(), 0) + 1
    return sorted(words, key=lambda w: -words[w])


def synthetic_texts(n: int, vocab: list[str], rng: np.random.Generator) -> list[str]:
    ranks = np.minimum(rng.zipf(1.3, size=n * 60) - 1, len(vocab) - 1)
    lengths = rng.integers(40, 81, size=n)
    out, pos = [], 0
    for length in lengths:
        out.append(" ".join(vocab[r] for r in ranks[pos:pos + length]))
        pos = (pos + length) % (len(ranks) - 100)
    return out


def synthetic_vectors(n: int, dim: int, rng: np.random.Generator, uniform: bool, centres: np.ndarray) -> np.ndarray:
    if uniform:
        v = rng.standard_normal((n, dim), dtype=np.float32)
    else:
        v = centres[rng.integers(0, len(centres), size=n)] + 0.06 * rng.standard_normal((n, dim), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class LookupEmbedder:
    """Returns the pre-drawn vector of each benchmark query."""

    def __init__(self, vectors: dict[str, np.ndarray], dim: int) -> None:
        self.vectors, self.dimension, self.model_id = vectors, dim, "synthetic"

    def fingerprint(self) -> str:
        return "synthetic"

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def engine_for(chunks, vectors, bm25, dense, embedder) -> Engine:
    data = IndexData([], chunks, [], vectors, [], [], np.zeros((0, vectors.shape[1]), np.float32), [], bm25)
    index = LoadedIndex(data, {"model": {}}, "synthetic", dense)
    return Engine(index, embedder, RetrievalSettings(), AnswerSettings())


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--factory", default="HNSW32")
    ap.add_argument("--ef-search", type=int, default=128)
    ap.add_argument("--ef-construction", type=int, default=80)
    ap.add_argument("--nprobe", type=int, default=32)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--uniform", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((2000, args.dim), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vocab = vocabulary()
    (vectors, t_vec) = timed(lambda: synthetic_vectors(args.n, args.dim, rng, args.uniform, centres))
    texts, t_txt = timed(lambda: synthetic_texts(args.n, vocab, rng))
    print(f"generated {args.n} vectors ({t_vec:.1f}s) and texts ({t_txt:.1f}s); rss {rss_mib()}", flush=True)
    chunks = [Chunk(str(i), "synthetic", 0, len(t), t, ()) for i, t in enumerate(texts)]
    bm25, t_bm25 = timed(lambda: Bm25Index.build(texts))
    print(f"BM25 built in {t_bm25:.1f}s; rss {rss_mib()}", flush=True)
    exact, t_exact = timed(lambda: build_dense(vectors, "Flat"))
    approx, t_approx = timed(lambda: build_dense(vectors, args.factory, args.ef_construction))
    tune(approx, args.ef_search, args.nprobe)
    print(f"Flat built in {t_exact:.1f}s, {args.factory} in {t_approx:.1f}s; rss {rss_mib()}", flush=True)
    del texts
    q_vecs = synthetic_vectors(args.queries, args.dim, rng, args.uniform, centres)
    q_texts = [" ".join(vocab[min(int(r) - 1, 2000)] for r in rng.zipf(1.5, size=5)) + f" #{i}" for i in range(args.queries)]
    embedder = LookupEmbedder(dict(zip(q_texts, q_vecs)), args.dim)
    e_exact = engine_for(chunks, vectors, bm25, exact, embedder)
    e_approx = engine_for(chunks, vectors, bm25, approx, embedder)
    report = {"n": args.n, "dim": args.dim, "factory": args.factory, "ef_search": args.ef_search,
              "nprobe": args.nprobe, "uniform": args.uniform, "queries": args.queries,
              "build_s": {"bm25": round(t_bm25, 1), "flat": round(t_exact, 1), args.factory: round(t_approx, 1)}}
    for mode in ("dense", "hybrid"):
        lat, recall, lat_exact = [], [], []
        for q in q_texts:
            (hits, _), t = timed(lambda: e_approx.search(q, 10, mode))
            (truth, _), te = timed(lambda: e_exact.search(q, 10, mode))
            lat.append(t * 1000)
            lat_exact.append(te * 1000)
            recall.append(len({h.chunk.chunk_id for h in hits} & {h.chunk.chunk_id for h in truth}) / 10)
        report[mode] = {"p50_ms": round(float(np.percentile(lat, 50)), 2), "p99_ms": round(float(np.percentile(lat, 99)), 2),
                        "exact_p50_ms": round(float(np.percentile(lat_exact, 50)), 2),
                        "recall@10_vs_exact": round(float(np.mean(recall)), 4)}
        print(f"{mode:<7} {args.factory}: {report[mode]}", flush=True)
    report["rss_mib"], report["peak_rss_mib"] = rss_mib()
    print(json.dumps(report, indent=2))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scale-{args.factory.replace(',', '_')}-{args.n}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
