"""What each CLI command does, given parsed arguments and settings."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace

from service.core.checkpoints import pause_at
from service.cli.output import emit_json, progress
from service.pipeline import BuildReport, build_index
from service.app.runtime import build_embedder, build_fingerprint, build_settings, load_engine
from service.app.settings import Settings
from service.core.modes import MODES
from service.core.records import Answer


def index(args: argparse.Namespace, settings: Settings) -> int:
    build = replace(build_settings(settings), checkpoint=pause_at(settings.test_pause_at))
    report = build_index(build, lambda: build_embedder(settings),
                         fingerprint=build_fingerprint(settings), force=args.force,
                         progress=progress(args.quiet or args.json))
    for message in report.skipped:  # the rest of the corpus was indexed; name what was left out
        print(f"briefqa: warning: skipped {message}", file=sys.stderr)
    if args.json:
        emit_json(report.__dict__)
    elif not args.quiet:
        print(summary(report))
    return 0


def summary(r: BuildReport) -> str:
    skipped = f"; skipped {len(r.skipped)} unreadable file(s)" if r.skipped else ""
    if r.up_to_date:
        return f"index is up to date: version {r.version} ({r.documents} documents, {r.chunks} passages){skipped}; nothing to do"
    extra = skipped + (f"; removed {r.cleaned} unfinished build(s)" if r.cleaned else "")
    extra += f"; pruned {len(r.pruned)} old build(s)" if r.pruned else ""
    extra += {"exported": "; exported the model to ONNX for fast queries",
              "torch": "; queries will use torch (no verified ONNX export)"}.get(r.fast_path, "")
    return (f"indexed {r.documents} document(s): {r.chunks} passages, {r.sentences} sentences; "
            f"embedded {r.embedded}, reused {r.reused}, in {r.seconds:.1f}s -> version {r.version}{extra}")


def _page(page: int | None) -> str:
    return f" p. {page}" if page else ""


def print_answer(answer: Answer) -> None:
    """The short answer first (factoid questions), then the answer; an abstention names its reason."""
    if answer.short_answer is not None:
        print(f"{answer.short_answer.text} [{answer.short_answer.citation}]")
        print()
    if any(s.depth for s in answer.sentences):  # a list answer: one line per item, nested items indented
        for s in answer.sentences:
            lead = "  " * (s.depth - 1) + "- " if s.depth else ""
            print(lead + s.text + " " + "".join(f"[{n}]" for n in s.citations))
        if answer.list_note:
            print(f"(note: {answer.list_note})")
    else:
        print(answer.text)
    if answer.abstained and answer.abstention is not None:
        print(f"(reason: {answer.abstention.reason})")
    elif not answer.abstained:
        print(f"(confidence {answer.confidence:.2f})")


def ask(args: argparse.Namespace, settings: Settings) -> int:
    from service.http.schemas import AskRequest, ask_response

    req = AskRequest(question=args.text, top_k=args.top_k, mode=args.mode or settings.mode,
                     min_confidence=args.min_confidence)
    engine = load_engine(settings)
    answer = engine.ask(req.question, req.top_k, req.mode, min_confidence=req.min_confidence)
    if args.json:
        emit_json(ask_response(answer, engine.index).model_dump())
        return 0
    print_answer(answer)
    print()
    for n, hit in enumerate(answer.hits, start=1):
        c = hit.chunk
        print(f"[{n}] {c.doc_id}{_page(c.page)} · {c.section_label} · chars {c.start}-{c.end}")
        print("    " + " ".join(c.text.split())[:300])
    return 0


def search(args: argparse.Namespace, settings: Settings) -> int:
    from service.http.schemas import SearchRequest, SearchResponse, passages

    req = SearchRequest(query=args.text, top_k=args.top_k, mode=args.mode or settings.mode)
    engine = load_engine(settings)
    hits, _ = engine.search(req.query, req.top_k, req.mode)
    if args.json:
        emit_json(SearchResponse(query=req.query, results=passages(hits, engine.index),
                                 index_version=engine.version).model_dump())
        return 0
    for n, hit in enumerate(hits, start=1):
        c = hit.chunk
        print(f"{n:>3}. {hit.score:.3f}  {c.doc_id}{_page(c.page)} · {c.section_label} · {c.start}-{c.end}")
        print("     " + " ".join(c.text.split())[:200])
    return 0


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    if args.conversations:
        from service.cli.conversations import evaluate as evaluate_conversations

        return evaluate_conversations(args, settings)
    if args.beir or args.report:
        from service.cli.eval import evaluate_beir

        return evaluate_beir(args, settings)
    if args.answers is not None or args.lists:
        from service.cli.answers_eval import evaluate_answer_sets

        return evaluate_answer_sets(args, settings)
    from service.evaluation.testset import DEFAULT_TESTSET, evaluate as run_eval, load_testset

    questions = load_testset(Path(args.testset) if args.testset else DEFAULT_TESTSET)
    engine = load_engine(settings)
    results = run_eval(engine, questions, tuple(args.mode or MODES))
    if args.json:
        emit_json({"testset": len(questions), "index_version": engine.version, "modes": results})
        return 0
    names = ["hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10", "abstain_precision", "abstain_recall"]
    print(f"{len(questions)} questions ({sum(q.answerable for q in questions)} answerable), index {engine.version}")
    print(f"{'mode':<8}" + "".join(f"{n:>19}" for n in names))
    for mode, row in results.items():
        print(f"{mode:<8}" + "".join(f"{row[n]:>19.4f}" for n in names))
        if row["abstain_errors"]:
            print(f"{'':<8}abstention wrong on: {', '.join(row['abstain_errors'])}")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.http.app import create_app
    from service.stores.disk.files import current_version

    # A replica on the PostgreSQL store never indexes: it serves once `briefqa index` has published.
    if settings.store is None and current_version(settings.index_dir) is None:
        print(f"no index in {settings.index_dir}; building it from {settings.corpus_dir} first", file=sys.stderr)
        index(argparse.Namespace(force=False, quiet=False, json=False), settings)
    # The process's logging is set here, at the edge, before the app is made: a plain root handler for
    # libraries' warnings (so the MCP library's basicConfig, which would install a Rich handler at INFO on
    # the root, does nothing), and briefqa's JSON lines written once, by its own handler, not again by the root's.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("briefqa").propagate = False
    # access_log off: the app writes one JSON line per request itself (service/http/logs.py)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", access_log=False)
    return 0


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the PostgreSQL store's schema up to date (`briefqa index` does this too)."""
    if settings.store is None:
        print("briefqa: error: migrate needs BRIEFQA_STORE=postgresql://...; the disk store has no schema",
              file=sys.stderr)
        return 1
    from service.stores.pg.db import Database
    from service.stores.pg.schema import LATEST, migrate as apply

    db = Database(settings.store.get_secret_value())
    with db.direct(autocommit=True) as conn:
        done = apply(conn)
    print(f"{db.where}: applied {', '.join(done)}" if done else f"{db.where}: schema {LATEST} is up to date")
    return 0


def mcp(args: argparse.Namespace, settings: Settings) -> int:
    from service.cli.stdio import run_mcp

    return run_mcp(args, settings)


def documents(args: argparse.Namespace, settings: Settings) -> int:
    from service.cli.documents import documents as run_documents

    return run_documents(args, settings)


COMMANDS = {"index": index, "ask": ask, "search": search, "eval": evaluate, "serve": serve, "migrate": migrate,
            "mcp": mcp, "documents": documents}


def run(args: argparse.Namespace, settings: Settings) -> int:
    return COMMANDS[args.command](args, settings)
