"""Rankings and their fusion: pure functions over {passage index: score} maps."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

Scores = Mapping[int, float]
NORMALIZATIONS = ("minmax", "zscore")
FUSIONS = ("convex", "rrf")


def normalize(scores: Scores, method: str) -> dict[int, float]:
    """Scale scores to comparable ranges; inputs are never mutated."""
    if method not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {method!r}; valid: {', '.join(NORMALIZATIONS)}")
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    if method == "minmax":
        low, span = values.min(), values.max() - values.min()
        return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}
    mean, std = values.mean(), values.std()
    return {k: (v - mean) / std if std > 0 else 0.0 for k, v in scores.items()}


def convex(dense: Scores, sparse: Scores, alpha: float, method: str = "minmax") -> dict[int, float]:
    """alpha * norm(dense) + (1 - alpha) * norm(sparse); a passage missing from one side gets
    that side's lowest normalised score."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be within [0, 1], got {alpha}")
    nd, ns = normalize(dense, method), normalize(sparse, method)
    floor_d = min(nd.values(), default=0.0)
    floor_s = min(ns.values(), default=0.0)
    return {
        k: alpha * nd.get(k, floor_d) + (1 - alpha) * ns.get(k, floor_s)
        for k in nd.keys() | ns.keys()
    }


def rrf(rankings: list[Scores], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank), ranks from 1."""
    if k < 1:
        raise ValueError(f"rrf k must be at least 1, got {k}")
    fused: dict[int, float] = {}
    for scores in rankings:
        for rank, key in enumerate(ranked(scores), start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


def fuse(
    dense: Scores, sparse: Scores, method: str, alpha: float, normalization: str, rrf_k: int
) -> dict[int, float]:
    if method == "convex":
        return convex(dense, sparse, alpha, normalization)
    if method == "rrf":
        return rrf([dense, sparse], rrf_k)
    raise ValueError(f"unknown fusion {method!r}; valid: {', '.join(FUSIONS)}")


def ranked(scores: Scores) -> list[int]:
    """Keys by descending score, ties broken by key so results are deterministic."""
    return sorted(scores, key=lambda k: (-scores[k], k))


DUPLICATE_OVERLAP = 0.5
_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Word n-grams of `text`, lower-cased, punctuation and markup ignored."""
    words = _WORD.findall(text.lower())
    if len(words) <= n:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller passage's shingles found in the other: 1.0 when one contains the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def distinct(rows: Sequence[int], text_of: Callable[[int], str], doc_of: Callable[[int], str],
             limit: int, threshold: float = DUPLICATE_OVERLAP) -> list[int]:
    """The first `limit` rows, in order, leaving out a passage that nearly repeats (`threshold`
    overlap or more) a higher-ranked one from another document, e.g. the same brief as .txt
    and as .pdf. Passages of one document are never merged: chunk overlap is not repetition.
    Shingles are computed only for rows compared with another document's, so a one-document
    ranking costs none."""
    grams: dict[int, frozenset[str]] = {}

    def of(row: int) -> frozenset[str]:
        if row not in grams:
            grams[row] = shingles(text_of(row))
        return grams[row]

    out: list[int] = []
    for row in rows:
        if len(out) >= limit:
            break
        doc = doc_of(row)
        if any(doc_of(k) != doc and containment(of(row), of(k)) >= threshold for k in out):
            continue
        out.append(row)
    return out
