"""Fit the answer confidence on the dev splits and show how well it is calibrated (issue 22, part 4).

Builds each corpus's index (the brief from corpus/, the Debian corpora from tests/data/corpora/) with
the shipped defaults, asks every question of the answer sets, the list set and the table set's factoid ones with the raw score as
confidence, fits one Platt map per answerer (evidence, reader) and kind of answer (sentence, list) on
the **dev** outcomes only, and writes:

- service/answering/data/confidence.json (what the service loads),
- docs/confidence-reliability.png (the reliability diagram: dev and held-out, shipped answerer),
- bench/results/confidence.json (ECE and reliability tables, dev and held-out, both answerers).

Dev figures are out-of-fold (5 folds: each outcome's confidence from maps fitted on the other four);
held-out figures use the shipped maps, fitted on all of dev.

    .venv/bin/python bench/fit_confidence.py [--index-root DIR] [--check]

--check fits and prints without writing anything.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from service.answering.answerable import answerer_name, configured_model
from service.answering.model import load_model
from service.answering.confidence import DEFAULT_CALIBRATION, UNCALIBRATED, Calibration
from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import ANSWER_SETS, LIST_SET, load_answer_set, load_list_set
from service.evaluation.confidence_fit import Outcome, fit, outcomes, report
from service.models.reader import load_reader

ROOT = Path(__file__).resolve().parents[1]
PLOT = ROOT / "docs" / "confidence-reliability.png"
RESULTS = ROOT / "bench" / "results" / "confidence.json"
TABLE_SET = "tables.jsonl"


def collect(job: AnswerJob, embedder, models: dict) -> dict[str, list[Outcome]]:
    """answerer name -> outcomes over every set and split."""
    got: dict[str, list[Outcome]] = {n: [] for n in models}
    lists = load_list_set(job.data_dir / LIST_SET)
    for corpus in ANSWER_SETS:
        engine = corpus_engine(job, corpus, embedder)
        questions = load_answer_set(job.data_dir / ANSWER_SETS[corpus]) + [q for q in lists if q.corpus == corpus]
        for name, model in models.items():
            got[name] += outcomes(questions, lambda q: engine.ask(q, 5, "hybrid", model=model, calibration=UNCALIBRATED))
    engine = corpus_engine(job, "tables", embedder)  # table questions: factoid ones (a row holds the answer)
    tables = [q for q in load_answer_set(job.data_dir / TABLE_SET) if q.kind == "factoid"]
    for name, model in models.items():
        got[name] += outcomes(tables, lambda q: engine.ask(q, 5, "hybrid", model=model, calibration=UNCALIBRATED))
    return got


def plot(figures: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 5.2), dpi=110)
    ax.plot([0, 1], [0, 1], color="#999", lw=1, ls="--", label="perfect calibration")
    for split, colour in (("dev", "#1f77b4"), ("heldout", "#d62728")):
        f = figures[split]
        xs = [t["mean_confidence"] for t in f.get("table", [])]
        ys = [t["right"] for t in f.get("table", [])]
        ns = [t["n"] for t in f.get("table", [])]
        ax.plot(xs, ys, marker="o", color=colour, label=f"{split}: ECE {f.get('ece')} ({f.get('answers')} answers)")
        for x, y, n in zip(xs, ys, ns):
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7, color=colour)
    ax.set_xlabel("confidence (calibrated on dev)")
    ax.set_ylabel("share of answers that are right")
    ax.set_title("briefqa answer confidence, shipped answerer")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-root", type=Path)
    ap.add_argument("--check", action="store_true", help="fit and print, write nothing")
    args = ap.parse_args()
    settings = Settings()
    shipped = answerer_name(configured_model(answer_settings(settings)))
    models = {"evidence": load_model(), "reader": load_reader()}
    with tempfile.TemporaryDirectory() as tmp:
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", args.index_root or Path(tmp), settings.model,
                        retrieval_settings(settings), answer_settings(settings))
        got = collect(job, build_embedder(settings), models)
    maps, figures = {}, {}
    for name, rows in got.items():
        maps[name] = fit([o for o in rows if o.split == "dev"])
        figures[name] = {split: report([o for o in rows if o.split == split], maps[name], cross_fit=split == "dev")
                         for split in ("dev", "heldout")}
        for split, f in figures[name].items():
            print(f"{name:8s} {split:8s} answers {f['answers']:3d}  right {f.get('right')}  "
                  f"ECE {f.get('ece')} (raw score {f.get('ece_raw')})")
        print(f"         maps: " + ", ".join(f"{k}: a={m.a:.3f} b={m.b:.3f}" for k, m in maps[name].items()))
    if args.check:
        return
    calibration = Calibration(maps, "dev splits of tests/data/{brief-answers,debian-policy,developers-reference,lists,tables}.jsonl "
                                    "(bench/fit_confidence.py)")
    DEFAULT_CALIBRATION.write_text(json.dumps(calibration.to_json(), indent=1) + "\n", encoding="utf-8")
    RESULTS.write_text(json.dumps({"shipped": shipped, "figures": figures}, indent=1) + "\n", encoding="utf-8")
    plot(figures[shipped], PLOT)
    print(f"wrote {DEFAULT_CALIBRATION.relative_to(ROOT)}, {RESULTS.relative_to(ROOT)}, {PLOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
