"""Issue 22: does the SQuAD-trained joint reader (bench/train_cross_encoder.py) learn the project's documents
from their dev questions? Out-of-fold on the dev splits only; held-out is never read.

    nice -n 10 .venv/bin/python bench/adapt_cross_encoder.py --start /tmp/ce-reader [--index-root DIR] [--steps 80]
    ... --final /tmp/ce-adapted      # then fine-tune on every dev fold and save (export with export_cross_encoder.py)

Each answerable dev question of the three answer-set corpora (brief, Debian Policy, Developer's Reference) is
retrieved as the service retrieves it (top 5, hybrid) and its candidates gathered as `decide` gathers them;
a candidate is positive when it holds the evidence string. 3 folds by question: the joint reader is fine-tuned
from --start on two folds' groups mixed with as many SQuAD TRAIN groups (so it keeps what SQuAD taught), and the
third fold's candidates are ranked by (a) the shipped evidence answerer's sentence score, (b) the joint reader
before adaptation, (c) after it, and (d), (e) the blends 0.5 of evidence with (b) and (c). Printed: first-
sentence accuracy among the eligible (typed) candidates of the questions with a positive candidate.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cross_encoder_model import load  # noqa: E402
from squad_sentences import ROOT, Question, bi_vectors, cosine_scores, load_questions  # noqa: E402
from train_cross_encoder import SEED, encode, group, group_loss, joint_scores  # noqa: E402

from service.answering.answerable import gather, typed_beside_names  # noqa: E402
from service.answering.model import load_model  # noqa: E402
from service.app.runtime import answer_settings, build_embedder, retrieval_settings  # noqa: E402
from service.app.settings import Settings  # noqa: E402
from service.evaluation.answer_run import AnswerJob, corpus_engine  # noqa: E402
from service.evaluation.answer_sets import ANSWER_SETS, load_answer_set  # noqa: E402
from service.evaluation.answers import holds_evidence  # noqa: E402
from service.text.sentences import clean  # noqa: E402


def dev_groups(index_root: Path) -> list[tuple[Question, np.ndarray, np.ndarray, np.ndarray, str]]:
    """(question as a Question over its candidates, cosines, evidence scores, typed mask, corpus)."""
    settings = Settings()
    base = answer_settings(settings)
    job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", index_root, settings.model,
                    retrieval_settings(settings), base)
    embedder, model, out = build_embedder(settings), load_model(), []
    for corpus in ANSWER_SETS:
        engine = corpus_engine(job, corpus, embedder)
        for q in load_answer_set(job.data_dir / ANSWER_SETS[corpus]):
            if q.split != "dev" or not q.answerable:
                continue
            r = engine.reading(q.question, 5, "hybrid")
            g = gather(q.question, r.q_vec, r.pool, r.vectors, r.views, engine.corpus_terms, base)
            texts = tuple(clean(c.sentence.text) for c in g.pool)
            pos = frozenset(i for i, t in enumerate(texts) if any(holds_evidence(t, e) for e in q.evidence))
            if not pos:
                continue
            question = Question(q.qid, corpus, q.question, texts, pos, None)
            out.append((question, np.array([e.cosine for e in g.evidence]),
                        model.sentence(np.array([e.row() for e in g.evidence])),
                        np.array([typed_beside_names(e) for e in g.evidence]), corpus))
    return out


def first(groups: list, scores: list[np.ndarray]) -> dict[str, float]:
    hits: dict[str, list[bool]] = {}
    for (q, _, _, typed, corpus), s in zip(groups, scores):
        best = int(np.argmax(np.where(typed, s, -np.inf))) if typed.any() else -1
        hits.setdefault(corpus, []).append(best in q.answers)
    out = {c: round(float(np.mean(h)), 3) for c, h in hits.items()}
    out["mean"] = round(float(np.mean(list(out.values()))), 3)
    return out


def fine_tune(start: Path, tok: object, groups: list, squad: list, steps: int, lr: float, max_length: int) -> object:
    model, _ = load(start)
    model.train()
    model.freeze_below(3)
    head = [model.head.weight, model.head.bias, model.a, model.b]
    body = [p for n, p in model.body.named_parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": head, "lr": lr * 5}, {"params": body, "lr": lr}])
    rng = random.Random(SEED)
    mine = [group(q, c, 6) for q, c, *_ in groups]
    for step in range(steps):
        batch = rng.sample(mine, min(4, len(mine))) + rng.sample(squad, 4)
        for g, base in zip(opt.param_groups, (lr * 5, lr)):
            g["lr"] = base * (1 - step / steps)
        loss = group_loss(model, tok, batch, max_length)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        opt.step()
        opt.zero_grad()
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", type=Path, default=Path("/tmp/ce-reader"))
    ap.add_argument("--index-root", type=Path)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--final", type=Path, help="fine-tune on every dev fold and save here")
    args = ap.parse_args()
    from transformers import AutoTokenizer

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        groups = dev_groups(args.index_root or Path(tmp))
    meta = json.loads((args.start / "joint_reader.json").read_text())
    tok = AutoTokenizer.from_pretrained(str(args.start))
    squad_q = load_questions()["train"]
    vec = bi_vectors([t for q in squad_q for t in (q.text, *q.sentences)], Path("/tmp/ce-work"))
    squad = [group(q, c, 4) for q, c in zip(squad_q, cosine_scores(squad_q, vec)) if q.answers]
    print(f"{len(groups)} dev questions with a positive candidate; gathering took "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    order = list(range(len(groups)))
    random.Random(SEED).shuffle(order)
    fold = {i: k % 3 for k, i in enumerate(order)}
    base_model, _ = load(args.start)
    ml = int(meta["max_length"])
    before = joint_scores(base_model, tok, [g[0] for g in groups], [g[1] for g in groups], ml)
    after: list[np.ndarray] = [np.zeros(0)] * len(groups)
    for f in range(3):
        t = time.perf_counter()
        model = fine_tune(args.start, tok, [g for i, g in enumerate(groups) if fold[i] != f], squad,
                          args.steps, args.lr, ml)
        held = [i for i in range(len(groups)) if fold[i] == f]
        for i, s in zip(held, joint_scores(model, tok, [groups[i][0] for i in held], [groups[i][1] for i in held], ml)):
            after[i] = s
        print(f"fold {f}: {time.perf_counter() - t:.0f} s", flush=True)
    ev = [g[2] for g in groups]
    table = {"evidence (shipped)": first(groups, ev), "joint (SQuAD)": first(groups, before),
             "joint adapted (out of fold)": first(groups, after),
             "blend 0.5 evidence + joint (SQuAD)": first(groups, [0.5 * a + 0.5 * b for a, b in zip(ev, before)]),
             "blend 0.5 evidence + joint adapted": first(groups, [0.5 * a + 0.5 * b for a, b in zip(ev, after)])}
    for name, row in table.items():
        print(f"{name:<38} {row}")
    result = {"steps": args.steps, "lr": args.lr, "questions": len(groups), "dev_first_sentence": table,
              "seconds": round(time.perf_counter() - started, 1)}
    if args.final:
        model = fine_tune(args.start, tok, groups, squad, args.steps, args.lr, ml)
        model.save(args.final, str(args.start), meta)
        result["final"] = str(args.final)
    (ROOT / "bench" / "results" / "adapt_cross_encoder.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
