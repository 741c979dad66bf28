"""All settings in one place, read from BRIEFQA_* environment variables at the edges (api, cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.core.modes import Mode
from service.ingest.ocr import MODES as OCR_MODES
from service.models.embedding import DEFAULT_MODEL

Fusion = Literal["convex", "rrf"]
Normalization = Literal["minmax", "zscore"]
Encoder = Literal["int8", "fp32"]
OcrMode = Literal["auto", "tesseract", "rapidocr", "off"]
assert set(get_args(OcrMode)) == set(OCR_MODES)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFQA_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to index.")
    index_dir: Path = Field(Path("index"), description="Folder holding index builds.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Embedding model: a local directory, a hub name, or the packaged default.",
    )
    device: str = Field("cpu", description="Torch device for the embedding model.")
    chunk_size: int = Field(600, ge=50, le=8000, description="Maximum characters per passage.")
    chunk_overlap: int = Field(80, ge=0, description="Characters shared by neighbouring passages.")
    mode: Mode = Field("hybrid", description="Default retrieval mode.")
    fusion: Fusion = Field("convex", description="How hybrid mode fuses dense and BM25 rankings.")
    normalization: Normalization = Field("minmax", description="Score normalisation for convex fusion.")
    alpha: float = Field(0.5, ge=0.0, le=1.0, description="Dense weight in convex fusion.")
    rrf_k: int = Field(60, ge=1, description="k of reciprocal rank fusion.")
    candidates: int = Field(100, ge=1, le=10000, description="Candidates per retriever before fusion.")
    abstain_threshold: float = Field(
        0.38, description="Answers whose best sentence scores below this abstain."
    )
    max_answer_sentences: int = Field(3, ge=1, le=10, description="Most sentences in an answer.")
    reader: bool = Field(False, description="Let the trained reader (service/models/data/reader/) pick answer sentences and abstain; off by default: on held-out it did not beat the evidence answerer (docs/ANSWERS.md).")
    joint_candidates: int = Field(0, ge=0, le=20, description="Let the cross-encoder (service/models/data/joint_reader/) re-read this many best candidate sentences, blended half and half with the answerer's score; 0 (the default): off. On dev it tied the evidence answerer and adds about 17-44 ms a question (docs/ANSWERS.md).")
    onnx: bool = Field(True, description="Encode queries with an ONNX export of the model (made by `briefqa index`).")
    encoder: Encoder = Field("int8", description="Encoder of new index builds and so of their queries: int8 (ONNX, quantised, verified against fp32) or fp32 (torch builds, ONNX queries).")
    build_threads: int = Field(2, ge=1, le=64, description="onnxruntime threads encoding passages and sentences in `briefqa index` (int8 encoder).")
    onnx_threads: int = Field(1, ge=1, le=64, description="onnxruntime threads per query encoding.")
    onnx_cache: Path | None = Field(None, description="Folder of the model's ONNX exports (fp32 and int8), made once per weights and shared by every index folder that names it; default INDEX_DIR/onnx.")
    query_cache: int = Field(1024, ge=0, le=1_000_000, description="Query vectors kept in an LRU cache (0: off).")
    answer_cache: int = Field(1024, ge=0, le=1_000_000, description="Whole /v1/ask answers kept per index version in an LRU cache (0: off).")
    faiss_index: str = Field("Flat", description="FAISS factory string of the dense index, e.g. Flat, HNSW32, IVF4096,PQ48.")
    faiss_ef_search: int = Field(128, ge=1, le=10000, description="HNSW efSearch at query time (HNSW indexes only).")
    faiss_threads: int = Field(1, ge=1, le=256, description="FAISS OpenMP threads when serving queries (one query at a time gains nothing from more).")
    faiss_nprobe: int = Field(32, ge=1, le=65536, description="IVF lists probed at query time (IVF indexes only).")
    reranker: Path | None = Field(None, description="Local cross-encoder directory; off when unset.")
    rerank_top_n: int = Field(20, ge=1, le=1000, description="Hits the reranker re-scores.")
    keep_builds: int = Field(3, ge=1, le=100, description="Published index builds kept on disk.")
    store: SecretStr | None = Field(None, description="Where builds live: unset for index_dir on local disk, or a postgresql:// URL (PostgreSQL with pgvector, shared by replicas).")
    store_primary: SecretStr | None = Field(None, description="PostgreSQL store: where index jobs write (uploaded files, builds, jobs) when BRIEFQA_STORE is a read-only hot standby; default BRIEFQA_STORE.")
    pg_pool_size: int = Field(8, ge=1, le=1000, description="PostgreSQL store: most pooled connections per process.")
    pg_timeout_s: float = Field(2.0, gt=0, le=60, description="PostgreSQL store: seconds to connect or wait for a pooled connection before a 503.")
    pg_statement_timeout_ms: int = Field(5000, ge=10, le=600_000, description="PostgreSQL store: longest a query may run.")
    pg_ef_search: int = Field(100, ge=1, le=1000, description="PostgreSQL store: HNSW ef_search (raised to `candidates` when that is larger).")
    pg_hnsw_m: int = Field(16, ge=2, le=100, description="PostgreSQL store: HNSW m of each build's vector index.")
    pg_prune_grace_s: float = Field(60.0, ge=0, description="PostgreSQL store: a replaced build is kept at least this long, for replicas still serving it.")
    reload_poll_s: float = Field(1.0, ge=0, le=3600, description="PostgreSQL store: how often a server checks for a newly published build (0: never).")
    ocr: OcrMode = Field("auto", description="OCR of scanned PDF pages and PNG/JPEG/TIFF files: auto (Tesseract when installed, else RapidOCR when installed), tesseract, rapidocr, or off (such files are listed as skipped, with the reason).")
    host: str = Field("127.0.0.1", description="Address `briefqa serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `briefqa serve` binds.")
    server_url: str = Field("http://127.0.0.1:8000", description="Server the `briefqa documents` commands talk to.")
    api_key: SecretStr | None = Field(None, description="When set, /v1/* needs it (Bearer or X-API-Key).")
    admin_key: SecretStr | None = Field(None, description="Key for /v1/admin/*; admin routes are off when unset.")
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS; CORS is off when empty.")
    max_body_bytes: int = Field(65536, ge=1024, le=64 * 1024 * 1024, description="Largest request body accepted.")
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1024, le=2 * 1024 * 1024 * 1024, description="Largest document file `POST /v1/documents` accepts (each file, and all files of one request together).")
    llm_url: str | None = Field(None, description="OpenAI-compatible base URL (e.g. http://127.0.0.1:8080/v1); the LLM answerer is off when unset.")
    llm_model: str = Field("default", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer key for the LLM endpoint, if it needs one.")
    llm_timeout_s: float = Field(30.0, gt=0, le=600, description="Seconds to wait for the LLM before falling back to the extractive answer.")
    llm_max_tokens: int = Field(256, ge=16, le=4096, description="Most tokens the LLM may generate per answer.")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="LLM sampling temperature.")
    grounding_threshold: float = Field(0.6, ge=0, le=1, description="Generated sentences whose support by their cited passage scores below this are dropped.")
    test_pause_at: str | None = Field(None, description="Test only: `briefqa index` pauses at this build step.")

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})"
            )
        return self
