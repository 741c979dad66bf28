"""The trained reader: which candidate sentence answers a question, and whether any does.

Two parts, trained by bench/train_reader.py on SQuAD 2.0 (its first twelve articles) and the
project's dev splits, shipped in service/models/data/reader/ with a model card (MODEL_CARD.md):

- the sentence head, a small MLP in ONNX (int8 when it ranks like its fp32 export, else fp32;
  reader.json says which): one row of reader columns per candidate sentence in, one score (a
  logit, higher answers) out;
- the question head, a logistic regression over the question-level reading (reader.json), giving
  the probability that the candidates answer the question at all, calibrated on the dev data; the
  answerer abstains below `threshold`.

The columns are computed by service/answering/reader_input.py; the names each part reads are stored
with it and checked when the reader is loaded, so a model trained on other columns is refused."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

READER_DIR = Path(__file__).with_name("data") / "reader"
HEAD_FILE = "sentence_head.onnx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class QuestionHead:
    """Standardise, weigh, squash: P(the candidates answer the question)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def __call__(self, row: np.ndarray) -> float:
        z = float(((row - self.mean) / self.scale) @ self.weights + self.bias)
        return float(1.0 / (1.0 + np.exp(-z)))

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "weights": self.weights.round(6).tolist(), "bias": round(self.bias, 6)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "QuestionHead":
        return cls(np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]), float(d["bias"]))


class Reader:
    """The shipped reader; `sentence_columns` and `question_columns` are what it was trained on."""

    def __init__(self, folder: Path = READER_DIR) -> None:
        import onnxruntime as ort

        card = json.loads((folder / "reader.json").read_text(encoding="utf-8"))
        self.folder = folder
        self.sentence_columns: tuple[str, ...] = tuple(card["sentence_columns"])
        self.question_columns: tuple[str, ...] = tuple(card["question_columns"])
        self.question = QuestionHead.from_json(card["question_head"])
        self.threshold = float(card["threshold"])
        self.head_sha256 = str(card["sentence_head_sha256"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / HEAD_FILE), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def check(self, sentence_columns: tuple[str, ...], question_columns: tuple[str, ...]) -> "Reader":
        """The reader, when it reads the columns the caller computes; else ValueError saying which differ."""
        if sentence_columns != self.sentence_columns or question_columns != self.question_columns:
            raise ValueError(f"the reader in {self.folder} was trained on columns {list(self.sentence_columns)} / "
                             f"{list(self.question_columns)}, not {list(sentence_columns)} / {list(question_columns)}; "
                             "retrain it with `python bench/train_reader.py`")
        return self

    def sentence_scores(self, rows: np.ndarray) -> np.ndarray:
        """(candidates, columns) -> (candidates,) logits: higher, more likely the answering sentence."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return self._session.run(None, {self._input: np.ascontiguousarray(rows, dtype=np.float32)})[0][:, 0]

    def answerable(self, row: np.ndarray) -> float:
        return self.question(np.asarray(row, dtype=np.float64))


@functools.cache
def load_reader(folder: Path = READER_DIR) -> Reader:
    return Reader(folder)
