"""Fitting the confidence calibration (answering/confidence.py) on the dev splits, and measuring it.

An outcome is one answered question (abstentions carry no answer to be right about): the answer's
kind (a list answer has item sentences), its raw score, and whether it is right by the answer sets'
own measure (sentence sets: the first sentence holds the evidence; the list set: every item is
there). A Platt map per kind is fitted on the dev outcomes; the expected calibration error and the
reliability table are reported on dev and held-out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.confidence import KINDS, Platt, logit
from service.core.records import Answer
from service.evaluation.answer_sets import AnswerQuestion, ListQuestion
from service.evaluation.answers import holds_evidence
from service.evaluation.reader_fit import calibration
from service.text.sentences import clean


@dataclass(frozen=True)
class Outcome:
    split: str
    kind: str  # "sentence" or "list"
    raw: float
    right: bool


def answer_kind(a: Answer) -> str:
    return a.unit


def sentence_right(q: AnswerQuestion, a: Answer) -> bool:
    return q.answerable and bool(a.sentences) and any(holds_evidence(a.sentences[0].text, e) for e in q.evidence)


def list_right(q: ListQuestion, a: Answer) -> bool:
    return all(any(clean(item) in s.text for s in a.sentences) for item in q.items)


def outcomes(questions: Sequence[AnswerQuestion | ListQuestion], ask: Callable[[str], Answer]) -> list[Outcome]:
    """The answered questions' outcomes; `ask` must give the raw score as `confidence` (no calibration)."""
    out = []
    for q in questions:
        a = ask(q.question)
        if a.abstained:
            continue
        right = list_right(q, a) if isinstance(q, ListQuestion) else sentence_right(q, a)
        out.append(Outcome(q.split, answer_kind(a), a.confidence, right))
    return out


def fit_platt(raw: np.ndarray, right: np.ndarray, l2: float = 1e-2, steps: int = 100) -> Platt:
    """Logistic regression of `right` on logit(raw) (damped Newton steps, a little L2 on the slope's
    distance from 1 and on the bias, so a kind with few outcomes stays near the raw score)."""
    x = np.array([logit(float(p)) for p in raw])
    y = right.astype(float)
    X = np.stack([x, np.ones_like(x)], axis=1)
    prior = np.array([1.0, 0.0])
    strength = l2 * len(y)

    def loss(w: np.ndarray) -> float:
        z = X @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * strength * np.sum((w - prior) ** 2))

    w = prior.copy()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        grad = X.T @ (p - y) + strength * (w - prior)
        hess = (X * (p * (1 - p))[:, None]).T @ X + (strength + 1e-9) * np.eye(2)
        step = np.linalg.solve(hess, grad)
        t, before = 1.0, loss(w)
        while loss(w - t * step) > before and t > 1e-6:  # damped: never a step that makes the fit worse
            t /= 2
        w = w - t * step
        if np.abs(t * step).max() < 1e-8:
            break
    return Platt(float(w[0]), float(w[1]))


def fit(dev: Sequence[Outcome]) -> dict[str, Platt]:
    """One map per kind from the dev outcomes. A kind with fewer than 10 keeps the raw score; a kind
    whose raw score is one constant (table rows) or whose answers were all right or all wrong gets a
    constant: the rule of succession's (right + 1) / (answers + 2), never a certain 0 or 1."""
    maps = {}
    for kind in KINDS:
        mine = [o for o in dev if o.kind == kind]
        if len(mine) < 10:
            continue
        raw, right = np.array([o.raw for o in mine]), np.array([o.right for o in mine])
        if len(set(right.tolist())) == 2 and np.ptp(raw) > 1e-6:
            maps[kind] = fit_platt(raw, right)
        else:
            maps[kind] = Platt(0.0, logit((right.sum() + 1) / (len(right) + 2)))
    return maps


def _calibrated(rows: Sequence[Outcome], maps: dict[str, Platt]) -> np.ndarray:
    return np.array([maps[o.kind](o.raw) if o.kind in maps else o.raw for o in rows])


def out_of_fold(rows: Sequence[Outcome], folds: int = 5) -> np.ndarray:
    """Each dev outcome's confidence from maps fitted on the other folds: dev figures not fitted on themselves."""
    out = np.zeros(len(rows))
    for f in range(folds):
        rest = [o for i, o in enumerate(rows) if i % folds != f]
        maps = fit(rest)
        mine = [i for i in range(len(rows)) if i % folds == f]
        out[mine] = _calibrated([rows[i] for i in mine], maps)
    return out


def report(rows: Sequence[Outcome], maps: dict[str, Platt], bins: int = 10, cross_fit: bool = False) -> dict:
    """ECE and the reliability table of the calibrated confidence, and of the raw score, over `rows`;
    with `cross_fit` (the rows the maps were fitted on) each row's confidence is out-of-fold."""
    if not rows:
        return {"answers": 0}
    right = np.array([o.right for o in rows], dtype=float)
    raw = np.array([o.raw for o in rows])
    cal = out_of_fold(rows) if cross_fit else _calibrated(rows, maps)
    ece, table = calibration(cal, right, bins)
    raw_ece, _ = calibration(raw, right, bins)
    return {"answers": len(rows), "right": round(float(right.mean()), 4), "ece": ece, "ece_raw": raw_ece,
            "table": [{"low": t["low"], "mean_confidence": t["mean_p"], "right": t["answerable"], "n": t["n"]}
                      for t in table]}
