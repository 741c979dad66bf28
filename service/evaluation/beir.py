"""BEIR-format datasets: load them, index their corpus (cached by content), rank documents.

A BEIR document becomes one Document whose text is `title + "\\n\\n" + text`. With title mode
"section" (the default) the title is the document's only section heading, so the chunker leaves
the title line out of the chunks and every chunk is embedded and BM25-indexed as
`title + "\\n" + chunk` (service.pipeline.passage_text); "inline" keeps the title only at the start
of the first chunk; "none" drops it. A document's score is its best chunk's (max-pooling).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.retrieval.bm25 import Bm25Params
from service.ingest.chunking import ChunkSettings
from service.models.embedding import Embedder
from service.core.errors import BriefqaError
from service.stores.manifest import sha256_file
from service.pipeline import BuildReport, BuildSettings
from service.pipeline.build import Progress, build_documents, is_up_to_date
from service.core.records import Document, Section
from service.stores.disk.store import DiskStore

TITLE_MODES = ("section", "inline", "none")
SPLITS = ("test", "train", "dev")


@dataclass(frozen=True)
class BeirData:
    name: str
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text), in file order
    queries: dict[str, str]  # only the queries judged in the split
    qrels: dict[str, dict[str, int]]
    split: str
    content_hash: str  # sha256 of corpus.jsonl


@dataclass(frozen=True)
class BeirIndexSettings:
    chunking: ChunkSettings = ChunkSettings(1000, 200)
    title: str = "section"
    bm25: Bm25Params = Bm25Params()

    def __post_init__(self) -> None:
        if self.title not in TITLE_MODES:
            raise ValueError(f"unknown title mode {self.title!r}; valid: {', '.join(TITLE_MODES)}")

    def key(self) -> dict[str, object]:
        return {"chunk": [self.chunking.size, self.chunking.overlap], "title": self.title,
                "bm25": [self.bm25.k1, self.bm25.b, self.bm25.method]}


def _jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise BriefqaError(f"{path}:{n} is not JSON ({exc})") from exc


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t")
        for n, row in enumerate(rows, start=1):
            if n == 1 and row[:1] == ["query-id"]:
                continue
            try:
                qid, did, grade = row[0], row[1], int(row[2])
            except (IndexError, ValueError) as exc:
                raise BriefqaError(f"{path}:{n} is not `query-id<TAB>corpus-id<TAB>score`") from exc
            if grade > 0:
                qrels.setdefault(qid, {})[did] = grade
    return qrels


def load_beir(folder: Path, split: str = "test") -> BeirData:
    """corpus.jsonl, queries.jsonl and qrels/<split>.tsv of a BEIR dataset folder."""
    folder = Path(folder)
    paths = {"corpus": folder / "corpus.jsonl", "queries": folder / "queries.jsonl",
             "qrels": folder / "qrels" / f"{split}.tsv"}
    for what, path in paths.items():
        if not path.is_file():
            raise BriefqaError(f"{folder} is not a BEIR dataset with a {split} split: {path} is missing")
    try:
        corpus = {str(d["_id"]): (str(d.get("title") or ""), str(d.get("text") or ""))
                  for d in _jsonl(paths["corpus"])}
        qrels = load_qrels(paths["qrels"])
        queries = {str(q["_id"]): str(q["text"]) for q in _jsonl(paths["queries"])
                   if str(q["_id"]) in qrels}
    except (KeyError, TypeError) as exc:
        raise BriefqaError(f"{folder}: a corpus or query line lacks field {exc}") from exc
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise BriefqaError(f"{paths['qrels']} judges queries not in queries.jsonl: {', '.join(missing[:5])}")
    if not corpus or not qrels:
        raise BriefqaError(f"{folder}: empty corpus or no judged queries in the {split} split")
    return BeirData(folder.resolve().name, corpus, queries, qrels, split, sha256_file(paths["corpus"]))


def to_document(doc_id: str, title: str, text: str, mode: str, source: str) -> Document:
    title, text = " ".join(title.split()), text.strip()
    if mode == "none" or not title:
        full, sections = text, ()
    else:
        full = f"{title}\n\n{text}"
        sections = (Section(title, 1, 0, len(full), (title,), len(title) + 2),) if mode == "section" else ()
    sha = hashlib.sha256(full.encode()).hexdigest()
    return Document(doc_id, title, source, full, sha, sections)


def to_documents(data: BeirData, mode: str) -> list[Document]:
    docs = [to_document(d, t, x, mode, f"beir:{data.name}") for d, (t, x) in data.corpus.items()]
    return [d for d in docs if d.text.strip()]


def index_dir(base: Path, data: BeirData, settings: BeirIndexSettings) -> Path:
    """One folder per dataset content and index settings: `<base>/beir/<name>-<hash>`."""
    key = json.dumps({"corpus": data.content_hash, **settings.key()}, sort_keys=True)
    return Path(base) / "beir" / f"{data.name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _sibling_vectors(folder: Path) -> dict[str, np.ndarray]:
    """Vectors of the same dataset indexed with other settings: a chunk seen before is not re-embedded."""
    reuse: dict[str, np.ndarray] = {}
    for other in sorted(folder.parent.glob(folder.name.rsplit("-", 1)[0] + "-*")):
        if other != folder and other.is_dir():
            reuse.update(DiskStore(other).vectors_by_key())
    return reuse


def build_beir_index(data: BeirData, base: Path, model: str, settings: BeirIndexSettings,
                     embedder_factory: Callable[[], Embedder], fingerprint: str | None,
                     progress: Progress | None = None) -> tuple[Path, BuildReport]:
    """Build (or find cached) the index of a BEIR corpus; returns its folder and the build report."""
    folder = index_dir(base, data, settings)
    build = BuildSettings(corpus_dir=folder, index_dir=folder, model=model, chunking=settings.chunking,
                          bm25=settings.bm25, keep_builds=1, sentences=False)
    docs = to_documents(data, settings.title)
    reuse = {} if is_up_to_date(build, docs, fingerprint) else _sibling_vectors(folder)
    report = build_documents(build, docs, embedder_factory, fingerprint, progress=progress, reuse=reuse)
    return folder, report
