"""A deterministic embedder for unit tests: hashed bag of words, normalised."""

from __future__ import annotations

import hashlib
import re

import numpy as np


class FakeEmbedder:
    def __init__(self, dimension: int = 64, model_id: str = "fake-bow", seed: str = "") -> None:
        self.model_id = model_id
        self.dimension = dimension
        self._seed = seed
        self.encoded: list[str] = []

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.model_id}/{self.dimension}/{self._seed}".encode()).hexdigest()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int(hashlib.md5((self._seed + word).encode()).hexdigest(), 16)
                out[i, h % self.dimension] += 1.0 if (h >> 64) & 1 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
            if not norm:
                out[i, 0] = 1.0
        return out
