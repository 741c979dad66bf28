"""What the trained reader (service/models/reader.py) reads of each candidate sentence and of the
question: the answerer's evidence (evidence.py) plus where each sentence stands among the question's
candidates and what its neighbours and passage say. The same columns are computed when the reader is
trained (service/evaluation/reader_data.py) and when it serves, from what the answerer already has:
no model runs here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.answering.evidence import SENTENCE_FEATURES, Evidence, Question, adjacent_pairs
from service.answering.extractive import Candidate

READER_COLUMNS = (*SENTENCE_FEATURES, "next_cosine", "next_coverage", "passage_cosine", "cosine_rank",
                  "cosine_gap", "cosine_share", "coverage_rank", "coverage_gap", "log_candidates")
QUESTION_COLUMNS = ("best_score", "score_margin", "score_spread", "best_cosine", "mean_cosine",
                    "best_coverage", "passage_coverage", "names_supported", "absent_terms", "untyped_question",
                    "typed_found")
_SHARE_TEMPERATURE = 0.05  # cosines this far apart differ by a factor e in `cosine_share`


def _next_of(pool: Sequence[Candidate]) -> list[int]:
    """Per candidate, the candidate just after it in its document (-1 when none), as evidence.py pairs them."""
    out = [-1] * len(pool)
    for a, b in adjacent_pairs(pool):
        out[a] = b
    return out


def _rank_desc(x: np.ndarray) -> np.ndarray:
    """How many candidates score strictly higher (0 for the best, ties share a rank)."""
    return (x[None, :] > x[:, None]).sum(axis=1).astype(np.float32)


def _passage_cosines(q_vec: np.ndarray, pool: Sequence[Candidate], vectors: np.ndarray) -> np.ndarray:
    """Cosine of the question to the mean of the candidate sentences of each sentence's first passage."""
    first = np.array([c.citations[0] for c in pool])
    rows = vectors[[c.row for c in pool]]
    out = np.zeros(len(pool), dtype=np.float32)
    for n in np.unique(first):
        mean = rows[first == n].mean(axis=0)
        out[first == n] = float(mean @ q_vec) / (float(np.linalg.norm(mean)) or 1.0)
    return out


def reader_rows(q_vec: np.ndarray, pool: Sequence[Candidate], evidence: Sequence[Evidence],
                vectors: np.ndarray) -> np.ndarray:
    """(candidates, len(READER_COLUMNS)) float32: each candidate's evidence row and its standing."""
    if not len(pool):
        return np.zeros((0, len(READER_COLUMNS)), dtype=np.float32)
    base = np.array([e.row() for e in evidence], dtype=np.float32)
    cos = base[:, 0]
    cov = base[:, 1]
    nxt = _next_of(pool)
    next_cos = np.array([cos[j] if j >= 0 else 0.0 for j in nxt], dtype=np.float32)
    next_cov = np.array([cov[j] if j >= 0 else 0.0 for j in nxt], dtype=np.float32)
    share = np.exp((cos - cos.max()) / _SHARE_TEMPERATURE)
    extra = np.column_stack([
        next_cos, next_cov, _passage_cosines(q_vec, pool, vectors), np.log1p(_rank_desc(cos)),
        cos.max() - cos, share / share.sum(), np.log1p(_rank_desc(cov)), cov.max() - cov,
        np.full(len(pool), np.log(len(pool)), dtype=np.float32)])
    return np.hstack([base, extra]).astype(np.float32)


def question_input(q: Question, evidence: Sequence[Evidence], scores: np.ndarray) -> np.ndarray:
    """(len(QUESTION_COLUMNS),) float32: the question-level reading, given the reader's sentence scores."""
    if not len(evidence):
        return np.array([-10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, q.absent, float(q.kind is None), 0.0],
                        dtype=np.float32)
    order = np.argsort(-scores, kind="stable")
    top = float(scores[order[0]])
    margin = top - float(scores[order[1]]) if len(order) > 1 else 5.0
    best = evidence[int(order[0])]
    cos = np.array([e.cosine for e in evidence])
    return np.array([top, min(margin, 5.0), top - float(np.mean(scores)), float(cos.max()), float(cos.mean()),
                     max(best.sentence_coverage, best.previous_coverage),
                     max(e.passage_coverage for e in evidence), max(e.names_in_passage for e in evidence),
                     q.absent, float(q.kind is None), float(any(e.typed is True for e in evidence))],
                    dtype=np.float32)
