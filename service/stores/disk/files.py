"""The index on disk: versioned builds, written atomically, verified on load. No pickle."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from service.retrieval.bm25 import Bm25Index
from service.retrieval.dense import build_dense
from service.core.errors import IndexCorrupt, IndexNotBuilt
from service.core.checkpoints import Checkpoint, no_checkpoint
from service.stores.manifest import MANIFEST, MANIFEST_SUM, manifest_sum_line, read_manifest, sha256_file, verify_files
from service.core.records import Chunk, Document, Section, Sentence, entity_spans
from service.stores.base import IndexData
from service.stores.memory import LoadedIndex

POINTER = "CURRENT"
BUILDS = "builds"
TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, value: Any) -> None:
    with path.open("w", encoding="utf-8") as fh:
        json.dump(value, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _write_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())


def current_version(index_dir: Path) -> str | None:
    try:
        version = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def build_dir(index_dir: Path, version: str) -> Path:
    return index_dir / BUILDS / version


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time; a killed writer's lock is released by the kernel."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def clean_partial_builds(index_dir: Path) -> int:
    """Remove what killed builds left behind. Call only while holding the build lock."""
    builds = index_dir / BUILDS
    stale = [p for p in builds.glob(TMP_PREFIX + "*")] if builds.is_dir() else []
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def _documents_json(docs: list[Document]) -> list[dict[str, Any]]:
    """One object per document; `ocr_pages` only on documents with OCR'd pages, so the files of a corpus
    without scans are what they were before OCR existed."""
    return [
        {"doc_id": d.doc_id, "title": d.title, "source": d.source, "sha256": d.sha256, "text": d.text,
         "sections": [[s.title, s.level, s.start, s.end, list(s.path), s.body_start] for s in d.sections],
         "pages": list(d.pages), **({"ocr_pages": [list(p) for p in d.ocr_pages]} if d.ocr_pages else {})}
        for d in docs
    ]


def write_build(index_dir: Path, version: str, data: IndexData, manifest: dict[str, Any],
                checkpoint: Checkpoint = no_checkpoint) -> Path:
    """Write every file into a temporary folder, fsync, then rename it into place. A process killed
    at any moment leaves at most a `.tmp-*` folder (removed by the next build) or a complete build."""
    builds = index_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f"{TMP_PREFIX}{version}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    _write_json(tmp / "documents.json", _documents_json(data.documents))
    _write_json(tmp / "chunks.json", [
        [c.chunk_id, c.doc_id, c.start, c.end, list(c.section), c.page, key, sents]
        for c, key, sents in zip(data.chunks, data.chunk_keys, data.chunk_sentences)
    ])
    _write_json(tmp / "sentences.json", [
        [s.doc_id, s.start, s.end, key, [list(e) for e in s.entities]]
        for s, key in zip(data.sentences, data.sentence_keys)
    ])
    checkpoint("writing")
    _write_npy(tmp / "vectors.npy", data.vectors)
    _write_npy(tmp / "sentence_vectors.npy", data.sentence_vectors)
    factory = manifest.get("settings", {}).get("faiss_index", "Flat")
    faiss.write_index(build_dense(data.vectors, factory), str(tmp / "dense.faiss"))
    (tmp / "bm25").mkdir()
    data.bm25.save(tmp / "bm25")
    files = sorted(p for p in tmp.rglob("*") if p.is_file())
    for path in files:
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
    manifest = {**manifest, "files": {p.relative_to(tmp).as_posix(): sha256_file(p) for p in files}}
    _write_json(tmp / MANIFEST, manifest)
    _write_text(tmp / MANIFEST_SUM, manifest_sum_line((tmp / MANIFEST).read_bytes()))
    fsync_dir(tmp)
    final = builds / version
    os.rename(tmp, final)
    fsync_dir(builds)
    return final


def publish(index_dir: Path, version: str) -> None:
    """Point CURRENT at `version` atomically: write a temporary file, fsync, rename."""
    tmp = index_dir / f"{POINTER}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    fsync_dir(index_dir)


def prune(index_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` published builds; never the current one. A server holds its
    build in memory, so one still serving a pruned build goes on answering from it until it reloads."""
    builds = index_dir / BUILDS
    current = current_version(index_dir)
    done = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(TMP_PREFIX))
    old = [p for p in done[: max(0, len(done) - keep)] if p.name != current]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return [p.name for p in old]


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _load_documents(raw: list[dict[str, Any]]) -> list[Document]:
    return [
        Document(d["doc_id"], d["title"], d["source"], d["text"], d["sha256"],
                 tuple(Section(t, lv, a, b, tuple(p), bs) for t, lv, a, b, p, bs in d["sections"]),
                 tuple(d.get("pages", ())), tuple((int(p), float(c)) for p, c in d.get("ocr_pages", ())))
        for d in raw
    ]


def load_build(index_dir: Path, version: str | None = None) -> LoadedIndex:
    version = version or current_version(index_dir)
    if version is None:
        raise IndexNotBuilt(f"no index in {index_dir}; run `briefqa index` first")
    folder = build_dir(index_dir, version)
    if not folder.is_dir():
        raise IndexCorrupt(f"{index_dir}/{POINTER} names build {version}, which does not exist")
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    try:
        return _load_verified(folder, manifest, version)
    except (ValueError, KeyError, TypeError, RuntimeError, OSError) as exc:
        raise IndexCorrupt(f"index build {version} cannot be read: {exc}") from exc


def _load_verified(folder: Path, manifest: dict[str, Any], version: str) -> LoadedIndex:
    documents = _load_documents(_read_json(folder / "documents.json"))
    texts = {d.doc_id: d.text for d in documents}
    by_id = {d.doc_id: d for d in documents}
    chunks, chunk_keys, chunk_sentences = [], [], []
    for cid, doc_id, start, end, section, page, key, sents in _read_json(folder / "chunks.json"):
        chunks.append(Chunk(cid, doc_id, start, end, texts[doc_id][start:end], tuple(section), page,
                            by_id[doc_id].ocr_confidence(start, end)))
        chunk_keys.append(key)
        chunk_sentences.append(sents)
    sentences, sentence_keys = [], []
    for doc_id, start, end, key, *entities in _read_json(folder / "sentences.json"):
        sentences.append(Sentence(doc_id, start, end, texts[doc_id][start:end], entity_spans(entities[0] if entities else ())))
        sentence_keys.append(key)
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    sentence_vectors = np.load(folder / "sentence_vectors.npy", allow_pickle=False)
    dense = faiss.read_index(str(folder / "dense.faiss"))
    counts = manifest["counts"]
    if not (len(chunks) == vectors.shape[0] == dense.ntotal == counts["chunks"]
            and len(sentences) == sentence_vectors.shape[0] == counts["sentences"]):
        raise IndexCorrupt(f"index build {version}: row counts disagree with the manifest")
    if dense.d != manifest["model"]["dimension"]:
        raise IndexCorrupt(f"index build {version}: vectors are {dense.d}-dimensional, manifest says {manifest['model']['dimension']}")
    data = IndexData(documents, chunks, chunk_keys, vectors, sentences, sentence_keys,
                     sentence_vectors, chunk_sentences, Bm25Index.load(folder / "bm25"))
    return LoadedIndex(data, manifest, version, dense)
