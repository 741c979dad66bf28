"""The dense side of the index: a FAISS inner-product index made from a factory string.

"Flat" (exact, the default) suits corpora up to a few hundred thousand passages; "HNSW32" or
"IVF4096,PQ48" trade a little recall for speed and memory at millions (see bench/scale.py).
"""

from __future__ import annotations

import faiss
import numpy as np

from service.core.errors import ConfigError

MAX_TRAIN = 262_144


def build_dense(vectors: np.ndarray, factory: str = "Flat", ef_construction: int = 80,
                seed: int = 0) -> faiss.Index:
    """Build (and train, if the type needs it) an inner-product index over normalised vectors."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    try:
        index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError as exc:
        raise ConfigError(f"FAISS cannot make an index from factory string {factory!r}: {exc}") from exc
    hnsw = _hnsw(index)
    if hnsw is not None:
        hnsw.efConstruction = ef_construction
    if not index.is_trained:
        rng = np.random.default_rng(seed)
        sample = vectors if len(vectors) <= MAX_TRAIN else vectors[rng.choice(len(vectors), MAX_TRAIN, replace=False)]
        index.train(sample)
    index.add(vectors)
    return index


def _hnsw(index: faiss.Index) -> faiss.HNSW | None:
    inner = faiss.downcast_index(index)
    return inner.hnsw if hasattr(inner, "hnsw") else None


def tune(index: faiss.Index, ef_search: int | None = None, nprobe: int | None = None,
         threads: int | None = None) -> None:
    """Set search-time accuracy knobs where the index type has them, and FAISS's OpenMP threads
    (process-wide). One query at a time gains nothing from more threads and, beside torch's or
    onnxruntime's own pools, loses a lot: a 10k-passage Flat search took 16 ms with 2, 0.8 ms with 1."""
    if threads:
        faiss.omp_set_num_threads(threads)
    hnsw = _hnsw(index)
    if hnsw is not None and ef_search:
        hnsw.efSearch = ef_search
    if nprobe:
        try:
            faiss.extract_index_ivf(index).nprobe = nprobe
        except RuntimeError:
            pass  # not an IVF index
