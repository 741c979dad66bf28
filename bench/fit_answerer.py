"""Fit the answerer's sentence and answerability models on the dev splits, and write them to
service/answering/data/answerer.json (the shipped model). Held-out questions are never read.

With --squad, the sentence model also learns from SQuAD 2.0's training articles (not its validation
or test articles: service/evaluation/reader_data.py), which together weigh as much as the dev questions.

Dev data: the `dev` rows of tests/data/{brief-answers,debian-policy,developers-reference}.jsonl and
the project's retrieval test set (service/evaluation/data/questions.jsonl, which has no held-out rows
and is not used to report answer figures). Indexes are built as bench/answers.py builds them.

    .venv/bin/python bench/fit_answerer.py [--index-root DIR] [--wrong-abstain 0.02] [--squad PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from service.answering.model import DEFAULT_MODEL
from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.evaluation.answer_fit import examples, fit
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import ANSWER_SETS, load_answer_set
from service.evaluation.reader_data import load_squad, split_of, squad_groups
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.models.entities import spacy_entities

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-root", type=Path, help="where to build the indexes (default: a temporary folder)")
    ap.add_argument("--wrong-abstain", type=float, default=0.02,
                    help="share of the dev answerable questions the model (after the rules) may abstain on")
    ap.add_argument("--squad", type=Path, help="SQuAD 2.0 JSON: its training articles also teach the sentence model")
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = ap.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", args.index_root or Path(tmp), settings.model,
                        retrieval_settings(settings), answer_settings(settings))
        embedder = build_embedder(settings)  # the product's encoder (int8 by default)
        dev = []
        for corpus, name in ANSWER_SETS.items():
            engine = corpus_engine(job, corpus, embedder)
            rows = [(q.question, q.answerable, q.evidence) for q in load_answer_set(job.data_dir / name)
                    if q.split == "dev"]
            if corpus == "brief":
                rows += [(q.question, q.answerable, q.evidence) for q in load_testset(DEFAULT_TESTSET)]
            found = examples(engine, rows)
            dev += found
            print(f"{corpus}: {len(found)} dev questions, {sum(e.gated for e in found)} stopped by the rules "
                  f"({sum(e.gated and e.answerable for e in found)} of them answerable)")
    sets = ", ".join(f"{n} (dev)" for n in ANSWER_SETS.values())
    extra, fitted_on = [], f"{sets}, {DEFAULT_TESTSET.name}"
    if args.squad:
        groups = squad_groups(load_squad(args.squad), embedder, spacy_entities, answer_settings(settings))
        extra = [(np.array([e.row() for e in g.evidence]), g.labels) for g in groups if g.answerable
                 and split_of(g.source.split(":", 1)[1]) == "train"]
        fitted_on += f"; sentence model also on {len(extra)} SQuAD 2.0 training-article questions"
        print(f"SQuAD: {len(extra)} answerable training-article questions for the sentence model")
    model = fit(dev, args.wrong_abstain, fitted_on, extra)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"threshold {model.threshold:.4f}; wrote {args.out}")


if __name__ == "__main__":
    main()
