"""What the pipeline needs from wherever the index lives, as two Protocols.

`IndexStore` is the writer's and the loader's view: versions, a writer lock, writing a build,
publishing it (the current pointer), pruning, and opening a version for queries. `ServedIndex` is
one published version as the query side sees it: dense and keyword rankings by passage row, and
look-ups of passages, sentences and documents. Rows are 0-based positions of a passage within
its version. Implementations: `stores.disk` (FAISS files on local disk, the default) and
`stores.pg` (PostgreSQL + pgvector, shared by many replicas).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from service.core.checkpoints import Checkpoint
from service.core.records import Chunk, Document, Entities, Sentence
from service.retrieval.bm25 import Bm25Index


@dataclass
class IndexData:
    """What one build holds; row i of `vectors` belongs to `chunks[i]`."""

    documents: list[Document]
    chunks: list[Chunk]
    chunk_keys: list[str]
    vectors: np.ndarray
    sentences: list[Sentence]
    sentence_keys: list[str]
    sentence_vectors: np.ndarray
    chunk_sentences: list[list[int]]
    bm25: Bm25Index


@runtime_checkable
class ServedIndex(Protocol):
    version: str
    manifest: dict[str, Any]

    @property
    def chunk_count(self) -> int: ...

    def dense_top(self, q_vec: np.ndarray, n: int) -> dict[int, float]:
        """Inner-product scores of (about) the `n` nearest passages, by row."""

    def keyword_top(self, query: str, n: int) -> dict[int, float]:
        """BM25 scores of the best `n` passages with a query term, by row."""

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The passages at `rows`, in that order."""

    def all_chunks(self) -> list[Chunk]: ...

    def sentences_of(self, rows: Sequence[int]) -> tuple[list[list[int]], list[Sentence], np.ndarray]:
        """For passages at `rows`: each one's sentences as indices into the returned sentence list,
        the unique sentences, and their vectors (one row per sentence)."""

    def document_list(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def title(self, doc_id: str) -> str: ...

    def check(self) -> None:
        """Raise StoreUnavailable when the store cannot answer queries now."""


class IndexStore(Protocol):
    """Where builds live. One writer at a time (`writer_lock`); any number of readers."""

    def describe(self) -> str:
        """Where the index is, for messages (never includes a password)."""

    def writer_lock(self) -> AbstractContextManager[None]: ...

    def clean_partial(self) -> int:
        """Remove what killed writers left; call while holding the writer lock."""

    def current_version(self) -> str | None: ...

    def has_version(self, version: str) -> bool: ...

    def read_manifest(self, version: str) -> dict[str, Any]: ...

    def vectors_by_key(self) -> dict[str, np.ndarray]:
        """Embed key -> vector of every passage and sentence of the current build (for reuse)."""

    def entities_by_text(self) -> dict[str, Entities]:
        """Sentence text -> its named entities, of the current build (for reuse: tagging is slow)."""

    def write(self, version: str, data: Any, manifest: dict[str, Any], checkpoint: Checkpoint) -> None:
        """Write a complete build, all or nothing; it is not served until published."""

    def publish(self, version: str) -> None:
        """Make `version` current in one atomic step."""

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest `keep` builds, never the current one."""

    def open(self, version: str | None = None) -> ServedIndex:
        """Open `version` (default: the current one) for queries, verified."""
