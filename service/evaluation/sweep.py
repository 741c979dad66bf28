"""Document runs and the fusion sweep, through the Engine. Each query's retriever rankings are
gathered once (Engine.rankings: the ServedIndex's dense and keyword top-n), then any fusion setting
is applied with pipeline.query.combine, optionally reranked by Engine.rerank, and pooled to
documents (a document scores as its best chunk). Engine.search's cross-document near-duplicate
filter is left out: it serves answer passages, and BEIR counts every document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from service.core.records import Chunk
from service.evaluation.testset import score_run
from service.pipeline import Engine, RetrievalSettings
from service.pipeline.query import Rankings, combine
from service.retrieval.fusion import Scores, ranked

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


def gather(engine: Engine, queries: dict[str, str], n: int | None = None) -> dict[str, Rankings]:
    """Each query's dense and keyword rankings (top `n`, default the engine's `candidates`)."""
    qids = list(queries)
    vectors = engine.embedder.encode([queries[q] for q in qids])
    return {q: engine.rankings(queries[q], vectors[i], "hybrid", n) for i, q in enumerate(qids)}


def grid(alphas: Sequence[float] = ALPHAS, rrf_ks: Sequence[int] = RRF_KS,
         normalizations: Sequence[str] = NORMALIZATIONS) -> list[FusionSetting]:
    singles = [FusionSetting("dense"), FusionSetting("bm25")]
    convex = [FusionSetting("convex", n, a) for n in normalizations for a in alphas]
    return singles + convex + [FusionSetting("rrf", rrf_k=k) for k in rrf_ks]


def fused(engine: Engine, r: Rankings, s: FusionSetting) -> Scores:
    """The ranking a fusion setting gives, as the Engine would serve it with that setting."""
    if s.fusion in ("dense", "bm25"):
        return combine(r, s.fusion, engine.settings)
    settings = replace(engine.settings, fusion=s.fusion, alpha=s.alpha or 0.0, rrf_k=s.rrf_k or 60,
                       normalization=s.normalization if s.normalization != "-" else "minmax")
    return combine(r, "hybrid", settings)


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


def document_run(engine: Engine, rankings: dict[str, Rankings], setting: FusionSetting,
                 queries: dict[str, str] | None = None, n: int = 100) -> dict[str, list[str]]:
    """Each query's top-n documents under `setting` (reranked when the engine has a reranker and
    the queries are given)."""
    chunks = engine.index.all_chunks()
    out = {}
    for q, r in rankings.items():
        scores = fused(engine, r, setting)
        if engine.reranker is not None and queries is not None:
            rows, _ = engine.rerank(queries[q], ranked(scores))
            scores = _rank_scores(rows)
        out[q] = doc_ranking(scores, chunks, n)
    return out


def _rank_scores(rows: list[int]) -> dict[int, float]:
    return {r: float(len(rows) - i) for i, r in enumerate(rows)}


def evaluate_settings(engine: Engine, rankings: dict[str, Rankings], qrels: dict[str, dict[str, int]],
                      settings: Iterable[FusionSetting]) -> list[dict[str, object]]:
    rows = []
    for s in settings:
        run = document_run(engine, rankings, s)
        rows.append({**asdict(s), "label": s.label(), **score_run(run, qrels)})
    return rows


def best(rows: list[dict[str, object]], metric: str = "ndcg@10") -> dict[str, object]:
    """The best fused setting by `metric`; ties go to the earlier row (grid order)."""
    fused_rows = [r for r in rows if r["fusion"] in ("convex", "rrf")]
    return max(fused_rows, key=lambda r: float(r[metric]))  # max keeps the first of equals
