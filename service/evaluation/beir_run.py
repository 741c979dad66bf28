"""`briefqa eval --beir`: index a BEIR dataset (cached), run every mode, score, sweep fusion on train."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.evaluation import sweep
from service.evaluation.beir import BeirData, BeirIndexSettings, build_beir_index, load_beir
from service.models.embedding import Embedder
from service.evaluation.testset import recall_curve, score_run
from service.stores.manifest import check_model
from service.pipeline import RetrievalSettings
from service.pipeline.build import Progress
from service.models.reranker import Reranker
from service.evaluation.report import published_references
from service.answering.extractive import AnswerSettings
from service.pipeline import Engine
from service.stores.disk import DiskStore
from service.stores.memory import LoadedIndex

DOCS_PER_QUERY = 100


@dataclass(frozen=True)
class BeirJob:
    folder: Path
    index_base: Path
    model: str
    index: BeirIndexSettings
    retrieval: RetrievalSettings
    fingerprint: str | None = None


def open_index(job: BeirJob, data: BeirData, embedder: Callable[[], Embedder],
               progress: Progress | None = None) -> tuple[LoadedIndex, dict[str, Any]]:
    t0 = time.perf_counter()
    folder, report = build_beir_index(data, job.index_base, job.model, job.index, embedder,
                                      job.fingerprint, progress)
    index = DiskStore(folder).open()
    info = {"folder": str(folder), "version": report.version, "cached": report.up_to_date,
            "chunks": report.chunks, "embedded": report.embedded,
            "build_seconds": round(time.perf_counter() - t0, 1)}
    return index, info


def evaluate_split(job: BeirJob, split: str, modes: Sequence[str], embedder: Embedder,
                   reranker: Reranker | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Every mode on one split: metrics, recall@1..100 curves, timings."""
    t0 = time.perf_counter()
    data = load_beir(job.folder, split)
    index, info = open_index(job, data, lambda: embedder, progress)
    check_model(index.manifest, embedder.model_id, embedder.fingerprint(), embedder.dimension)
    t1 = time.perf_counter()
    engine = Engine(index, embedder, job.retrieval, AnswerSettings(), reranker)
    rankings = sweep.gather(engine, data.queries)
    info["retrieve_seconds"] = round(time.perf_counter() - t1, 1)
    modes_out, curves, query_seconds = {}, {}, {}
    for mode in modes:
        t1 = time.perf_counter()
        ranking = sweep.document_run(engine, rankings, sweep.for_mode(mode, job.retrieval), data.queries,
                                     DOCS_PER_QUERY)
        query_seconds[mode] = round(time.perf_counter() - t1, 1)
        modes_out[mode] = score_run(ranking, data.qrels)
        curves[mode] = recall_curve(ranking, data.qrels, DOCS_PER_QUERY)
    return {"name": data.name, "split": split, "queries": len(data.qrels), "documents": len(data.corpus),
            "index": {**info, "settings": job.index.key()}, "retrieval": job.retrieval.__dict__,
            "reranker": reranker is not None, "modes": modes_out, "curves": curves,
            "query_seconds": query_seconds, "seconds": round(time.perf_counter() - t0, 1),
            "references": published_references(job.folder / "SOURCE.md")}


def fusion_sweep(job: BeirJob, embedder: Embedder, split: str = "train",
                 progress: Progress | None = None) -> dict[str, Any]:
    """Score every fusion setting of sweep.grid() on `split` (meant for train only)."""
    t0 = time.perf_counter()
    data = load_beir(job.folder, split)
    index, _ = open_index(job, data, lambda: embedder, progress)
    engine = Engine(index, embedder, job.retrieval, AnswerSettings())
    rows = sweep.evaluate_settings(engine, sweep.gather(engine, data.queries), data.qrels, sweep.grid())
    note = (f"Index as for test (chunks {job.index.chunking.size}/{job.index.chunking.overlap}, title "
            f"{job.index.title}); each retriever's top {job.retrieval.candidates} passages fused, then pooled to "
            "documents. Settings ranked by nDCG@10 on train; test was not looked at.")
    return {"name": data.name, "split": split, "queries": len(data.qrels), "rows": rows, "note": note,
            "best": sweep.best(rows), "index": job.index.key(), "candidates": job.retrieval.candidates,
            "seconds": round(time.perf_counter() - t0, 1)}
