"""Confidence a caller can use: the answerer's raw score mapped to the probability that the answer is
right, fitted on the dev splits (bench/fit_confidence.py, service/evaluation/confidence_fit.py) and
shipped as JSON.

"Right" is what the answer sets measure: a sentence answer is right when its first sentence holds the
question's evidence; a list answer is right when it holds every item. One Platt map (a logistic curve
over the logit of the raw score) per answerer (`evidence`, `reader`) and per kind of answer
(`sentence`, `list`, `row`: a table row naming what the question asks about, whose raw score is a
constant 1, so its map gives the share of dev row answers that are right), because their raw scores mean
different things."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CALIBRATION = Path(__file__).with_name("data") / "confidence.json"
KINDS = ("sentence", "list", "row")
_EPS = 1e-4


def logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class Platt:
    """P(right) = sigmoid(a * logit(raw) + b)."""

    a: float = 1.0
    b: float = 0.0

    def __call__(self, raw: float) -> float:
        z = self.a * logit(raw) + self.b
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


IDENTITY = Platt()


@dataclass(frozen=True)
class Calibration:
    maps: dict[str, dict[str, Platt]] = field(default_factory=dict)  # answerer -> kind -> map
    fitted_on: str = ""

    def confidence(self, answerer: str, kind: str, raw: float) -> float:
        """The calibrated confidence, 0..1, rounded to 4 places; the raw score itself when no map was fitted."""
        if kind not in KINDS:
            raise ValueError(f"unknown answer kind {kind!r}; known: {', '.join(KINDS)}")
        return round(self.maps.get(answerer, {}).get(kind, IDENTITY)(raw), 4)

    def to_json(self) -> dict[str, Any]:
        return {"fitted_on": self.fitted_on,
                "maps": {n: {k: {"a": round(m.a, 6), "b": round(m.b, 6)} for k, m in kinds.items()}
                         for n, kinds in self.maps.items()}}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Calibration":
        maps = {n: {k: Platt(float(m["a"]), float(m["b"])) for k, m in kinds.items()} for n, kinds in d["maps"].items()}
        return cls(maps, d.get("fitted_on", ""))


UNCALIBRATED = Calibration()


@functools.cache
def load_calibration(path: Path = DEFAULT_CALIBRATION) -> Calibration:
    return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")))
