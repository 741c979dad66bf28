"""The joint reader: question and sentence read together by a cross-encoder, one score per pair.

    score(q, s) = a * cosine(q, s) + b + w . meanpool(MiniLM([CLS] q [SEP] s [SEP]))

Fine-tuned on CPU from the packaged all-MiniLM-L6-v2 weights on SQuAD 2.0 by bench/train_cross_encoder.py
and exported to int8 ONNX by bench/export_cross_encoder.py (int8 checked against fp32 there); shipped in
service/models/data/joint_reader/ with its model card (MODEL_CARD.md, sha256 checked by a test). The
cosine is the bi-encoder's, which the answerer already has, so an untrained head ranks as cosine does and
the score is a logit: sigmoid(score) is the probability that the sentence holds the answer."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from service.models.onnx import cpu_session, token_inputs
from service.models.reader import sha256

__all__ = ["JOINT_DIR", "MODEL_FILE", "JointReader", "load_joint_reader", "sha256"]

JOINT_DIR = Path(__file__).with_name("data") / "joint_reader"
MODEL_FILE = "model.int8.onnx"


class JointReader:
    """Scores (question, sentence) pairs with the shipped int8 cross-encoder."""

    def __init__(self, folder: Path = JOINT_DIR, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        card: dict[str, Any] = json.loads((folder / "joint_reader.json").read_text(encoding="utf-8"))
        self.folder = folder
        self.max_length = int(card["max_length"])
        self.model_sha256 = str(card.get("model_sha256", ""))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_length, strategy="longest_first")
        self._tokenizer.no_padding()
        self._session = cpu_session(folder / MODEL_FILE, threads)
        self._inputs = {i.name for i in self._session.get_inputs()}

    def scores(self, question: str, sentences: list[str], cosines: np.ndarray) -> np.ndarray:
        """(len(sentences),) logits, one per sentence read with the question; `cosines` are the
        bi-encoder's cosines of the question to each sentence."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        encs = self._tokenizer.encode_batch([(question, s) for s in sentences])
        feed = token_inputs(encs) | {"cosine": np.asarray(cosines, dtype=np.float32).reshape(len(encs))}
        out = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return np.asarray(out, dtype=np.float32).reshape(len(encs))


@functools.cache
def load_joint_reader(folder: Path = JOINT_DIR) -> JointReader:
    return JointReader(folder)
