"""SciFact in the PostgreSQL store beside the disk (FAISS) store, in the same run.

    .venv/bin/python bench/pg_scifact.py [--pg URL] [--queries 300]

Both stores hold the same build of SciFact's 5,183 abstracts (passages of 1000/200 characters, title as
section, no sentences), made by the pipeline's own build_documents. Vectors are embedded once (cached in
index/bench-scifact/, the disk build) and reused by the PostgreSQL build, so build times compare the
stores, not the model. Queries run through Engine.search exactly as when serving, with the query
vectors computed up front (the encoder's cost is the same for both stores; bench/load.py measures it).
Prints build seconds, p50/p99 of a 10-passage search per mode, and nDCG@10 of each store on the test split (passages
pooled to documents by their best passage), and, for comparison, PostgreSQL's own ts_rank_cd full-text
ranking over the same passages (which briefqa does not use: it holds BM25 weights instead). Without --pg it starts a throw-away PostgreSQL 18 + pgvector.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.evaluation.beir import load_beir, to_documents  # noqa: E402
from service.ingest.chunking import ChunkSettings  # noqa: E402
from service.models.embedding import SentenceTransformerEmbedder  # noqa: E402
from service.evaluation.metrics import mean, ndcg_at  # noqa: E402
from service.pipeline import BuildSettings, Engine, RetrievalSettings  # noqa: E402
from service.pipeline.build import build_documents  # noqa: E402
from service.answering.extractive import AnswerSettings  # noqa: E402
from service.stores.disk.store import DiskStore  # noqa: E402
from service.stores.pg.store import PgStore  # noqa: E402
from service.stores.pg.db import PgOptions  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"
CACHE = ROOT / "index" / "bench-scifact"


class Precomputed:
    """The real embedder's vectors for known texts, looked up: search timings exclude the encoder."""

    def __init__(self, embedder: SentenceTransformerEmbedder, texts: list[str]) -> None:
        self.model_id, self.dimension = embedder.model_id, embedder.dimension
        self._fp = embedder.fingerprint()
        self._vectors = dict(zip(texts, embedder.encode(texts)))

    def fingerprint(self) -> str:
        return self._fp

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])


def build(settings: BuildSettings, docs, embedder, reuse=None) -> float:
    t0 = time.perf_counter()
    report = build_documents(settings, docs, lambda: embedder, embedder.fingerprint(), force=reuse is not None,
                             reuse=reuse)
    print(f"  {settings.index_store().describe()}: {report.chunks} passages, embedded {report.embedded}, "
          f"reused {report.reused}", flush=True)
    return time.perf_counter() - t0


def run_queries(engine: Engine, queries: dict[str, str], mode: str, qrels) -> dict[str, float]:
    """Timed: a search for 10 passages, as served. Scored (not timed): 100 passages pooled to documents."""
    times, ndcg = [], []
    for qid, text in queries.items():
        t0 = time.perf_counter()
        engine.search(text, 10, mode)
        times.append((time.perf_counter() - t0) * 1000)
        hits, _ = engine.search(text, 100, mode)
        ranking = list(dict.fromkeys(h.chunk.doc_id for h in hits))
        ndcg.append(ndcg_at(ranking, qrels[qid], 10))
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
            "ndcg@10": round(mean(ndcg), 4)}


def ts_rank_ndcg(pg: PgStore, index, queries: dict[str, str], qrels) -> dict[str, float]:
    """PostgreSQL's own full-text ranking (ts_rank_cd, the query's terms OR-ed) over the same passages:
    what a store would get without BM25 held in the database."""
    from psycopg import sql

    from service.stores.pg.write import partition

    table = partition("chunks", index.build_id)
    with pg.db.connection() as conn:
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS bench_fts ON {} USING gin (to_tsvector('english', passage))")
                     .format(table))
        conn.commit()
        stmt = sql.SQL("SELECT doc_id, ts_rank_cd(to_tsvector('english', passage), q) AS r FROM {}, "
                       "CAST(replace(plainto_tsquery('english', %s)::text, '&', '|') AS tsquery) q "
                       "WHERE to_tsvector('english', passage) @@ q ORDER BY r DESC LIMIT 100").format(table)
        times, ndcg = [], []
        for qid, text in queries.items():
            t0 = time.perf_counter()
            rows = conn.execute(stmt, (text,)).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
            ndcg.append(ndcg_at(list(dict.fromkeys(r[0] for r in rows)), qrels[qid], 10))
    return {"p50_ms": round(statistics.median(times), 2), "ndcg@10": round(mean(ndcg), 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="PostgreSQL URL (default: start a throw-away server)")
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    data = load_beir(SCIFACT, "test")
    docs = to_documents(data, "section")
    queries = dict(list(data.queries.items())[: args.queries])
    real = SentenceTransformerEmbedder()
    server = None
    if args.pg is None:
        from tests.pgserver import PgServer, fresh_database, free_port

        server = PgServer(Path(tempfile.mkdtemp(prefix="briefqa-bench-pg-")) / "data", free_port()).init().start()
        url = fresh_database(server.url, "scifact")
    else:
        url = args.pg
    try:
        common = dict(corpus_dir=CACHE, model=real.model_id, chunking=ChunkSettings(1000, 200), sentences=False, keep_builds=1)
        print("building (vectors cached in index/bench-scifact after the first run)", flush=True)
        disk = DiskStore(CACHE, threads=1)  # as served (BRIEFQA_FAISS_THREADS)
        build(BuildSettings(index_dir=CACHE, store=disk, **common), docs, real)  # embeds on the first run only
        vectors = disk.vectors_by_key()
        disk_s = build(BuildSettings(index_dir=CACHE, store=disk, **common), docs, real, reuse=vectors)
        pg = PgStore(url, PgOptions(ef_search=100))
        pg_s = build(BuildSettings(index_dir=CACHE, store=pg, **common), docs, real, reuse=vectors)
        embedder = Precomputed(real, list(queries.values()))
        settings = RetrievalSettings(candidates=100)
        engines = {"faiss (disk)": Engine(disk.open(), embedder, settings, AnswerSettings()),
                   "postgres": Engine(pg.open(), embedder, settings, AnswerSettings())}
        out = {"passages": engines["postgres"].index.chunk_count, "queries": len(queries),
               "build_seconds_without_embedding": {"faiss (disk)": round(disk_s, 1), "postgres": round(pg_s, 1)},
               "search": {}}
        for name, engine in engines.items():
            for mode in ("hybrid", "dense", "bm25"):
                run_queries(engine, dict(list(queries.items())[:20]), mode, data.qrels)  # warm-up
                out["search"][f"{name} {mode}"] = run_queries(engine, queries, mode, data.qrels)
        out["postgres ts_rank_cd (not used; for comparison)"] = ts_rank_ndcg(pg, engines["postgres"].index, queries, data.qrels)
        print(json.dumps(out, indent=2))
        print(f"\n{'store / mode':<22}{'p50 ms':>9}{'p99 ms':>9}{'nDCG@10':>9}")
        for key, row in out["search"].items():
            print(f"{key:<22}{row['p50_ms']:>9}{row['p99_ms']:>9}{row['ndcg@10']:>9}")
        fts = out["postgres ts_rank_cd (not used; for comparison)"]
        print(f"{'postgres ts_rank_cd':<22}{fts['p50_ms']:>9}{'':>9}{fts['ndcg@10']:>9}   (full-text ranking, not used)")
        print(f"build (vectors reused): faiss {disk_s:.1f} s, postgres {pg_s:.1f} s")
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "pg_scifact.json").write_text(json.dumps(out, indent=2) + "\n")
        pg.close()
    finally:
        if server is not None:
            server.stop("immediate")


if __name__ == "__main__":
    main()
