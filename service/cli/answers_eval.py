"""What `briefqa eval --answers [CORPUS ...] [--lists] [--data DIR]` does (an edge: reads Settings)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from service.app.runtime import answer_settings, build_embedder, load_engine, retrieval_settings
from service.app.settings import Settings
from service.cli.output import emit_json
from service.core.errors import BriefqaError
from service.evaluation.answer_run import AnswerJob, run_answers, run_lists
from service.evaluation.answer_sets import ANSWER_SETS

ANSWER_COLUMNS = ("abstain_recall", "wrong_abstain", "abstain_precision", "answer_hit", "answered_hit", "short_exact", "bad_sentences")
LIST_COLUMNS = ("item_recall", "complete_lists", "citation_errors")


def job_of(args: argparse.Namespace, settings: Settings) -> AnswerJob:
    data = Path(args.data)
    if not (data / "corpora").is_dir():
        raise BriefqaError(f"{data} has no corpora/ folder; pass --data with the folder of the answer sets (tests/data)")
    return AnswerJob(data, settings.corpus_dir, settings.index_dir / "answers", settings.model,
                     retrieval_settings(settings), answer_settings(settings))


def print_table(title: str, figures: dict[str, Any], columns: tuple[str, ...]) -> None:
    print(title)
    print(f"{'corpus':<22}{'split':<9}{'n':>5}" + "".join(f"{c:>19}" for c in columns))
    for corpus, row in figures.items():
        for split in ("dev", "heldout"):
            r = row[split]
            cells = "".join(f"{'-' if r[c] is None else r[c]:>19}" for c in columns)
            print(f"{corpus:<22}{split:<9}{r['questions']:>5}{cells}")


def evaluate_answer_sets(args: argparse.Namespace, settings: Settings) -> int:
    job = job_of(args, settings)
    embedder = build_embedder(settings)  # the answer sets' corpora are built and asked as `briefqa index` would
    project = lambda: load_engine(settings)  # noqa: E731  the brief is the served corpus, with its own encoder
    out: dict[str, Any] = {}
    if args.answers is not None:
        out["answers"] = run_answers(job, args.answers or list(ANSWER_SETS), embedder, project)
    if args.lists:
        out["lists"] = run_lists(job, embedder, project)
    if args.json:
        emit_json(out)
        return 0
    if "answers" in out:
        print_table("answers (abstain_recall: unanswerable that abstain; wrong_abstain: answerable that do; "
                    "answer_hit: first sentence holds the evidence, of those whose evidence is in the top 5; "
                    "answered_hit: the same, of those that did not abstain)",
                    out["answers"], ANSWER_COLUMNS)
    if "lists" in out:
        print_table("lists (item_recall: share of expected items in the answer; complete_lists: all of them)",
                    out["lists"], LIST_COLUMNS)
    return 0
