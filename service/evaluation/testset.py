"""The project's test set: loader, per-mode retrieval metrics, abstention figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from service.core.errors import BriefqaError
from service.evaluation.metrics import average_precision, hit_at, mean, mrr_at, ndcg_at, recall_at
from service.pipeline import MODES, Engine
from service.core.records import Hit

T = TypeVar("T")
DEFAULT_TESTSET = Path(__file__).resolve().parent / "data" / "questions.jsonl"  # ships with the package


@dataclass(frozen=True)
class TestQuestion:
    qid: str
    question: str
    evidence: tuple[str, ...]
    answerable: bool


def load_jsonl(path: Path, kind: str, parse: Callable[[dict[str, Any]], T], plural: str) -> list[T]:
    """One record per non-blank line; a line that `parse` refuses (ValueError, KeyError, TypeError) is
    named with its number, as is a file that cannot be read or holds no record."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BriefqaError(f"cannot read {kind} set {path}: {exc.strerror or exc}") from exc
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise BriefqaError(f"{path}:{n} is not a {'test question' if kind == 'test' else kind} ({exc})") from exc
    if not out:
        raise BriefqaError(f"{kind} set {path} has no {plural}")
    return out


def _question(row: dict[str, Any]) -> TestQuestion:
    return TestQuestion(row["id"], row["question"], tuple(row.get("evidence", ())), bool(row.get("answerable", True)))


def load_testset(path: Path) -> list[TestQuestion]:
    return load_jsonl(path, "test", _question, "questions")


def relevant_chunks(engine: Engine, evidence: tuple[str, ...]) -> dict[str, int]:
    """Every passage that contains one of the evidence strings counts as relevant."""
    return {c.chunk_id: 1 for c in engine.index.all_chunks() if any(e in c.text for e in evidence)}


def evidence_recall(hits: list[Hit], evidence: tuple[str, ...]) -> float:
    return mean([float(any(e in h.chunk.text for h in hits)) for e in evidence])


def evaluate_mode(engine: Engine, questions: list[TestQuestion], mode: str, k: int = 5) -> dict[str, float]:
    rows: dict[str, list[float]] = {"hit@1": [], "hit@5": [], f"recall@{k}": [], "mrr@10": [], "ndcg@10": []}
    for q in (q for q in questions if q.answerable):
        hits, _ = engine.search(q.question, 10, mode)
        ranking = [h.chunk.chunk_id for h in hits]
        qrels = relevant_chunks(engine, q.evidence)
        rows["hit@1"].append(hit_at(ranking, qrels, 1))
        rows["hit@5"].append(hit_at(ranking, qrels, 5))
        rows[f"recall@{k}"].append(evidence_recall(hits[:k], q.evidence))
        rows["mrr@10"].append(mrr_at(ranking, qrels, 10))
        rows["ndcg@10"].append(ndcg_at(ranking, qrels, 10))
    return {name: round(mean(v), 4) for name, v in rows.items()}


def evaluate_abstention(engine: Engine, questions: list[TestQuestion], mode: str,
                        top_k: int = 5) -> dict[str, object]:
    """Positives are the unanswerable questions: precision and recall of abstaining."""
    tp = fp = fn = 0
    wrong: list[str] = []
    for q in questions:
        abstained = engine.ask(q.question, top_k, mode).abstained
        tp += abstained and not q.answerable
        fp += abstained and q.answerable
        fn += not abstained and not q.answerable
        if abstained == q.answerable:
            wrong.append(q.qid)
    return {
        "abstain_precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "abstain_recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "abstain_errors": wrong,
    }


def evaluate(engine: Engine, questions: list[TestQuestion], modes: tuple[str, ...] = MODES) -> dict[str, dict]:
    return {
        mode: {**evaluate_mode(engine, questions, mode), **evaluate_abstention(engine, questions, mode)}
        for mode in modes
    }


BEIR_METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10", "map")


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean nDCG@10, recall@10, recall@100, MRR@10 and MAP over the judged queries; a judged query
    missing from the run scores 0. MAP is trec_eval's map over the run as given (BEIR runs are 100
    long, so it equals BEIR's MAP@100)."""
    rows: dict[str, list[float]] = {name: [] for name in BEIR_METRICS}
    for qid, rel in qrels.items():
        ranking = run.get(qid, [])
        rows["ndcg@10"].append(ndcg_at(ranking, rel, 10))
        rows["recall@10"].append(recall_at(ranking, rel, 10))
        rows["recall@100"].append(recall_at(ranking, rel, 100))
        rows["mrr@10"].append(mrr_at(ranking, rel, 10))
        rows["map"].append(average_precision(ranking, rel))
    return {name: round(mean(v), 4) for name, v in rows.items()}


def recall_curve(run: dict[str, list[str]], qrels: dict[str, dict[str, int]], top: int = 100) -> list[float]:
    """Mean recall@k for k = 1..top."""
    return [mean([recall_at(run.get(q, []), rel, k) for q, rel in qrels.items()]) for k in range(1, top + 1)]
