"""Calibrate the abstention threshold on the project's test set.

Prints each question's answer confidence (the best candidate sentence's score, see
service/answering/extractive.py) and, for every threshold between consecutive confidences, how many
answerable questions would wrongly abstain and how many unanswerable ones would rightly abstain.

    .venv/bin/python bench/abstention.py [--index-dir index] [--mode hybrid]
"""

from __future__ import annotations

import argparse
import dataclasses

from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.app.runtime import load_engine
from service.app.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=None)
    ap.add_argument("--mode", default="hybrid")
    args = ap.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    engine = load_engine(settings)
    # score every question with abstention off, to see the raw confidences
    engine.answer_settings = dataclasses.replace(engine.answer_settings, abstain_threshold=float("-inf"))
    rows = []
    for q in load_testset(DEFAULT_TESTSET):
        rows.append((engine.ask(q.question, 5, args.mode).confidence, q.answerable, q.qid, q.question))
    rows.sort()
    for conf, answerable, qid, text in rows:
        print(f"{conf:7.3f}  {'answerable  ' if answerable else 'UNANSWERABLE'}  {qid}  {text[:70]}")
    n_u = sum(not a for _, a, _, _ in rows)
    print(f"\n{'threshold':>9}  {'answerable abstaining':>21}  {'unanswerable abstaining':>23}  precision")
    for i in range(len(rows) + 1):
        t = rows[i][0] - 1e-3 if i < len(rows) else rows[-1][0] + 1e-3
        fp = sum(a for c, a, _, _ in rows if c < t)
        tp = sum(not a for c, a, _, _ in rows if c < t)
        if i and rows[i - 1][1] == (rows[i][1] if i < len(rows) else None):
            continue
        prec = tp / (tp + fp) if tp + fp else 1.0
        print(f"{t:9.3f}  {fp:>21}  {tp:>17} / {n_u:<3}  {prec:9.2f}")
    print(f"\nconfigured threshold: {settings.abstain_threshold} (BRIEFQA_ABSTAIN_THRESHOLD)")


if __name__ == "__main__":
    main()
