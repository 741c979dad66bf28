"""Settings -> ready objects. The glue that the edges (api, cli) share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from service.answering.extractive import AnswerSettings
from service.retrieval.bm25 import Bm25Params
from service.ingest.chunking import ChunkSettings
from service.core.errors import ConfigError
from service.models.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder, model_fingerprint
from service.stores.manifest import check_model
from service.app.encoders import (build_embedder, build_fingerprint, encoder_of, fp32_export,
                                  int8_query_embedder, onnx_cache, weights_of)
from service.pipeline import BuildSettings, Engine, RetrievalSettings
from service.models.reranker import CrossEncoderReranker
from service.app.settings import Settings
from service.stores.base import IndexStore, ServedIndex
from service.stores.disk.store import DiskStore

EmbedderFactory = Callable[[Settings], Embedder]
log = logging.getLogger("briefqa")


def torch_embedder(settings: Settings) -> Embedder:
    """The model in torch: queries fall back to it when no verified ONNX export exists. Builds take
    their encoder from `build_embedder` only."""
    return SentenceTransformerEmbedder(settings.model, settings.device)


def build_settings(settings: Settings) -> BuildSettings:
    return BuildSettings(
        corpus_dir=settings.corpus_dir,
        index_dir=settings.index_dir,
        model=settings.model,
        chunking=ChunkSettings(settings.chunk_size, settings.chunk_overlap),
        bm25=Bm25Params(),
        keep_builds=settings.keep_builds,
        onnx_cache=onnx_cache(settings),
        faiss_index=settings.faiss_index,
        ocr=settings.ocr,
        store=open_store(settings) if settings.store else None,
    )


def open_store(settings: Settings) -> IndexStore:
    """The disk store on index_dir, or the PostgreSQL store when BRIEFQA_STORE is a postgresql:// URL."""
    if settings.store is None:
        return DiskStore(settings.index_dir, settings.faiss_ef_search, settings.faiss_nprobe, settings.faiss_threads)
    url = settings.store.get_secret_value()
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("BRIEFQA_STORE must be a postgresql:// URL, or unset for the disk store in BRIEFQA_INDEX_DIR")
    from service.stores.pg.store import PgBuildOptions, PgStore  # psycopg is imported only when it is used
    from service.stores.pg.db import PgOptions

    options = PgOptions(pool_size=settings.pg_pool_size, timeout_s=settings.pg_timeout_s,
                        statement_timeout_ms=settings.pg_statement_timeout_ms,
                        ef_search=max(settings.pg_ef_search, settings.candidates))
    return PgStore(url, options, PgBuildOptions(hnsw_m=settings.pg_hnsw_m, grace_s=settings.pg_prune_grace_s))


def query_embedder(settings: Settings, fingerprint: str | None = None, encoder: str = "fp32") -> Embedder:
    """The encoder an index's vectors were made with, behind an LRU cache of query vectors: int8 ONNX
    for an int8 index; for fp32, the ONNX export when a verified one exists, else torch."""
    cache_root = onnx_cache(settings)
    fingerprint = fingerprint or (model_fingerprint(settings.model) if cache_root or encoder == "int8" else None)
    embedder: Embedder | None
    if encoder == "int8" and fingerprint:
        embedder = int8_query_embedder(settings, fingerprint)
    else:
        embedder = fp32_export(settings, fingerprint)
    if embedder is None:
        if settings.onnx:
            log.warning("no verified ONNX export of %s in %s; queries use torch (slower). "
                        "`briefqa index` makes one.", settings.model, cache_root)
        embedder = torch_embedder(settings)
    return CachedEmbedder(embedder, settings.query_cache) if settings.query_cache else embedder


def retrieval_settings(settings: Settings) -> RetrievalSettings:
    return RetrievalSettings(
        mode=settings.mode, fusion=settings.fusion, normalization=settings.normalization,
        alpha=settings.alpha, rrf_k=settings.rrf_k, candidates=settings.candidates,
        rerank_top_n=settings.rerank_top_n,
    )


def answer_settings(settings: Settings) -> AnswerSettings:
    return AnswerSettings(abstain_threshold=settings.abstain_threshold,
                          max_sentences=settings.max_answer_sentences, reader=settings.reader,
                          joint_candidates=settings.joint_candidates)


def load_engine(settings: Settings, embedder: Embedder | None = None, store: IndexStore | None = None) -> Engine:
    """Open the current index build and check that it was made with the configured model."""
    return engine_of((store or open_store(settings)).open(), settings, embedder)


def engine_of(index: ServedIndex, settings: Settings, embedder: Embedder | None = None) -> Engine:
    """An engine over an opened build; without `embedder`, queries use the encoder the build records
    (int8 or fp32), so any build `build_embedder` made is served with its own encoder."""
    if embedder is None:
        built = index.manifest["model"].get("fingerprint")
        fingerprint = model_fingerprint(settings.model)  # a local model's weights hash, without loading it
        if fingerprint is not None and fingerprint != weights_of(built):
            embedder = torch_embedder(settings)  # refused just below, with the model's own dimension
        else:
            embedder = query_embedder(settings, fingerprint, encoder_of(built))
    check_model(index.manifest, embedder.model_id, embedder.fingerprint(), embedder.dimension)
    reranker = CrossEncoderReranker(settings.reranker, settings.device) if settings.reranker else None
    return Engine(index, embedder, retrieval_settings(settings), answer_settings(settings), reranker)
