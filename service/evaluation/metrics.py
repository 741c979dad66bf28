"""Ranking metrics with their standard (trec_eval / BEIR) definitions. Pure functions.

`ranking` is a list of ids, best first; `qrels` maps relevant ids to a grade > 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Qrels = Mapping[str, int]


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def hit_at(ranking: Sequence[str], qrels: Qrels, k: int) -> float:
    _check_k(k)
    return float(any(qrels.get(d, 0) > 0 for d in ranking[:k]))


def recall_at(ranking: Sequence[str], qrels: Qrels, k: int) -> float:
    _check_k(k)
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


def mrr_at(ranking: Sequence[str], qrels: Qrels, k: int) -> float:
    _check_k(k)
    for i, d in enumerate(ranking[:k]):
        if qrels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranking: Sequence[str], qrels: Qrels, k: int) -> float:
    """Linear gain (trec_eval's ndcg_cut, as BEIR reports it), log2 discount."""
    _check_k(k)
    dcg = sum(qrels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def average_precision(ranking: Sequence[str], qrels: Qrels, k: int | None = None) -> float:
    """AP over the ranking (cut at k if given), divided by all relevant ids, as trec_eval's map."""
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for i, d in enumerate(ranking[:k] if k else ranking):
        if d in relevant:
            found += 1
            total += found / (i + 1)
    return total / len(relevant)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
