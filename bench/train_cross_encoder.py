"""Issue 22 trial reader: a cross-encoder fine-tuned on CPU that scores (question, sentence) pairs.

    nice -n 10 .venv/bin/python bench/train_cross_encoder.py --steps 300 --max-minutes 36   # the real run
    .venv/bin/python bench/train_cross_encoder.py                                          # smoke (40 steps)

Starts from the packaged all-MiniLM-L6-v2 weights (`service.models.embedding.DEFAULT_MODEL`, resolved to
its local folder; nothing is downloaded) with a new one-logit classifier head, and trains it with
sentence-transformers' `BinaryCrossEntropyLoss` on SQuAD 2.0 dev-half pairs: "does this sentence answer
the question". Paragraphs are split with the service's own `split_sentences`.

Splits are by article, in file order: TEST = the last four articles, VALIDATION = Packet_switching and
Immune_system, TRAIN = the other ten. Per question: the sentences holding an annotator's answer start are
positive; of the paragraph's other sentences up to --negatives are sampled as negatives (for an
unanswerable question every sentence is negative, and the one holding its plausible answer is always
kept). Negatives are re-sampled every pass over TRAIN.

The library's `CrossEncoderTrainer` (and `CrossEncoder.fit`, which wraps it) needs the `datasets` and
`accelerate` packages, which the project's venv does not have; so the loop here is plain torch (AdamW,
linear warm-up and decay, gradient clipping at 1.0, as the library's old fit loop did) around the
library's loss, which does the tokenising and the forward pass itself.

Reports on TEST, with settings chosen on VALIDATION only: top-1 (the best-scored sentence of the
paragraph holds an answer start, answerable questions), no-answer accuracy (max sentence score against a
threshold chosen on VALIDATION), the same for a cosine baseline with the packaged bi-encoder, and the
single-thread cost of scoring one question's paragraph. Prints JSON and writes
bench/results/cross_encoder_reader.json. The model is saved to --out (outside the repo).

Data: SQuAD 2.0 (Rajpurkar, Jia and Liang, ACL 2018), CC BY-SA 4.0; read from /work/shared, not copied.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local weights only
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.models.embedding import DEFAULT_MODEL, resolve_model  # noqa: E402
from service.text.sentences import split_sentences  # noqa: E402

SQUAD = Path("/work/shared/benchmarks/squad2/squad2-dev-half.json")
RESULTS = ROOT / "bench" / "results" / "cross_encoder_reader.json"
TEST_ARTICLES = ("Imperialism", "Warsaw", "French_and_Indian_War", "Force")
VALIDATION_ARTICLES = ("Packet_switching", "Immune_system")
SEED = 13


@dataclass(frozen=True)
class Question:
    qid: str
    article: str
    text: str
    sentences: tuple[str, ...]  # its paragraph's sentences
    answers: frozenset[int]  # indices of sentences holding an annotator's answer start (empty: unanswerable)
    plausible: int | None  # unanswerable: the sentence holding the plausible answer's start


def _holding(starts: list[int], spans: list[tuple[int, int]]) -> set[int]:
    return {i for s in starts for i, (a, b) in enumerate(spans) if a <= s < b}


def load_questions(path: Path = SQUAD) -> dict[str, list[Question]]:
    """Questions of each split, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    titles = [a["title"] for a in data]
    assert titles[-4:] == list(TEST_ARTICLES), titles
    splits: dict[str, list[Question]] = {"train": [], "validation": [], "test": []}
    for article in data:
        title = article["title"]
        split = "test" if title in TEST_ARTICLES else "validation" if title in VALIDATION_ARTICLES else "train"
        for para in article["paragraphs"]:
            sents = split_sentences(title, para["context"], 0)
            spans = [(s.start, s.end) for s in sents]
            texts = tuple(s.text for s in sents)
            for qa in para["qas"]:
                if qa["is_impossible"]:
                    held = _holding([a["answer_start"] for a in qa.get("plausible_answers", [])[:1]], spans)
                    q = Question(qa["id"], title, qa["question"].strip(), texts, frozenset(),
                                 min(held) if held else None)
                else:
                    held = _holding([a["answer_start"] for a in qa["answers"]], spans)
                    if not held:  # never happens with this file and splitter; kept honest if it does
                        continue
                    q = Question(qa["id"], title, qa["question"].strip(), texts, frozenset(held), None)
                splits[split].append(q)
    return splits


def training_pairs(questions: list[Question], negatives: int, rng: random.Random) -> list[tuple[str, str, float]]:
    """Positive pairs plus up to `negatives` sampled negatives per question (hardest always kept), shuffled."""
    pairs: list[tuple[str, str, float]] = []
    for q in questions:
        for i in sorted(q.answers):
            pairs.append((q.text, q.sentences[i], 1.0))
        pool = [i for i in range(len(q.sentences)) if i not in q.answers and i != q.plausible]
        chosen = [q.plausible] if q.plausible is not None else []
        chosen += rng.sample(pool, min(len(pool), negatives - len(chosen)))
        pairs += [(q.text, q.sentences[i], 0.0) for i in chosen]
    rng.shuffle(pairs)
    return pairs


def batches(pairs: list[tuple[str, str, float]], size: int, rng: random.Random) -> list[list[tuple[str, str, float]]]:
    """Batches of similar length (less padding, so cheaper steps on CPU): sort each window of 50 batches
    by length, cut it into batches, shuffle the batches. The last short batch is dropped."""
    window = 50 * size
    out = []
    for w in range(0, len(pairs), window):
        chunk = sorted(pairs[w : w + window], key=lambda p: len(p[0]) + len(p[1]))
        out += [chunk[b : b + size] for b in range(0, len(chunk) - size + 1, size)]
    rng.shuffle(out)
    return out


def train(args: argparse.Namespace, questions: list[Question]) -> tuple[object, dict[str, object]]:
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from transformers import get_linear_schedule_with_warmup

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = CrossEncoder(resolve_model(DEFAULT_MODEL), num_labels=1, max_length=args.max_length,
                         device="cpu", local_files_only=True)
    loss_fn = BinaryCrossEntropyLoss(model)
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    named = list(model.named_parameters())
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in named if not any(k in n for k in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in named if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ], lr=args.lr)
    warmup = int(args.warmup * args.steps)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup, args.steps)
    model.train()
    step, passes, pairs_seen, positives_seen, losses = 0, 0, 0, 0, []
    started = time.perf_counter()
    stopped_early = False
    while step < args.steps and not stopped_early:
        pairs = training_pairs(questions, args.negatives, rng)
        passes += 1
        for batch in batches(pairs, args.batch, rng):
            labels = torch.tensor([p[2] for p in batch])
            loss = loss_fn([[p[0] for p in batch], [p[1] for p in batch]], labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            pairs_seen += len(batch)
            positives_seen += int(labels.sum())
            losses.append(float(loss.detach()))
            if step % 50 == 0 or step == args.steps:
                elapsed = time.perf_counter() - started
                print(f"step {step}/{args.steps} loss(last 50) {statistics.mean(losses[-50:]):.4f} "
                      f"{elapsed / step:.2f} s/step", file=sys.stderr, flush=True)
            if step >= args.steps:
                break
            if args.max_minutes and time.perf_counter() - started > 60 * args.max_minutes:
                stopped_early = True
                break
    seconds = time.perf_counter() - started
    model.eval()
    model.save(args.out)
    info: dict[str, object] = {
        "steps": step, "steps_asked": args.steps, "stopped_by_time_cap": stopped_early,
        "passes_over_train": passes, "pairs_seen": pairs_seen, "positive_share": round(positives_seen / max(pairs_seen, 1), 4),
        "pairs_per_pass": len(training_pairs(questions, args.negatives, random.Random(SEED))),
        "train_seconds": round(seconds, 1), "seconds_per_step": round(seconds / max(step, 1), 3),
        "loss_first_50": round(statistics.mean(losses[:50]), 4) if losses else None,
        "loss_last_50": round(statistics.mean(losses[-50:]), 4) if losses else None,
    }
    return model, info


def cross_scores(model: object, questions: list[Question]) -> list[np.ndarray]:
    """Logits of every (question, sentence) pair, one array per question."""
    pairs = [(q.text, s) for q in questions for s in q.sentences]
    flat = model.predict(pairs, batch_size=64, activation_fn=torch.nn.Identity(), show_progress_bar=False)
    out, k = [], 0
    for q in questions:
        out.append(np.asarray(flat[k : k + len(q.sentences)], dtype=np.float64))
        k += len(q.sentences)
    return out


def cosine_scores(encoder: object, questions: list[Question]) -> list[np.ndarray]:
    sentences = sorted({s for q in questions for s in q.sentences})
    vecs = encoder.encode(sentences, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    row = {s: i for i, s in enumerate(sentences)}
    qvecs = encoder.encode([q.text for q in questions], batch_size=64, normalize_embeddings=True,
                           convert_to_numpy=True)
    return [vecs[[row[s] for s in q.sentences]] @ qv for q, qv in zip(questions, qvecs)]


def top1(questions: list[Question], scores: list[np.ndarray]) -> float:
    hits = [int(np.argmax(s)) in q.answers for q, s in zip(questions, scores) if q.answers]
    return sum(hits) / len(hits)


def no_answer_accuracy(questions: list[Question], scores: list[np.ndarray], threshold: float) -> dict[str, float]:
    best = np.array([s.max() for s in scores])
    answerable = np.array([bool(q.answers) for q in questions])
    said = best >= threshold
    joint = [bool(q.answers) and t and int(np.argmax(s)) in q.answers or not q.answers and not t
             for q, s, t in zip(questions, scores, said)]
    return {
        "no_answer_accuracy": round(float((said == answerable).mean()), 4),
        "answerable_called_answerable": round(float(said[answerable].mean()), 4),
        "unanswerable_called_unanswerable": round(float((~said[~answerable]).mean()), 4),
        "joint_accuracy": round(sum(joint) / len(joint), 4),  # right call, and the right sentence when answering
    }


def choose_threshold(questions: list[Question], scores: list[np.ndarray]) -> float:
    """The max-score threshold with the best no-answer accuracy (midpoint between neighbouring scores)."""
    best = np.array([s.max() for s in scores])
    answerable = np.array([bool(q.answers) for q in questions])
    cuts = np.unique(best)
    candidates = np.concatenate([[cuts[0] - 1.0], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 1.0]])
    accuracy = [((best >= t) == answerable).mean() for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def evaluate(name: str, val: list[Question], test: list[Question],
             val_scores: list[np.ndarray], test_scores: list[np.ndarray]) -> dict[str, object]:
    threshold = choose_threshold(val, val_scores)
    return {
        "threshold_chosen_on_validation": round(threshold, 5),
        "validation": {"top1": round(top1(val, val_scores), 4), **no_answer_accuracy(val, val_scores, threshold)},
        "test": {"top1": round(top1(test, test_scores), 4), **no_answer_accuracy(test, test_scores, threshold)},
    }


def latency(score_one: object, questions: list[Question], n: int) -> dict[str, float]:
    """Wall ms to score one question's paragraph, one question at a time, on one torch thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        sample = random.Random(SEED).sample(questions, min(n, len(questions)))
        for q in sample[:5]:
            score_one(q)  # warm-up
        times = []
        for q in sample:
            t = time.perf_counter()
            score_one(q)
            times.append(1000 * (time.perf_counter() - t))
    finally:
        torch.set_num_threads(threads)
    return {"questions": len(times), "mean_ms": round(statistics.mean(times), 3),
            "p50_ms": round(statistics.median(times), 3),
            "p90_ms": round(float(np.percentile(times, 90)), 3),
            "mean_sentences": round(statistics.mean(len(q.sentences) for q in sample), 2)}


def split_counts(qs: list[Question]) -> dict[str, int]:
    return {"questions": len(qs), "answerable": sum(bool(q.answers) for q in qs),
            "unanswerable": sum(not q.answers for q in qs),
            "articles": len({q.article for q in qs})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40, help="training steps (batches); the real run used 300 (a shared, loaded machine)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5, help="not tuned (no budget for it)")
    ap.add_argument("--warmup", type=float, default=0.1, help="share of the steps spent warming up")
    ap.add_argument("--negatives", type=int, default=3, help="negatives per question")
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--max-minutes", type=float, default=0.0, help="stop training after this long (0: never)")
    ap.add_argument("--latency-questions", type=int, default=100)
    ap.add_argument("--out", default="/tmp/cross-encoder-reader", help="where the trained model is saved")
    ap.add_argument("--results", default=str(RESULTS))
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(2)
    wall = time.perf_counter()
    splits = load_questions()
    val, test = splits["validation"], splits["test"]

    model, train_info = train(args, splits["train"])
    t = time.perf_counter()
    print("scoring validation and test with the cross-encoder", file=sys.stderr, flush=True)
    ce = evaluate("cross_encoder", val, test, cross_scores(model, val), cross_scores(model, test))
    ce_eval_seconds = time.perf_counter() - t

    print(f"cross-encoder scored in {time.perf_counter() - t:.0f} s; cosine baseline", file=sys.stderr, flush=True)
    encoder = SentenceTransformer(resolve_model(DEFAULT_MODEL), device="cpu", local_files_only=True)
    cos = evaluate("cosine", val, test, cosine_scores(encoder, val), cosine_scores(encoder, test))

    identity = torch.nn.Identity()

    def ce_one(q: Question) -> None:
        model.predict([(q.text, s) for s in q.sentences], batch_size=64, activation_fn=identity,
                      show_progress_bar=False)

    def cos_one(q: Question) -> None:  # the service would have the sentence vectors from index time
        encoder.encode([q.text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    def cos_all(q: Question) -> None:
        encoder.encode([q.text, *q.sentences], batch_size=64, normalize_embeddings=True,
                       convert_to_numpy=True, show_progress_bar=False)

    print("latency", file=sys.stderr, flush=True)
    ce["latency_one_thread"] = latency(ce_one, test, args.latency_questions)
    cos["latency_one_thread"] = {
        "question_only_sentences_precomputed": latency(cos_one, test, args.latency_questions),
        "question_and_sentences": latency(cos_all, test, args.latency_questions),
    }
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    result = {
        "issue": 22,
        "what": "sentence-level reader: cross-encoder fine-tuned from packaged all-MiniLM-L6-v2 vs bi-encoder cosine",
        "data": {"file": str(SQUAD), "licence": "CC BY-SA 4.0 (SQuAD 2.0, Rajpurkar et al. 2018)",
                 "test_articles": list(TEST_ARTICLES), "validation_articles": list(VALIDATION_ARTICLES),
                 **{k: split_counts(v) for k, v in splits.items()}},
        "settings": {"base_model": DEFAULT_MODEL, "steps": args.steps, "batch": args.batch, "lr": args.lr,
                     "warmup_share": args.warmup, "negatives_per_question": args.negatives,
                     "max_length": args.max_length, "seed": SEED, "torch_threads_training": 2,
                     "loss": "sentence_transformers BinaryCrossEntropyLoss", "model_out": args.out},
        "training": train_info,
        "cross_encoder": ce,
        "cosine_baseline": cos,
        "cross_encoder_eval_seconds_2_threads": round(ce_eval_seconds, 1),
        "wall_seconds": round(time.perf_counter() - wall, 1),
        "measured": {"at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "git_commit": commit,
                     "load_average_at_end": list(os.getloadavg()), "cpus": os.cpu_count(),
                     "torch": torch.__version__, "python": platform.python_version()},
        "command": " ".join(["bench/train_cross_encoder.py", *sys.argv[1:]]),
    }
    text = json.dumps(result, indent=2)
    print(text)
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
