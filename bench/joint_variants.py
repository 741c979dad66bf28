"""Choosing how the joint reader joins the answerer, on the dev splits only.

    .venv/bin/python bench/joint_variants.py [--index-root DIR] [--report NAME]

Builds (or reuses, under --index-root) the three answer-set corpora, then answers every dev question with
each variant of the answer settings: how many of the best candidates the joint reader re-reads
(`joint_candidates`) and the floor under which it abstains (`joint_floor`). Prints, per variant and
corpus, dev abstain recall / wrong abstain / first sentence holds the evidence, and the mean of the
three corpora's `first sentence` minus wrong abstain, the figure a variant is chosen by. Held-out is
printed only for the variant named by --report (the chosen one), never for choosing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tempfile
from dataclasses import replace
from pathlib import Path

from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import ANSWER_SETS, load_answer_set
from service.evaluation.answers import score

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {"evidence (shipped)": {}} | {
    f"joint {n}, blend {b}, floor {f}": {"joint_candidates": n, "joint_blend": b, "joint_floor": f}
    for n in (3, 5, 8) for b in (0.25, 0.5, 0.75, 1.0) for f in (0.0, 0.05)}


def run(engine, questions, settings) -> dict:
    """The split's figures, and `ms`: the median milliseconds of a whole `ask` (retrieval and answer)."""
    engine.answer_settings = settings
    docs = {d.doc_id: d for d in engine.index.document_list()}
    answers, ms = [], []
    for q in questions:
        t = time.perf_counter()
        answers.append(engine.ask(q.question, 5, "hybrid"))
        ms.append(1000 * (time.perf_counter() - t))
    return score(questions, answers, docs) | {"ms": round(statistics.median(ms), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-root", type=Path)
    ap.add_argument("--only", nargs="+", help="run only these variants")
    ap.add_argument("--report", help="also print held-out for this variant (the one chosen on dev)")
    args = ap.parse_args()
    settings = Settings()
    base = answer_settings(settings)
    with tempfile.TemporaryDirectory() as tmp:
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", args.index_root or Path(tmp), settings.model,
                        retrieval_settings(settings), base)
        embedder = build_embedder(settings)
        engines = {c: corpus_engine(job, c, embedder) for c in ANSWER_SETS}
        sets = {c: load_answer_set(job.data_dir / ANSWER_SETS[c]) for c in ANSWER_SETS}
        table = {}
        for name, knobs in VARIANTS.items():
            if args.only and name not in args.only and name != args.report:
                continue
            row = {}
            for corpus, engine in engines.items():
                dev = [q for q in sets[corpus] if q.split == "dev"]
                row[corpus] = run(engine, dev, replace(base, **knobs))
            table[name] = row
            chosen_by = sum(r["answer_hit"] - r["wrong_abstain"] for r in row.values()) / len(row)
            cells = "  ".join(f"{c}: {r['abstain_recall']:.2f}/{r['wrong_abstain']:.2f}/{r['answer_hit']:.2f}"
                              for c, r in row.items())
            ms = "/".join(f"{r['ms']:.1f}" for r in row.values())
            print(f"{name:<24} dev {cells}  | first - wrong {chosen_by:.3f} | ask p50 ms {ms}", flush=True)
        if args.report:
            knobs = VARIANTS[args.report]
            for corpus, engine in engines.items():
                held = [q for q in sets[corpus] if q.split == "heldout"]
                r = run(engine, held, replace(base, **knobs))
                print(f"{args.report} held-out {corpus}: abstain recall {r['abstain_recall']:.3f}, wrong abstain "
                      f"{r['wrong_abstain']:.3f}, first sentence {r['answer_hit']:.3f}")
                table[args.report][corpus + " heldout"] = r
    (ROOT / "bench" / "results" / "joint_variants.json").write_text(json.dumps(table, indent=1, default=str))


if __name__ == "__main__":
    main()
