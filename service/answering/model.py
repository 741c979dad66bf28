"""The answerer's two small linear models, fitted on the dev splits (bench/fit_answerer.py) and shipped
as JSON: one scores candidate sentences (which sentence answers), one scores the question (whether the
passages answer it at all). Both read only `evidence.py`'s measurements."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.answering.evidence import QUESTION_FEATURES, SENTENCE_FEATURES

DEFAULT_MODEL = Path(__file__).with_name("data") / "answerer.json"


@dataclass(frozen=True)
class Linear:
    """Standardise, then a weighted sum (plus bias)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def to_json(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {"features": list(names), "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "weights": self.weights.round(6).tolist(), "bias": round(float(self.bias), 6)}

    @classmethod
    def from_json(cls, d: dict[str, Any], names: tuple[str, ...]) -> "Linear":
        if tuple(d["features"]) != names:
            raise ValueError(f"answerer model features {d['features']} are not {list(names)}")
        return cls(np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]), float(d["bias"]))


@dataclass(frozen=True)
class AnswerModel:
    sentence: Linear  # higher: more likely the sentence that answers
    answerable: Linear  # logit of "the passages answer the question"
    threshold: float  # abstain below this probability
    fitted_on: str = ""

    def probability(self, row: list[float]) -> float:
        return float(1.0 / (1.0 + np.exp(-self.answerable(np.array([row]))[0])))

    def to_json(self) -> dict[str, Any]:
        return {"fitted_on": self.fitted_on, "threshold": round(self.threshold, 4),
                "sentence": self.sentence.to_json(SENTENCE_FEATURES),
                "answerable": self.answerable.to_json(QUESTION_FEATURES)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "AnswerModel":
        return cls(Linear.from_json(d["sentence"], SENTENCE_FEATURES),
                   Linear.from_json(d["answerable"], QUESTION_FEATURES), float(d["threshold"]), d.get("fitted_on", ""))


@functools.cache
def load_model(path: Path = DEFAULT_MODEL) -> AnswerModel:
    return AnswerModel.from_json(json.loads(path.read_text(encoding="utf-8")))
