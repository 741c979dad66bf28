"""Document runs and the fusion sweep. Each retriever's candidates are gathered once per query
(the Engine's fusion inputs: FAISS inner product, Bm25Index.top), then any fusion setting is
applied with retrieval.fuse, optionally reranked like Engine._rerank, and pooled to documents
(a document scores as its best chunk). Engine.search's cross-document near-duplicate filter is
left out: it serves answer passages, and BEIR counts every document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from service.embedding import Embedder
from service.pipeline import RetrievalSettings, passage_text
from service.reranking import Reranker
from service.evaluation import score_run
from service.records import Chunk
from service.retrieval import Scores, fuse, ranked
from service.store import LoadedIndex

ALPHAS = tuple(round(a / 10, 1) for a in range(11))
RRF_KS = (10, 30, 60, 100)
NORMALIZATIONS = ("minmax", "zscore")


@dataclass(frozen=True)
class FusionSetting:
    fusion: str  # "convex" or "rrf"; "dense"/"bm25" for a single retriever
    normalization: str = "-"
    alpha: float | None = None
    rrf_k: int | None = None

    def label(self) -> str:
        if self.fusion == "convex":
            return f"convex {self.normalization} α={self.alpha:.1f}"
        if self.fusion == "rrf":
            return f"rrf k={self.rrf_k}"
        return self.fusion


@dataclass(frozen=True)
class Candidates:
    """Per query, each retriever's top chunk rows and scores (the Engine's fusion inputs)."""

    dense: dict[str, dict[int, float]]
    sparse: dict[str, dict[int, float]]


def gather(index: LoadedIndex, embedder: Embedder, queries: dict[str, str], n: int) -> Candidates:
    qids = list(queries)
    n = min(n, len(index.data.chunks))
    vectors = embedder.encode([queries[q] for q in qids])
    scores, rows = index.dense.search(np.ascontiguousarray(vectors, dtype=np.float32), n)
    dense = {q: {int(r): float(s) for r, s in zip(rows[i], scores[i]) if r >= 0} for i, q in enumerate(qids)}
    sparse = {q: index.data.bm25.top(queries[q], n) for q in qids}
    return Candidates(dense, sparse)


def grid(alphas: Sequence[float] = ALPHAS, rrf_ks: Sequence[int] = RRF_KS,
         normalizations: Sequence[str] = NORMALIZATIONS) -> list[FusionSetting]:
    singles = [FusionSetting("dense"), FusionSetting("bm25")]
    convex = [FusionSetting("convex", n, a) for n in normalizations for a in alphas]
    return singles + convex + [FusionSetting("rrf", rrf_k=k) for k in rrf_ks]


def fused(c: Candidates, qid: str, s: FusionSetting) -> Scores:
    if s.fusion == "dense":
        return c.dense[qid]
    if s.fusion == "bm25":
        return c.sparse[qid]
    return fuse(c.dense[qid], c.sparse[qid], s.fusion, s.alpha or 0.0, s.normalization
                if s.normalization != "-" else "minmax", s.rrf_k or 60)


def doc_ranking(scores: Scores, chunks: Sequence[Chunk], n: int = 100) -> list[str]:
    """Documents by their best chunk's score."""
    out: dict[str, None] = {}
    for row in ranked(scores):
        out.setdefault(chunks[row].doc_id, None)
        if len(out) == n:
            break
    return list(out)


def for_mode(mode: str, s: RetrievalSettings) -> FusionSetting:
    if mode in ("dense", "bm25"):
        return FusionSetting(mode)
    return FusionSetting(s.fusion, s.normalization, s.alpha, s.rrf_k)


def rerank(reranker: Reranker, query: str, rows: list[int], chunks: Sequence[Chunk], top_n: int) -> list[int]:
    """The top_n rows re-ordered by the reranker's scores, the rest after them (as Engine._rerank)."""
    head = rows[:top_n]
    scores = reranker.scores(query, [passage_text(chunks[r].section, chunks[r].text) for r in head])
    order = sorted(range(len(head)), key=lambda i: (-scores[i], head[i]))
    return [head[i] for i in order] + rows[top_n:]


def document_run(c: Candidates, chunks: Sequence[Chunk], setting: FusionSetting,
                 queries: dict[str, str] | None = None, reranker: Reranker | None = None,
                 top_n: int = 20, n: int = 100) -> dict[str, list[str]]:
    """Each query's top-n documents under `setting` (reranked when a reranker and queries are given)."""
    out = {}
    for q in c.dense:
        scores = fused(c, q, setting)
        if reranker is not None and queries is not None:
            scores = _rank_scores(rerank(reranker, queries[q], ranked(scores), chunks, top_n))
        out[q] = doc_ranking(scores, chunks, n)
    return out


def _rank_scores(rows: list[int]) -> dict[int, float]:
    return {r: float(len(rows) - i) for i, r in enumerate(rows)}


def evaluate_settings(c: Candidates, chunks: Sequence[Chunk], qrels: dict[str, dict[str, int]],
                      settings: Iterable[FusionSetting]) -> list[dict[str, object]]:
    rows = []
    for s in settings:
        run = document_run(c, chunks, s)
        rows.append({**asdict(s), "label": s.label(), **score_run(run, qrels)})
    return rows


def best(rows: list[dict[str, object]], metric: str = "ndcg@10") -> dict[str, object]:
    """The best fused setting by `metric`; ties go to the earlier row (grid order)."""
    fused_rows = [r for r in rows if r["fusion"] in ("convex", "rrf")]
    return max(fused_rows, key=lambda r: float(r[metric]))  # max keeps the first of equals
