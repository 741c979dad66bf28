"""What `briefqa eval --beir DIR [--split] [--sweep] [--report OUT_DIR]` does (an edge: reads Settings)."""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from service.evaluation.beir import BeirIndexSettings
from service.evaluation.beir_run import BeirJob, evaluate_split, fusion_sweep
from service.retrieval.bm25 import Bm25Params
from service.ingest.chunking import ChunkSettings
from service.cli.output import emit_json, progress
from service.models.embedding import Embedder
from service.evaluation.testset import BEIR_METRICS
from service.core.modes import MODES
from service.models.reranker import CrossEncoderReranker
from service.app.runtime import build_embedder, build_fingerprint, retrieval_settings
from service.app.settings import Settings

KNOBS_FILE = "beir-knobs-train.json"  # written by bench/beir_knobs.py
FOUNDATION = {"hit@5": 0.971, "mrr@10": 0.931}  # the project's test set (hybrid) before this work


def beir_job(folder: Path, settings: Settings) -> BeirJob:
    """The product's own settings (chunking, BM25, fusion, candidates, encoder): what a user gets."""
    index = BeirIndexSettings(ChunkSettings(settings.chunk_size, settings.chunk_overlap), "section", Bm25Params())
    return BeirJob(folder, settings.index_dir, settings.model, index, retrieval_settings(settings),
                   build_fingerprint(settings))


def print_modes(r: dict[str, Any]) -> None:
    idx = r["index"]
    how = "cached" if idx["cached"] else f"built, {idx['embedded']} passages embedded"
    print(f"{r['name']} {r['split']}: {r['queries']} queries, {r['documents']} documents, "
          f"{idx['chunks']} passages; index {idx['folder']} ({how}, {idx['build_seconds']}s)")
    print(f"{'mode':<8}" + "".join(f"{n:>12}" for n in BEIR_METRICS) + f"{'seconds':>10}")
    for mode, row in r["modes"].items():
        print(f"{mode:<8}" + "".join(f"{row[n]:>12.4f}" for n in BEIR_METRICS) + f"{r['query_seconds'][mode]:>10}")
    print(f"total {r['seconds']}s")


def print_sweep(s: dict[str, Any]) -> None:
    print(f"fusion sweep on {s['name']} {s['split']} ({s['queries']} queries), nDCG@10 / recall@100:")
    for row in s["rows"]:
        print(f"  {row['label']:<24}{row['ndcg@10']:>8.4f}{row['recall@100']:>8.4f}")
    print(f"best: {s['best']['label']} ({s['best']['ndcg@10']:.4f})")


def _public(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if k != "curves"}


def run_beir(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> dict[str, Any]:
    job = beir_job(Path(args.beir), settings)
    reranker = CrossEncoderReranker(settings.reranker, settings.device) if settings.reranker else None
    quiet = args.json
    out: dict[str, Any] = {"beir": evaluate_split(job, args.split, tuple(args.mode or MODES), embedder,
                                                  reranker, None if quiet else _progress())}
    if args.sweep or args.report:
        out["sweep"] = fusion_sweep(job, embedder, "train", None if quiet else _progress())
    if args.report:  # the published setting: one passage per abstract, cut at the model's 256 tokens
        whole = replace(job, index=BeirIndexSettings(ChunkSettings(100000, 0), "inline", job.index.bm25))
        out["reproduction"] = evaluate_split(whole, args.split, ("dense", "bm25", "hybrid"), embedder,
                                             None, None if quiet else _progress())
    return out


def _progress():
    return progress(False)


def evaluate_beir(args: argparse.Namespace, settings: Settings) -> int:
    t0 = time.perf_counter()
    embedder = build_embedder(settings)  # the encoder `briefqa index` builds with, for passages and queries
    project = _project_engine(settings, embedder) if args.report else None  # before the long BEIR runs: no index, no wait
    figures = run_beir(args, settings, embedder) if args.beir else {}
    if project is not None:
        figures["project"] = _project(args, project, figures.get("sweep", {}).get("rows"))
        figures["seconds"] = round(time.perf_counter() - t0, 1)
        from service.evaluation.report import load_knobs, method_notes, write_report

        figures["knobs"] = load_knobs(Path(args.report) / KNOBS_FILE)
        path = write_report(Path(args.report), {**figures, "preamble": preamble(settings, figures),
                                                 "epilogue": method_notes(settings)})
        if not args.json:
            print(f"wrote {path}")
    if args.json:
        emit_json({k: (_public(v) if isinstance(v, dict) else v) for k, v in figures.items()})
        return 0
    if "beir" in figures:
        print_modes(figures["beir"])
    if "sweep" in figures:
        print_sweep(figures["sweep"])
    return 0


def _project_engine(settings: Settings, embedder: Embedder) -> Any:
    from service.app.runtime import load_engine

    return load_engine(settings, embedder)


def _project(args: argparse.Namespace, engine: Any, sweep_rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    from service.evaluation.testset import DEFAULT_TESTSET, evaluate, load_testset

    questions = load_testset(Path(args.testset) if args.testset else DEFAULT_TESTSET)
    out = {"testset": len(questions), "index_version": engine.version,
           "modes": evaluate(engine, questions, tuple(args.mode or MODES))}
    if sweep_rows:
        out["guard"] = guard(engine, questions, sweep_rows)
    return out


def guard(engine: Any, questions: list, rows: list[dict[str, Any]], top: int = 6) -> list[dict[str, Any]]:
    """The best train settings, each scored on the project's test set (hybrid): a fusion default
    must keep that set at or above the foundation's figures (FOUNDATION)."""
    from service.evaluation.testset import evaluate_mode
    from service.pipeline import Engine

    fused = sorted((r for r in rows if r["fusion"] in ("convex", "rrf")), key=lambda r: -float(r["ndcg@10"]))
    out = []
    for r in fused[:top]:
        s = replace(engine.settings, fusion=r["fusion"], normalization=r["normalization"] if r["normalization"] != "-"
                    else engine.settings.normalization, alpha=r["alpha"] if r["alpha"] is not None
                    else engine.settings.alpha, rrf_k=r["rrf_k"] or engine.settings.rrf_k)
        m = evaluate_mode(Engine(engine.index, engine.embedder, s, engine.answer_settings), questions, "hybrid")
        ok = all(m[k] >= v for k, v in FOUNDATION.items())
        out.append({"label": r["label"], "train_ndcg@10": r["ndcg@10"], **{k: m[k] for k in FOUNDATION}, "keeps": ok})
    return out


def preamble(settings: Settings, figures: dict[str, Any]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [f"Written by `briefqa eval --beir DIR --report OUT_DIR` on {stamp} ({platform.machine()}, "
            f"{_cores()} CPU cores); model `{settings.model}`; fusion `{settings.fusion}` "
            f"(normalisation {settings.normalization}, α={settings.alpha}, rrf k={settings.rrf_k}); "
            f"whole run {figures.get('seconds', '?')} s."]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))
