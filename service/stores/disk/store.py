"""The default store: versioned FAISS + bm25s builds in a local folder (the file format is in files.py)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.stores.disk import files as store
from service.core.checkpoints import Checkpoint
from service.core.errors import BriefqaError
from service.core.records import Entities
from service.stores.manifest import read_manifest
from service.stores.base import IndexData
from service.stores.memory import LoadedIndex
from service.retrieval.dense import tune


@dataclass(frozen=True)
class DiskStore:
    index_dir: Path
    ef_search: int | None = None  # HNSW efSearch at query time
    nprobe: int | None = None  # IVF lists probed at query time
    threads: int | None = None  # FAISS OpenMP threads for queries (process-wide)

    def describe(self) -> str:
        return str(self.index_dir)

    def writer_lock(self) -> AbstractContextManager[None]:
        return store.build_lock(self.index_dir)

    def clean_partial(self) -> int:
        return store.clean_partial_builds(self.index_dir)

    def current_version(self) -> str | None:
        return store.current_version(self.index_dir)

    def has_version(self, version: str) -> bool:
        return store.build_dir(self.index_dir, version).exists()

    def read_manifest(self, version: str) -> dict[str, Any]:
        return read_manifest(store.build_dir(self.index_dir, version))

    def vectors_by_key(self) -> dict[str, np.ndarray]:
        try:
            old = store.load_build(self.index_dir).data
        except BriefqaError:
            return {}
        reuse = dict(zip(old.chunk_keys, old.vectors))
        reuse.update(zip(old.sentence_keys, old.sentence_vectors))
        return reuse

    def entities_by_text(self) -> dict[str, Entities]:
        try:
            old = store.load_build(self.index_dir).data
        except BriefqaError:
            return {}
        return {s.text: s.entities for s in old.sentences}

    def write(self, version: str, data: IndexData, manifest: dict[str, Any], checkpoint: Checkpoint) -> None:
        store.write_build(self.index_dir, version, data, manifest, checkpoint)

    def publish(self, version: str) -> None:
        store.publish(self.index_dir, version)

    def prune(self, keep: int) -> list[str]:
        return store.prune(self.index_dir, keep)

    def open(self, version: str | None = None) -> LoadedIndex:
        index = store.load_build(self.index_dir, version)
        tune(index.dense, self.ef_search, self.nprobe, self.threads)
        return index
