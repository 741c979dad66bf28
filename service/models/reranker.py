"""Reranker protocol and the cross-encoder implementation (a local model directory only)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from service.core.errors import ConfigError


class Reranker(Protocol):
    def scores(self, query: str, texts: list[str]) -> list[float]: ...


class CrossEncoderReranker:
    def __init__(self, model_dir: Path, device: str = "cpu") -> None:
        if not Path(model_dir).is_dir():
            raise ConfigError(f"reranker {model_dir} is not a directory holding a cross-encoder model")
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(str(model_dir), device=device)
        except Exception as exc:  # many library error types; the user needs one sentence
            raise ConfigError(f"cannot load reranker from {model_dir}: {exc}") from exc

    def scores(self, query: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        pairs = [(query, text) for text in texts]
        return [float(s) for s in self._model.predict(pairs, show_progress_bar=False)]
