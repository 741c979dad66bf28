"""Training the reader's sentence head (an MLP over reader_input's columns: a listwise softmax loss per
question, plus a pointwise term so that scores compare across questions) and its question head (a
logistic regression over the question-level reading), and the figures the model card reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.reader_input import question_input
from service.evaluation.answer_fit import fit_logistic
from service.evaluation.reader_data import Group
from service.models.reader import QuestionHead


@dataclass(frozen=True)
class HeadSettings:
    hidden: int = 64
    epochs: int = 20
    seed: int = 13
    pointwise: float = 0.1  # weight of the per-sentence binary term beside the listwise one
    hard_weight: float = 2.0  # weight of an unanswerable question's plausible-answer sentence
    lr: float = 3e-3
    weight_decay: float = 1e-4
    batch: int = 64


def _padded(groups: Sequence[Group], mean: np.ndarray, scale: np.ndarray, hard_weight: float):
    import torch

    width = max(len(g.rows) for g in groups)
    x = np.zeros((len(groups), width, len(mean)), dtype=np.float32)
    y = np.zeros((len(groups), width), dtype=np.float32)
    w = np.zeros((len(groups), width), dtype=np.float32)
    for i, g in enumerate(groups):
        n = len(g.rows)
        x[i, :n] = (g.rows - mean) / scale
        y[i, :n] = g.labels
        w[i, :n] = 1.0 + (hard_weight - 1.0) * g.hard
    return torch.tensor(x), torch.tensor(y), torch.tensor(w)


def fit_head(groups: Sequence[Group], hp: HeadSettings = HeadSettings()):  # -> torch.nn.Sequential
    """The sentence head, with the standardisation folded into its first layer (it reads raw rows)."""
    import torch

    torch.manual_seed(hp.seed)
    rng = np.random.default_rng(hp.seed)
    allrows = np.vstack([g.rows for g in groups])
    mean, scale = allrows.mean(axis=0), allrows.std(axis=0) + 1e-6
    net = torch.nn.Sequential(torch.nn.Linear(allrows.shape[1], hp.hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hp.hidden, hp.hidden), torch.nn.ReLU(), torch.nn.Linear(hp.hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
    order = sorted(range(len(groups)), key=lambda i: len(groups[i].rows))  # batches of like widths
    batches = [order[i:i + hp.batch] for i in range(0, len(order), hp.batch)]
    tensors = [_padded([groups[i] for i in b], mean, scale, hp.hard_weight) for b in batches]
    for _ in range(hp.epochs):
        for k in rng.permutation(len(tensors)):
            x, y, w = tensors[k]
            mask = w > 0
            s = net(x).squeeze(-1)
            low = torch.finfo(s.dtype).min
            has = y.sum(1) > 0
            listwise = (torch.logsumexp(torch.where(mask, s, low), 1)
                        - torch.logsumexp(torch.where(y > 0, s, low), 1))[has].sum()
            point = (torch.nn.functional.binary_cross_entropy_with_logits(s, y, reduction="none") * w).sum()
            loss = (listwise + hp.pointwise * point / max(1.0, float(mask.sum()) / len(x))) / len(x)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():  # fold (x - mean) / scale into the first layer
        first = net[0]
        s = torch.tensor(scale, dtype=torch.float32)
        first.bias -= (first.weight / s) @ torch.tensor(mean, dtype=torch.float32)
        first.weight /= s
    return net.eval()


def head_scores(net, groups: Sequence[Group]) -> list[np.ndarray]:
    import torch

    with torch.no_grad():
        return [net(torch.tensor(g.rows)).squeeze(1).numpy() for g in groups]


def top1(groups: Sequence[Group], scores: Sequence[np.ndarray]) -> float:
    """Share of the answerable questions with a positive candidate whose best-scored candidate is positive."""
    hits = [bool(g.labels[int(np.argmax(s))]) for g, s in zip(groups, scores) if g.answerable and g.labels.any()]
    return round(float(np.mean(hits)), 4) if hits else float("nan")


def cosine_scores(groups: Sequence[Group]) -> list[np.ndarray]:
    return [g.rows[:, 0] for g in groups]


def question_rows(groups: Sequence[Group], scores: Sequence[np.ndarray]) -> np.ndarray:
    return np.array([question_input(g.question, g.evidence, s) for g, s in zip(groups, scores)])


def fit_question_head(groups: Sequence[Group], scores: Sequence[np.ndarray], weights: np.ndarray | None = None,
                      l2: float = 1.0) -> QuestionHead:
    """Logistic regression of "answerable" on the question-level reading; `weights` per group (e.g. so
    that each source counts alike) enter as repeated rows, rounded to tenths."""
    rows = question_rows(groups, scores)
    y = np.array([g.answerable for g in groups], dtype=float)
    if weights is not None:
        reps = np.maximum(1, np.round(weights * 10).astype(int))
        rows, y = np.repeat(rows, reps, axis=0), np.repeat(y, reps)
    lin = fit_logistic(rows, y, l2)
    return QuestionHead(lin.mean, lin.scale, lin.weights, lin.bias)


def probabilities(head: QuestionHead, groups: Sequence[Group], scores: Sequence[np.ndarray]) -> np.ndarray:
    return np.array([head(r) for r in question_rows(groups, scores)])


def abstain_figures(groups: Sequence[Group], probability: np.ndarray, threshold: float) -> dict[str, float]:
    """With the rules first (`gated`), then the threshold: how often unanswerable questions abstain,
    answerable ones wrongly abstain, and questions are called right."""
    y = np.array([g.answerable for g in groups])
    abstain = np.array([g.gated for g in groups]) | (probability < threshold)
    return {"abstain_recall": round(float(abstain[~y].mean()), 4) if (~y).any() else float("nan"),
            "wrong_abstain": round(float(abstain[y].mean()), 4) if y.any() else float("nan"),
            "accuracy": round(float(np.mean(abstain != y)), 4)}


def calibration(probability: np.ndarray, answerable: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table (per equal-width bin: mean p, share answerable, n)."""
    edges = np.linspace(0, 1, bins + 1)
    table, ece = [], 0.0
    for a, b in zip(edges, edges[1:]):
        inside = (probability >= a) & ((probability < b) | (b == 1.0))
        if inside.any():
            p, f = float(probability[inside].mean()), float(answerable[inside].mean())
            ece += inside.mean() * abs(p - f)
            table.append({"low": round(float(a), 2), "mean_p": round(p, 4), "answerable": round(f, 4),
                          "n": int(inside.sum())})
    return round(float(ece), 4), table
