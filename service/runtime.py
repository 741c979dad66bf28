"""Settings -> ready objects. The glue that the edges (api, cli) share."""

from __future__ import annotations

from collections.abc import Callable

from service.answering import AnswerSettings
from service.bm25 import Bm25Params
from service.chunking import ChunkSettings
from service.embedding import Embedder, SentenceTransformerEmbedder
from service.manifest import check_model
from service.pipeline import BuildSettings, Engine, RetrievalSettings
from service.reranking import CrossEncoderReranker
from service.settings import Settings
from service.store import load_build

EmbedderFactory = Callable[[Settings], Embedder]


def default_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(settings.model, settings.device)


def build_settings(settings: Settings) -> BuildSettings:
    return BuildSettings(
        corpus_dir=settings.corpus_dir,
        index_dir=settings.index_dir,
        model=settings.model,
        chunking=ChunkSettings(settings.chunk_size, settings.chunk_overlap),
        bm25=Bm25Params(),
        keep_builds=settings.keep_builds,
    )


def retrieval_settings(settings: Settings) -> RetrievalSettings:
    return RetrievalSettings(
        mode=settings.mode, fusion=settings.fusion, normalization=settings.normalization,
        alpha=settings.alpha, rrf_k=settings.rrf_k, candidates=settings.candidates,
        rerank_top_n=settings.rerank_top_n,
    )


def answer_settings(settings: Settings) -> AnswerSettings:
    return AnswerSettings(abstain_threshold=settings.abstain_threshold,
                          max_sentences=settings.max_answer_sentences)


def load_engine(settings: Settings, embedder: Embedder | None = None) -> Engine:
    """Load the current index build and check that it was made with the configured model."""
    index = load_build(settings.index_dir)
    embedder = embedder or default_embedder(settings)
    check_model(index.manifest, embedder.model_id, embedder.fingerprint(), embedder.dimension)
    reranker = CrossEncoderReranker(settings.reranker, settings.device) if settings.reranker else None
    return Engine(index, embedder, retrieval_settings(settings), answer_settings(settings), reranker)
