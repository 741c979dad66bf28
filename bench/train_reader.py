"""Train the reader (service/models/reader.py) and write it to service/models/data/reader/: the
sentence head as int8 ONNX (verified against its fp32 export), the question head and threshold in
reader.json, and the figures of the model card. Held-out questions are never read.

Data: SQuAD 2.0 (../shared/benchmarks/squad2/squad2-dev-half.json; test = the last four articles,
validation = Packet_switching and Immune_system, train = the other ten) and the `dev` rows of the
project's answer sets and test set, read through indexes built as bench/answers.py builds them.
The question head and threshold are fitted on out-of-fold sentence scores (3 folds of the dev data).

    .venv/bin/python bench/train_reader.py [--squad PATH] [--index-root DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from service.answering.reader_input import QUESTION_COLUMNS, READER_COLUMNS
from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import ANSWER_SETS, load_answer_set
from service.evaluation.reader_data import engine_groups, load_squad, split_of, squad_groups
from service.evaluation.reader_fit import (HeadSettings, abstain_figures, calibration, cosine_scores, fit_head,
                                           fit_question_head, head_scores, probabilities, top1)
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.models.entities import spacy_entities
from service.models.reader import HEAD_FILE, READER_DIR, sha256

ROOT = Path(__file__).resolve().parents[1]
SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad2" / "squad2-dev-half.json"
WRONG_ABSTAIN = 0.03  # the dev budget of answerable questions the threshold may refuse (after the rules)


def export(net, folder: Path, sample: np.ndarray) -> dict:
    """fp32 ONNX, then int8 (dynamic), shipped when it ranks the sample like fp32 (Spearman >= 0.99),
    else the fp32 export is shipped and the rejected int8 figures are recorded."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with torch.no_grad():
        t = net(torch.tensor(sample)).squeeze(1).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        torch.onnx.export(net, (torch.tensor(sample[:2]),), str(fp32), input_names=["rows"], output_names=["score"],
                          dynamic_axes={"rows": {0: "n"}, "score": {0: "n"}}, opset_version=17, dynamo=False)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        a = ort.InferenceSession(str(fp32)).run(None, {"rows": sample})[0][:, 0]
        b = ort.InferenceSession(str(int8)).run(None, {"rows": sample})[0][:, 0]
        rank = lambda x: np.argsort(np.argsort(x))
        check = {"max_abs_diff_int8_fp32": round(float(np.abs(a - b).max()), 4),
                 "max_abs_diff_fp32_torch": round(float(np.abs(a - t).max()), 6),
                 "spearman_int8_fp32": round(float(np.corrcoef(rank(a), rank(b))[0, 1]), 4)}
        check["shipped"] = "int8" if check["spearman_int8_fp32"] >= 0.99 else "fp32"
        (folder / HEAD_FILE).write_bytes((int8 if check["shipped"] == "int8" else fp32).read_bytes())
    return check


SAMPLE = ROOT / "tests" / "data" / "reader_sample.npz"


def write_sample(reader_dir: Path, groups: list, path: Path = SAMPLE, size: int = 120) -> float:
    """A fixed sample of validation questions (their reader rows, labels and the shipped head's
    scores) for the test that the shipped reader reproduces its card; returns its first-sentence figure."""
    from service.models.reader import Reader

    reader, chosen = Reader(reader_dir), groups[:size]
    scores = [reader.sentence_scores(g.rows) for g in chosen]
    np.savez_compressed(path, rows=np.vstack([g.rows for g in chosen]),
                        group=np.concatenate([np.full(len(g.rows), i) for i, g in enumerate(chosen)]),
                        labels=np.concatenate([g.labels for g in chosen]), scores=np.concatenate(scores))
    return top1(chosen, scores)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--squad", type=Path, default=SQUAD)
    ap.add_argument("--index-root", type=Path)
    ap.add_argument("--out", type=Path, default=READER_DIR)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    started = time.time()
    settings = Settings()
    embedder = build_embedder(settings)
    squad = squad_groups(load_squad(args.squad), embedder, spacy_entities, answer_settings(settings))
    article = [g.source.split(":", 1)[1] for g in squad]
    train, val, test = ([g for g, a in zip(squad, article) if split_of(a) == s] for s in ("train", "validation", "test"))
    dev = []
    with tempfile.TemporaryDirectory() as tmp:
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", args.index_root or Path(tmp), settings.model,
                        retrieval_settings(settings), answer_settings(settings))
        for corpus, name in ANSWER_SETS.items():
            rows = [(q.question, q.answerable, q.evidence) for q in load_answer_set(job.data_dir / name) if q.split == "dev"]
            if corpus == "brief":
                rows += [(q.question, q.answerable, q.evidence) for q in load_testset(DEFAULT_TESTSET)]
            dev += engine_groups(corpus_engine(job, corpus, embedder), corpus, rows)
    hp = HeadSettings()
    fold = np.random.default_rng(hp.seed).integers(0, 3, len(dev))
    oof: list = [None] * len(dev)
    for k in range(3):  # out-of-fold scores: what the question head sees is what serving sees
        net = fit_head(train + [g for g, f in zip(dev, fold) if f != k], hp)
        idx = [i for i in range(len(dev)) if fold[i] == k]
        for i, s in zip(idx, head_scores(net, [dev[i] for i in idx])):
            oof[i] = s
    net_train = fit_head(train + dev, hp)
    val_scores = head_scores(net_train, val)
    qgroups, qscores = val + dev, val_scores + oof
    weights = np.r_[np.full(len(val), len(dev) / len(val)), np.ones(len(dev))]  # SQuAD and the project count alike
    head = fit_question_head(qgroups, qscores, weights)
    p_dev = probabilities(head, dev, oof)
    answerable = np.array([g.answerable for g in dev])
    open_ = ~np.array([g.gated for g in dev])
    allowed = int(np.floor(WRONG_ABSTAIN * answerable.sum()))
    passing = np.sort(p_dev[answerable & open_])
    threshold = float(passing[allowed] - 1e-6) if len(passing) > allowed else 0.0
    test_scores = head_scores(net_train, test)
    p_test, p_val = probabilities(head, test, test_scores), probabilities(head, val, val_scores)
    ece, table = calibration(p_dev, answerable)
    args.out.mkdir(parents=True, exist_ok=True)
    check = export(net_train, args.out, np.vstack([g.rows for g in val]).astype(np.float32))
    figures = {
        "squad_validation": {"first_sentence": top1(val, val_scores), "cosine_first_sentence": top1(val, cosine_scores(val)),
                             "no_answer_accuracy": abstain_figures(val, p_val, threshold)["accuracy"]},
        "squad_test": {"first_sentence": top1(test, test_scores), "cosine_first_sentence": top1(test, cosine_scores(test)),
                       **abstain_figures(test, p_test, threshold),
                       "no_answer_accuracy_best_threshold_reported_only": max(
                           abstain_figures(test, p_test, t)["accuracy"] for t in np.linspace(0, 1, 101))},
        "project_dev_out_of_fold": {"first_sentence": top1(dev, oof), "cosine_first_sentence": top1(dev, cosine_scores(dev)),
                                    **abstain_figures(dev, p_dev, threshold), "ece": ece},
    }
    card = {"sentence_columns": list(READER_COLUMNS), "question_columns": list(QUESTION_COLUMNS),
            "question_head": head.to_json(), "threshold": round(threshold, 6),
            "sentence_head_sha256": sha256(args.out / HEAD_FILE), "head_settings": hp.__dict__,
            "trained_on": {"squad_train_questions": len(train), "squad_validation_questions": len(val),
                           "project_dev_questions": len(dev)},
            "export_check": check, "sample_first_sentence": None, "figures": figures, "reliability_dev": table,
            "train_seconds": round(time.time() - started, 1)}
    (args.out / "reader.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    card["sample_first_sentence"] = write_sample(args.out, [g for g in val if g.answerable and g.labels.any()])
    (args.out / "reader.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: card[k] for k in ("threshold", "figures", "export_check", "train_seconds")}, indent=1))


if __name__ == "__main__":
    main()
