"""Build side of the pipeline: load -> chunk -> sentences -> embed (reusing unchanged vectors)
-> BM25 -> write the build -> publish -> prune."""

from __future__ import annotations

import functools
import time
from datetime import datetime, timezone
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from service.retrieval.bm25 import Bm25Index, Bm25Params
from service.core.checkpoints import Checkpoint, no_checkpoint
from service.ingest.chunking import ChunkSettings, split_corpus
from service.ingest.corpus import read_corpus
from service.models.embedding import Embedder
from service.models.entities import MODEL as ENTITY_MODEL, spacy_entities
from service.core.errors import BriefqaError
from service.stores.manifest import new_manifest
from service.pipeline.query import embed_key, passage_text
from service.core.records import Chunk, Document, Entities, Sentence
from service.text.sentences import chunk_sentences, clean
from service.stores.base import IndexStore
from service.stores.disk.store import DiskStore
from service.stores.base import IndexData

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildSettings:
    corpus_dir: Path
    index_dir: Path
    model: str
    chunking: ChunkSettings = ChunkSettings()
    bm25: Bm25Params = Bm25Params()
    keep_builds: int = 3
    checkpoint: Checkpoint = field(default=no_checkpoint, compare=False, repr=False)  # crash tests pause here
    sentences: bool = True  # False: no sentence spans or vectors (retrieval-only indexes, e.g. BEIR)
    onnx_cache: Path | None = None  # where to export the model to ONNX for fast queries; None: don't
    faiss_index: str = "Flat"  # FAISS factory string of the dense index (see service/vector_index.py)
    store: IndexStore | None = field(default=None, compare=False, repr=False)  # None: DiskStore(index_dir)
    ocr: str = "auto"  # OCR of scanned pages: auto, tesseract, rapidocr or off (service/ingest/ocr)

    def index_store(self) -> IndexStore:
        return self.store if self.store is not None else DiskStore(self.index_dir)

    def fingerprint_settings(self) -> dict[str, object]:
        """The settings a build depends on; a change makes the index stale."""
        fp: dict[str, object] = {
            "chunk_size": self.chunking.size, "chunk_overlap": self.chunking.overlap,
            "bm25": {"k1": self.bm25.k1, "b": self.bm25.b, "method": self.bm25.method},
            "passage_text": "subheading+clean/v1",
            "document_text": "list-markers+pdf-word-gaps+notices+title-blocks+centred-titles/v5"}  # HTML/DOCX list items as "- item" lines; PDF words by font size; copyright lines and title-block authors are not headings; a centred title block gives the title
        if not self.sentences:
            fp["sentences"] = False
        else:  # sentence spans (hard-wrapped paragraphs joined) and their named entities
            fp["sentence_units"] = "wrap-joined/v2"
            fp["entities"] = ENTITY_MODEL
        if self.faiss_index != "Flat":
            fp["faiss_index"] = self.faiss_index
        return fp


@dataclass(frozen=True)
class BuildReport:
    version: str
    documents: int
    chunks: int
    sentences: int
    embedded: int
    reused: int
    seconds: float
    up_to_date: bool = False
    cleaned: int = 0
    pruned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that could not be read, each named
    fast_path: str = ""  # ONNX query encoder: 'cached', 'exported', 'torch' (fallback) or '' (not asked)


def _sentences(chunks: list[Chunk]) -> tuple[list[Sentence], list[list[int]]]:
    """Unique sentence spans and, per chunk, the rows of its sentences."""
    rows: dict[tuple[str, int, int], int] = {}
    unique: list[Sentence] = []
    per_chunk: list[list[int]] = []
    for chunk in chunks:
        mine = []
        for s in chunk_sentences(chunk):
            key = (s.doc_id, s.start, s.end)
            if key not in rows:
                rows[key] = len(unique)
                unique.append(s)
            mine.append(rows[key])
        per_chunk.append(mine)
    return unique, per_chunk


def _tag(sentences: list[Sentence], progress: Progress | None,
         known: Mapping[str, Entities]) -> list[Sentence]:
    """Each sentence with its named entities (index time only: queries never run the tagger); a
    sentence the current build already tagged keeps its entities (they depend on its text only)."""
    todo = sorted({s.text for s in sentences if s.text not in known})
    found = dict(zip(todo, spacy_entities(
        todo, progress=(lambda done, total: progress("entities", done, total)) if progress else None))) if todo else {}
    return [replace(s, entities=found[s.text] if s.text in found else known[s.text]) for s in sentences]


def _embed(texts: list[str], keys: list[str], reuse: dict[str, np.ndarray], embedder: Embedder,
           progress: Progress | None, label: str) -> tuple[np.ndarray, int]:
    # longest first, so each batch holds texts of similar length and pads little
    todo = sorted((i for i, k in enumerate(keys) if k not in reuse), key=lambda i: -len(texts[i]))
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in reuse:
            out[i] = reuse[k]
    step = 256
    for a in range(0, len(todo), step):
        batch = todo[a : a + step]
        out[batch] = embedder.encode([texts[i] for i in batch])
        if progress:
            progress(label, min(a + step, len(todo)), len(todo))
    return out, len(todo)


def _model_record(embedder: Embedder, fp: str) -> dict[str, object]:
    """What made the vectors; `encoder` is recorded when it is not fp32 (the fingerprint carries it too)."""
    model: dict[str, object] = {"id": embedder.model_id, "fingerprint": fp, "dimension": embedder.dimension}
    encoder = getattr(embedder, "encoder", "fp32")
    return model if encoder == "fp32" else {**model, "encoder": encoder}


def _new_version(target: IndexStore, content: str) -> str:
    """Sortable by time, unique, and telling which content it holds."""
    while True:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        version = f"{stamp}-{content}"
        if not target.has_version(version):
            return version


def is_up_to_date(settings: BuildSettings, docs: list[Document], fingerprint: str | None) -> str | None:
    """The current version when it was built from these files, settings and model weights."""
    target = settings.index_store()
    version = target.current_version()
    if version is None or fingerprint is None:
        return None
    try:
        manifest = target.read_manifest(version)
    except BriefqaError:
        return None
    same = (manifest["corpus"]["files"] == {d.doc_id: d.sha256 for d in docs}
            and manifest["settings"] == settings.fingerprint_settings()
            and manifest["model"]["fingerprint"] == fingerprint)
    return version if same else None


def build_index(settings: BuildSettings, embedder_factory: Callable[[], Embedder],
                fingerprint: str | None = None, force: bool = False,
                progress: Progress | None = None) -> BuildReport:
    """Build and publish a new index version, unless the current one is already up to date."""
    t0 = time.perf_counter()
    loaded = read_corpus(settings.corpus_dir, ocr=settings.ocr)
    factory = functools.cache(embedder_factory)  # load the model at most once
    report = build_documents(settings, loaded.documents, factory, fingerprint, force, progress, t0=t0)
    fast_path = ensure_fast_path(settings.onnx_cache, factory, fingerprint) if settings.onnx_cache else ""
    return replace(report, skipped=loaded.skipped, fast_path=fast_path)


def ensure_fast_path(cache_root: Path, factory: Callable[[], Embedder], fingerprint: str | None) -> str:
    """Export the model to ONNX for fast queries, once per weights hash: 'cached', 'exported' or 'torch'."""
    from service.models.int8 import verified_int8, weights_of
    from service.models.onnx import verified_export

    weights = weights_of(fingerprint)
    if weights and (verified_export(cache_root, weights) or verified_int8(cache_root, weights)):
        return "cached"
    export = getattr(factory(), "export_onnx", None)
    return "exported" if export is not None and export(cache_root) else "torch"


def build_documents(settings: BuildSettings, docs: list[Document], embedder_factory: Callable[[], Embedder],
                    fingerprint: str | None = None, force: bool = False, progress: Progress | None = None,
                    reuse: Mapping[str, np.ndarray] | None = None, t0: float | None = None) -> BuildReport:
    """Build and publish an index of in-memory documents (`settings.corpus_dir` is not read),
    unless the current one is already up to date. `reuse` adds vectors (by embed key) to those
    of the current build, so a caller can share vectors between index folders."""
    t0 = time.perf_counter() if t0 is None else t0
    target = settings.index_store()
    with target.writer_lock():
        cleaned = target.clean_partial()
        current = None if force else is_up_to_date(settings, docs, fingerprint)
        if current:
            m = target.read_manifest(current)["counts"]
            return BuildReport(current, m["documents"], m["chunks"], m["sentences"], 0, 0,
                               time.perf_counter() - t0, up_to_date=True, cleaned=cleaned)
        embedder = embedder_factory()
        report = _build(settings, docs, embedder, progress, t0, reuse or {})
        return BuildReport(**{**report.__dict__, "cleaned": cleaned,
                              "pruned": target.prune(settings.keep_builds)})


def _build(settings: BuildSettings, docs: list[Document], embedder: Embedder,
           progress: Progress | None, t0: float, extra: Mapping[str, np.ndarray]) -> BuildReport:
    fp = embedder.fingerprint()
    chunks = split_corpus(docs, settings.chunking)
    sentences, per_chunk = _sentences(chunks) if settings.sentences else ([], [[] for _ in chunks])
    target = settings.index_store()
    sentences = _tag(sentences, progress, target.entities_by_text() if sentences else {})
    p_texts = [passage_text(c.section, c.text) for c in chunks]
    s_texts = [clean(s.text) for s in sentences]
    p_keys = [embed_key(fp, t) for t in p_texts]
    s_keys = [embed_key(fp, t) for t in s_texts]
    reuse = {**extra, **target.vectors_by_key()}
    vectors, n1 = _embed(p_texts, p_keys, reuse, embedder, progress, "passages")
    s_vectors, n2 = _embed(s_texts, s_keys, reuse, embedder, progress, "sentences")
    settings.checkpoint("embedded")
    bm25 = Bm25Index.build(p_texts, settings.bm25)
    version = _new_version(target, embed_key(fp, "".join(p_keys))[:8])
    counts = {"documents": len(docs), "chunks": len(chunks), "sentences": len(sentences)}
    manifest = new_manifest(
        version=version,
        model=_model_record(embedder, fp),
        settings=settings.fingerprint_settings(),
        corpus_files={d.doc_id: d.sha256 for d in docs},
        counts=counts,
    )
    data = IndexData(docs, chunks, p_keys, vectors, sentences, s_keys, s_vectors, per_chunk, bm25)
    target.write(version, data, manifest, settings.checkpoint)
    settings.checkpoint("written")
    target.publish(version)
    settings.checkpoint("published")
    return BuildReport(version, len(docs), len(chunks), len(sentences), n1 + n2,
                       len(chunks) + len(sentences) - n1 - n2, time.perf_counter() - t0)
