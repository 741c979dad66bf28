"""The fixed sample the shipped joint reader's test reads (tests/unit/models/test_joint_reader.py), and its
figures for the model card: 40 answerable SQuAD 2.0 VALIDATION questions (the first 40 in file order, CC BY-SA
4.0, Rajpurkar et al. 2018), each with its paragraph's sentences, the packaged bi-encoder's cosines and the
shipped int8 reader's logits.

    .venv/bin/python bench/joint_reader_sample.py     # writes tests/data/joint_reader_sample.json

Also prints the shipped reader's SQuAD VALIDATION and TEST top-1 with the int8 file (the card's figures).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from squad_sentences import ROOT, bi_vectors, cosine_scores, load_questions, top1  # noqa: E402

from service.models.joint_reader import load_joint_reader  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "joint_reader_sample.json"


def main() -> None:
    splits = load_questions()
    val, test = splits["validation"], splits["test"]
    vec = bi_vectors([t for qs in splits.values() for q in qs for t in (q.text, *q.sentences)], Path("/tmp/ce-work"))
    reader = load_joint_reader()
    figures = {}
    for name, qs in (("validation", val), ("test", test)):
        scores = [reader.scores(q.text, list(q.sentences), c) for q, c in zip(qs, cosine_scores(qs, vec))]
        figures[name] = round(top1(qs, scores), 4)
    sample = [q for q in val if q.answers][:40]
    rows = []
    for q, c in zip(sample, cosine_scores(sample, vec)):
        logits = reader.scores(q.text, list(q.sentences), c)
        rows.append({"question": q.text, "sentences": list(q.sentences), "cosines": [round(float(x), 6) for x in c],
                     "answers": sorted(q.answers), "logits": [round(float(x), 5) for x in logits]})
    hits = [int(np.argmax(r["logits"])) in r["answers"] for r in rows]
    SAMPLE.write_text(json.dumps({"source": "SQuAD 2.0 dev (labelled half), VALIDATION articles, CC BY-SA 4.0",
                                  "first_sentence": round(float(np.mean(hits)), 4), "questions": rows},
                                 indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"int8_top1": figures, "sample_first_sentence": round(float(np.mean(hits)), 4)}))


if __name__ == "__main__":
    main()
