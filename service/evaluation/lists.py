"""List and section figures (issue 18), per split: item recall (share of the expected items that some
answer sentence holds) and complete lists (every item there); every cited item checked against its
document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.core.records import Answer, Document
from service.evaluation.answer_sets import ListQuestion
from service.evaluation.answers import by_split
from service.pipeline import Engine
from service.text.sentences import clean


def _found(item: str, answer: Answer) -> bool:
    want = clean(item)
    return any(want in s.text for s in answer.sentences)


def score(questions: Sequence[ListQuestion], answers: Sequence[Answer], docs: dict[str, Document]) -> dict[str, Any]:
    recalls, complete, misses = [], [], []
    for q, a in zip(questions, answers):
        got = [_found(item, a) for item in q.items]
        recalls.append(sum(got) / len(got))
        complete.append(all(got))
        if not all(got):
            misses.append(q.qid)
    broken = sum(1 for a in answers for h in a.hits
                 if docs[h.chunk.doc_id].text[h.chunk.start:h.chunk.end] != h.chunk.text)
    n = len(questions)
    return {"questions": n, "item_recall": round(sum(recalls) / n, 4) if n else None,
            "complete_lists": round(sum(complete) / n, 4) if n else None, "citation_errors": broken,
            "errors": {"incomplete": misses}}


def evaluate_lists(engine: Engine, questions: Sequence[ListQuestion], mode: str = "hybrid",
                   top_k: int = 5) -> dict[str, dict[str, Any]]:
    """Per split (dev, heldout): item recall and complete lists."""
    return by_split(engine, questions, score, lambda q: engine.ask(q, top_k, mode))
