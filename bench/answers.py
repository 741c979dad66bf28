"""Answer-level figures of issue 14, per corpus and split, and the retrieval guard, in one run.

Builds an index of each corpus (the brief from corpus/, the two Debian corpora from
tests/data/corpora/) under --index-root (default: a temporary folder), then prints, per corpus and
split: unanswerable questions that abstain, answerable ones that wrongly abstain, the first answer
sentence holding the evidence (of the questions whose evidence is in the top 5 passages), short-answer
exact match, answer sentences that are headings/title lines/URLs/fragments, short answers breaking the
citation contract; the same figures for the previous answerer (one threshold) on the same indexes;
the project set's retrieval figures (hit@5, MRR@10, hybrid) beside the foundation's; and both answerers
on SQuAD 2.0's articles (service/evaluation/squad_answers.py: test = the last four, never tuned on).

    .venv/bin/python bench/answers.py [--index-root DIR] [--squad PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from service.answering.answerable import decide
from service.answering.extractive import compose, pool_sentences
from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.cli.answers_eval import ANSWER_COLUMNS, print_table
from service.cli.eval import FOUNDATION
from service.core.records import Answer
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import ANSWER_SETS, load_answer_set
from service.evaluation.answers import by_split, score
from service.evaluation.reader_data import load_squad, squad_readings
from service.evaluation import squad_answers
from service.evaluation.testset import DEFAULT_TESTSET, evaluate_mode, load_testset
from service.models.entities import spacy_entities
from service.models.reader import load_reader
from service.pipeline import Engine

ROOT = Path(__file__).resolve().parents[1]
SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad2" / "squad2-dev-half.json"


def previous_answer(engine: Engine, question: str, top_k: int = 5) -> Answer:
    """The answerer before issue 14: the best sentences by similarity, one abstention threshold."""
    rows, hits, q_vec = engine._search(question, top_k, "hybrid", None)
    per_chunk, found, vectors = engine.index.sentences_of(rows)
    pool = pool_sentences(list(range(len(rows))), per_chunk, found)
    sentences, confidence = compose(question, q_vec, pool, vectors, engine.answer_settings)
    return Answer(question, sentences, tuple(hits), not sentences, confidence)


def figures(engine: Engine, questions: list, ask) -> dict[str, dict]:
    return by_split(engine, questions, score, ask)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-root", type=Path, help="where to build the indexes (default: a temporary folder)")
    ap.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD 2.0 (the labelled half of its dev set)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.index_root or Path(tmp)
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", root, settings.model,
                        retrieval_settings(settings), answer_settings(settings))
        embedder = build_embedder(settings)  # the product's encoder (int8 by default)
        now, reader, before, guard = {}, {}, {}, {}  # guard: the retrieval and latency checks
        for corpus in ANSWER_SETS:
            engine = corpus_engine(job, corpus, embedder)
            questions = load_answer_set(job.data_dir / ANSWER_SETS[corpus])
            now[corpus] = figures(engine, questions, lambda q: engine.ask(q, 5, "hybrid"))
            reader[corpus] = figures(engine, questions, lambda q: engine.ask(q, 5, "hybrid", model=load_reader()))
            before[corpus] = figures(engine, questions, lambda q: previous_answer(engine, q))
            if corpus == "brief":
                project = load_testset(DEFAULT_TESTSET)
                guard["answer_step_ms"] = answer_step_ms(engine, [q.question for q in questions + project])
                guard |= {"now": evaluate_mode(engine, project, "hybrid"), "foundation": FOUNDATION,
                         "project_abstention_now": _project_abstention(engine, project, engine.ask),
                         "project_abstention_before": _project_abstention(engine, project,
                                                                          lambda q, k, m: previous_answer(engine, q))}
    squad = squad_figures(args.squad, embedder, answer_settings(settings))
    if args.json:
        print(json.dumps({"answers": now, "trained_reader": reader, "previous_answerer": before, "retrieval_guard": guard,
                          "squad": squad}, indent=1))
        return
    print_table("== this answerer (shipped default: evidence features, linear)", now, ANSWER_COLUMNS)
    print_table("== trained reader (BRIEFQA_READER=true), same indexes", reader, ANSWER_COLUMNS)
    print_table("== previous answerer (one threshold), same indexes", before, ANSWER_COLUMNS)
    g = guard["now"]
    print(f"== retrieval guard, project set (hybrid): hit@5 {g['hit@5']} (foundation {FOUNDATION['hit@5']}), "
          f"MRR@10 {g['mrr@10']} (foundation {FOUNDATION['mrr@10']})")
    print(f"   project set abstention (unanswerable that abstain / answerable that do): now "
          f"{guard['project_abstention_now']}, before {guard['project_abstention_before']}")
    print("== SQuAD 2.0 (each question's paragraph as its passage; test = the last four articles)")
    for name, per_split in squad.items():
        for split, f in per_split.items():
            print(f"   {name:9s} {split:10s} " + "  ".join(f"{k} {v}" for k, v in f.items()))
    t = guard["answer_step_ms"]
    print(f"== answer step on the brief (same retrieved passages, {t['questions']} questions), p50 / p90 ms: "
          f"this answerer {t['now_p50']} / {t['now_p90']}, previous {t['before_p50']} / {t['before_p90']}")


def squad_figures(path: Path, embedder, settings) -> dict[str, dict]:
    """The shipped answerer and the previous one on SQuAD 2.0's questions."""
    readings, vectors, corpus = squad_readings(load_squad(path), embedder, spacy_entities)
    return {"shipped": squad_answers.figures(readings, squad_answers.shipped(vectors, corpus, settings)),
            "previous": squad_answers.figures(readings, squad_answers.previous(vectors, settings))}


def answer_step_ms(engine: Engine, questions: list[str], rounds: int = 3) -> dict[str, float]:
    """The answer step alone, this answerer (decide) against the previous one (compose), on the same
    reading of each question; the corpus statistics are loaded first, as a server does at start."""
    engine.corpus_terms.idf("x")
    readings = [(q, engine.reading(q, 5, "hybrid")) for q in questions]
    now, before = [], []
    for _ in range(rounds):
        for q, r in readings:
            t0 = time.perf_counter()
            decide(q, r.q_vec, r.pool, r.vectors, r.views, engine.corpus_terms, engine.answer_settings)
            t1 = time.perf_counter()
            compose(q, r.q_vec, r.pool, r.vectors, engine.answer_settings)
            t2 = time.perf_counter()
            now.append((t1 - t0) * 1000)
            before.append((t2 - t1) * 1000)
    pct = lambda xs, p: round(float(np.percentile(xs, p)), 3)
    return {"questions": len(questions), "now_p50": pct(now, 50), "now_p90": pct(now, 90),
            "before_p50": pct(before, 50), "before_p90": pct(before, 90)}


def _project_abstention(engine: Engine, questions: list, ask) -> str:
    un = [q for q in questions if not q.answerable]
    an = [q for q in questions if q.answerable]
    right = sum(ask(q.question, 5, "hybrid").abstained for q in un)
    wrong = sum(ask(q.question, 5, "hybrid").abstained for q in an)
    return f"{right}/{len(un)}, {wrong}/{len(an)}"


if __name__ == "__main__":
    main()
