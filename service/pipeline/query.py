"""Query side of the pipeline: embed -> retrieve (dense, BM25, fuse) -> rerank -> answer."""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

import numpy as np

from service.answering.answerable import PassageView
from service.answering.confidence import Calibration
from service.answering.extractive import AnswerSettings, pool_sentences
from service.answering.model import AnswerModel
from service.answering.respond import Ask, Reading, respond
from service.answering.terms import CorpusTerms
from service.models.reader import Reader
from service.models.embedding import Embedder
from service.core.modes import MODES, check_mode
from service.core.records import Answer, Chunk, Document, Hit
from service.models.reranker import Reranker
from service.retrieval.fusion import Scores, distinct, fuse, ranked
from service.text.sentences import clean
from service.stores.base import ServedIndex



@dataclass(frozen=True)
class RetrievalSettings:
    mode: str = "hybrid"
    fusion: str = "convex"
    normalization: str = "minmax"
    alpha: float = 0.5
    rrf_k: int = 60
    candidates: int = 100
    rerank_top_n: int = 20

    def __post_init__(self) -> None:
        check_mode(self.mode)


def embed_key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\x00{text}".encode()).hexdigest()[:32]


def passage_text(section: tuple[str, ...], text: str) -> str:
    """What is embedded and BM25-indexed for a passage: its sub-heading, then its clean text."""
    heading = section[-1] if section else ""
    return f"{heading}\n{clean(text)}" if heading else clean(text)


@dataclass(frozen=True)
class Rankings:
    """One query's rows and scores from each retriever, before fusion."""

    dense: Scores
    sparse: Scores


def combine(r: Rankings, mode: str, s: RetrievalSettings) -> Scores:
    """The ranking `mode` serves: one retriever's, or both fused as `s` says. Inputs are not mutated."""
    if mode == "dense":
        return r.dense
    if mode == "bm25":
        return r.sparse
    return fuse(r.dense, r.sparse, s.fusion, s.alpha, s.normalization, s.rrf_k)


class Engine:
    """A loaded index and the models that query it; immutable, one per index version."""

    def __init__(self, index: ServedIndex, embedder: Embedder, settings: RetrievalSettings,
                 answer_settings: AnswerSettings, reranker: Reranker | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.answer_settings = answer_settings
        self.reranker = reranker

    @property
    def version(self) -> str:
        return self.index.version

    def document(self, doc_id: str) -> Document | None:
        return self.index.document(doc_id)

    def passages_of(self, doc_id: str) -> list[Chunk]:
        """A document's passages (list answers cite the ones holding items beyond the retrieved passages)."""
        return self._chunks_by_doc.get(doc_id, [])

    @functools.cached_property
    def _chunks_by_doc(self) -> dict[str, list[Chunk]]:
        out: dict[str, list[Chunk]] = {}
        for c in self.index.all_chunks():
            out.setdefault(c.doc_id, []).append(c)
        return out

    @functools.cached_property
    def corpus_terms(self) -> CorpusTerms:
        """The corpus's acronyms ("Full Name (ACR)") and vocabulary, read once per index."""
        return CorpusTerms.of(d.text for d in self.index.document_list())

    def rankings(self, query: str, q_vec: np.ndarray, mode: str = "hybrid", n: int | None = None) -> Rankings:
        """Each retriever's top `n` rows (default: the `candidates` setting) for `mode`: fusion's inputs."""
        n = min(n or self.settings.candidates, self.index.chunk_count)
        dense = self.index.dense_top(q_vec, n) if mode in ("dense", "hybrid") else {}
        sparse = self.index.keyword_top(query, n) if mode in ("bm25", "hybrid") else {}
        return Rankings(dense, sparse)

    def _rankings(self, query: str, q_vec: np.ndarray, mode: str) -> Scores:
        return combine(self.rankings(query, q_vec, mode), mode, self.settings)

    def search(self, query: str, top_k: int, mode: str | None = None,
               timings: dict[str, float] | None = None) -> tuple[list[Hit], np.ndarray]:
        _, hits, q_vec = self._search(query, top_k, mode, timings)
        return hits, q_vec

    def _search(self, query: str, top_k: int, mode: str | None,
                timings: dict[str, float] | None) -> tuple[list[int], list[Hit], np.ndarray]:
        mode = check_mode(mode or self.settings.mode)
        clock = _Clock(timings)
        q_vec = self.embedder.encode([query])[0]
        clock.lap("embed")
        scores = self._rankings(query, q_vec, mode)
        rows = ranked(scores)
        clock.lap("retrieve")
        if self.reranker is not None and rows:
            rows, scores = self.rerank(query, rows)
            clock.lap("rerank")
        rows, chunks = self._distinct(rows, top_k)
        return rows, [Hit(chunks[r], float(scores[r])) for r in rows], q_vec

    def _distinct(self, rows: list[int], top_k: int) -> tuple[list[int], dict[int, Chunk]]:
        """The first top_k rows that are not near-duplicates, fetching passages a few at a time
        (2 * top_k first, more only when duplicates were dropped)."""
        got: dict[int, Chunk] = {}
        want = max(top_k, 1) * 2
        while True:
            todo = [r for r in rows[:want] if r not in got]
            got.update(zip(todo, self.index.chunks(todo)))
            picked = distinct(rows[:want], lambda r: got[r].text, lambda r: got[r].doc_id, top_k)
            if len(picked) >= top_k or want >= len(rows):
                return picked, got
            want *= 4

    def rerank(self, query: str, rows: list[int]) -> tuple[list[int], dict[int, float]]:
        """The first `rerank_top_n` rows re-ordered by the reranker, the rest after them, with scores."""
        assert self.reranker is not None, "rerank needs an Engine with a reranker"
        head = rows[: self.settings.rerank_top_n]
        texts = [passage_text(c.section, c.text) for c in self.index.chunks(head)]
        new = dict(zip(head, self.reranker.scores(query, texts)))
        floor = min(new.values())
        rest = {r: floor - 1e-6 * (i + 1) for i, r in enumerate(rows[len(head):])}
        return ranked(new) + list(rest), {**new, **rest}

    def reading(self, question: str, top_k: int, mode: str | None = None,
                timings: dict[str, float] | None = None) -> Reading:
        """The passages retrieved for a question and their sentences: what the answerer reads."""
        rows, hits, q_vec = self._search(question, top_k, mode, timings)
        per_chunk, found, vectors = self.index.sentences_of(rows)
        pool = pool_sentences(list(range(len(rows))), per_chunk, found)
        views = [PassageView(h.chunk.text, h.chunk.section, self.index.title(h.chunk.doc_id), h.chunk.start)
                 for h in hits]
        return Reading(hits, q_vec, pool, vectors, views)

    def ask(self, question: str, top_k: int, mode: str | None = None, own: str | None = None,
            model: AnswerModel | Reader | None = None, min_confidence: float = 0.0,
            calibration: Calibration | None = None) -> Answer:
        """The answer to `question`; `own` is the user's own words when `question` also carries terms
        of earlier turns (a follow-up): the answer must hold the names the user gave, not the carried ones.
        Below `min_confidence` the answer abstains (reason `low_confidence`). `model` and `calibration`
        replace the configured answerer's model and the shipped calibration (side-by-side figures, fitting)."""
        timings: dict[str, float] = {}
        r = self.reading(question, top_k, mode, timings)
        clock = _Clock(timings)
        answer = respond(question, r, self.corpus_terms, self.answer_settings, self, Ask(min_confidence, own),
                         model, calibration, timings)
        clock.lap("answer")
        return answer


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings if timings is not None else {}
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round((now - self.t) * 1000, 3)
        self.t = now

