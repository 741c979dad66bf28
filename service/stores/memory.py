"""One build held in memory: the disk store's ServedIndex (FAISS for dense, bm25s for keywords)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import faiss
import numpy as np

from service.core.records import Chunk, Document, Sentence
from service.stores.base import IndexData


def local_sentences(rows: Sequence[int], chunk_sentences: Sequence[Sequence[int]]) -> tuple[list[list[int]], list[int]]:
    """Renumber the sentences of the passages at `rows` 0.. in first-seen order: (per passage, global rows)."""
    local: dict[int, int] = {}
    per_chunk = [[local.setdefault(s, len(local)) for s in chunk_sentences[r]] for r in rows]
    return per_chunk, list(local)


@dataclass
class LoadedIndex:
    data: IndexData
    manifest: dict[str, Any]
    version: str
    dense: faiss.Index
    documents: dict[str, Document] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.documents = {d.doc_id: d for d in self.data.documents}

    @property
    def chunk_count(self) -> int:
        return len(self.data.chunks)

    def dense_top(self, q_vec: np.ndarray, n: int) -> dict[int, float]:
        n = min(n, self.chunk_count)
        if n <= 0:
            return {}
        scores, rows = self.dense.search(np.ascontiguousarray(q_vec[None, :], dtype=np.float32), n)
        return {int(r): float(s) for r, s in zip(rows[0], scores[0]) if r >= 0}

    def keyword_top(self, query: str, n: int) -> dict[int, float]:
        return self.data.bm25.top(query, min(n, self.chunk_count))

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        return [self.data.chunks[r] for r in rows]

    def all_chunks(self) -> list[Chunk]:
        return list(self.data.chunks)

    def sentences_of(self, rows: Sequence[int]) -> tuple[list[list[int]], list[Sentence], np.ndarray]:
        per_chunk, srows = local_sentences(rows, self.data.chunk_sentences)
        vectors = self.data.sentence_vectors[srows] if srows else np.zeros((0, self.dense.d), np.float32)
        return per_chunk, [self.data.sentences[s] for s in srows], vectors

    def document_list(self) -> list[Document]:
        return list(self.documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def title(self, doc_id: str) -> str:
        return self.documents[doc_id].title

    def check(self) -> None:
        """Always servable: everything is in memory."""
