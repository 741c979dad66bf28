"""Fitting the answerer's two linear models on the dev splits (never held-out): a conditional logit
that puts the sentence holding the evidence first among a question's candidates, and a logistic
regression on question-level evidence that says whether the passages answer at all, with the
abstention threshold chosen on dev for a wrong-abstention budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.answerable import Gathered, gather, typed_beside_names, unknown_names
from service.answering.evidence import question_row
from service.answering.model import AnswerModel, Linear
from service.evaluation.answers import holds_evidence
from service.pipeline import Engine
from service.text.sentences import clean


@dataclass(frozen=True)
class Example:
    """One dev question, read and measured."""

    answerable: bool
    gathered: Gathered
    labels: np.ndarray  # per candidate: holds an evidence string
    gated: bool  # a rule (missing name, missing answer type) abstains before the model is asked


def examples(engine: Engine, questions: Sequence[tuple[str, bool, tuple[str, ...]]], top_k: int = 5) -> list[Example]:
    """(question, answerable, evidence strings) -> measured examples."""
    out = []
    for text, answerable, evidence in questions:
        r = engine.reading(text, top_k, "hybrid")
        g = gather(text, r.q_vec, r.pool, r.vectors, r.views, engine.corpus_terms, engine.answer_settings)
        labels = np.array([answerable and any(holds_evidence(clean(c.sentence.text), e) for e in evidence)
                           for c in g.pool], dtype=bool)
        unknown = unknown_names(g.question.names, engine.corpus_terms)
        typed = any(typed_beside_names(e) for e in g.evidence)
        out.append(Example(answerable, g, labels, bool(unknown) or not typed))
    return out


def _standardise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return rows.mean(axis=0), rows.std(axis=0) + 1e-6


def fit_sentences(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = 0.05, steps: int = 3000,
                  rate: float = 0.1, weights: np.ndarray | None = None) -> Linear:
    """Conditional logit: maximise, per question, the softmax share of its evidence-holding sentences
    (each question weighing `weights[i]`, by default alike)."""
    rows = np.vstack([x for x, _ in groups])
    mean, scale = _standardise(rows)
    z = (rows - mean) / scale
    sizes = np.array([len(x) for x, _ in groups])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    of = np.repeat(np.arange(len(groups)), sizes)
    target = np.concatenate([y / y.sum() for _, y in groups])
    share = np.ones(len(groups)) if weights is None else np.asarray(weights, dtype=float)
    share = np.repeat(share / share.sum(), sizes)
    w = np.zeros(len(mean))
    for _ in range(steps):
        s = z @ w
        p = np.exp(s - np.maximum.reduceat(s, starts)[of])
        p /= np.add.reduceat(p, starts)[of]
        w -= rate * (l2 * w + z.T @ (share * (p - target)))
    return Linear(mean, scale, w)


def fit_logistic(rows: np.ndarray, y: np.ndarray, l2: float = 1.0) -> Linear:
    """L2-regularised logistic regression by Newton's method."""
    mean, scale = _standardise(rows)
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    b = np.zeros(x.shape[1])
    reg = l2 * np.diag(np.r_[np.ones(len(b) - 1), 0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ b))
        b -= np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + reg, x.T @ (p - y) + reg @ b)
    return Linear(mean, scale, b[:-1], float(b[-1]))


def fit(dev: list[Example], wrong_abstain: float = 0.02, fitted_on: str = "",
        extra: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> AnswerModel:
    """Both models from dev examples; the threshold abstains as often as it can on dev while the model
    wrongly abstains on at most `wrong_abstain` of the answerable questions the rules let through.
    `extra`: more (sentence rows, labels) questions for the sentence model only (SQuAD's training
    articles), together weighing as much as the dev questions."""
    groups = [(np.array([e.row() for e in ex.gathered.evidence]), ex.labels.astype(float))
              for ex in dev if ex.labels.any()]
    extra = [(x, y.astype(float)) for x, y in extra if y.any()]
    weights = np.r_[np.ones(len(groups)), np.full(len(extra), len(groups) / len(extra) if extra else 0.0)]
    sentence = fit_sentences(groups + extra, weights=weights)
    asked = [ex for ex in dev if not ex.gated and ex.gathered.pool]
    rows = np.array([_question_row(ex, sentence) for ex in asked])
    y = np.array([ex.answerable for ex in asked], dtype=float)
    answerable = fit_logistic(rows, y)
    p = 1 / (1 + np.exp(-answerable(rows)))
    ok = np.sort(p[y == 1])
    allowed = int(np.floor(wrong_abstain * len(ok)))
    threshold = float(ok[allowed] - 1e-6) if len(ok) > allowed else 0.0
    return AnswerModel(sentence, answerable, max(threshold, 0.0), fitted_on)


def _question_row(ex: Example, sentence: Linear) -> list[float]:
    g = ex.gathered
    return question_row(g.question, g.evidence, sentence(np.array([e.row() for e in g.evidence])))
