"""SQuAD 2.0 as a sentence-level reading task, for bench/train_cross_encoder.py and its export script.

Splits are by article, in file order: TEST = the last four articles, VALIDATION = Packet_switching and
Immune_system, TRAIN = the other ten. Paragraphs are split with the service's own `split_sentences`; a
question's positives are the sentences holding an annotator's answer start (none: unanswerable, and the
sentence holding its plausible answer is remembered as the hardest negative).

Metrics: top-1 (the best-scored sentence of the paragraph holds an answer start, answerable questions)
and no-answer accuracy (max sentence score against a threshold chosen on VALIDATION).

Data: SQuAD 2.0 (Rajpurkar, Jia and Liang, ACL 2018), CC BY-SA 4.0; read from /work/shared, not copied.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.text.sentences import split_sentences  # noqa: E402

SQUAD = Path("/work/shared/benchmarks/squad2/squad2-dev-half.json")
TEST_ARTICLES = ("Imperialism", "Warsaw", "French_and_Indian_War", "Force")
VALIDATION_ARTICLES = ("Packet_switching", "Immune_system")


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


def evaluate(val: list[Question], val_scores: list[np.ndarray], test: list[Question] | None = None,
             test_scores: list[np.ndarray] | None = None) -> dict[str, object]:
    """Figures on VALIDATION, and on TEST (when given) with the threshold chosen on VALIDATION."""
    threshold = choose_threshold(val, val_scores)
    out: dict[str, object] = {
        "threshold_chosen_on_validation": round(threshold, 5),
        "validation": {"top1": round(top1(val, val_scores), 4), **no_answer_accuracy(val, val_scores, threshold)},
    }
    if test is not None and test_scores is not None:
        out["test"] = {"top1": round(top1(test, test_scores), 4), **no_answer_accuracy(test, test_scores, threshold)}
    return out


def split_counts(qs: list[Question]) -> dict[str, int]:
    return {"questions": len(qs), "answerable": sum(bool(q.answers) for q in qs),
            "unanswerable": sum(not q.answers for q in qs),
            "articles": len({q.article for q in qs})}




def bi_vectors(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """The packaged bi-encoder's normalised vectors of `texts`, cached on disk by content (slow CPU)."""
    key = hashlib.sha256("\n".join(sorted(set(texts))).encode()).hexdigest()[:16]
    path = cache / f"bi-vectors-{key}.npz"
    unique = sorted(set(texts))
    if path.is_file():
        vecs = np.load(path)["vecs"]
    else:
        from sentence_transformers import SentenceTransformer

        from service.models.embedding import DEFAULT_MODEL, resolve_model

        encoder = SentenceTransformer(str(resolve_model(DEFAULT_MODEL)), device="cpu", local_files_only=True)
        vecs = encoder.encode(unique, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                              show_progress_bar=False)
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, vecs=vecs)
    return dict(zip(unique, vecs))


def cosine_scores(questions: list[Question], vec: dict[str, np.ndarray]) -> list[np.ndarray]:
    return [np.array([float(vec[q.text] @ vec[s]) for s in q.sentences]) for q in questions]
