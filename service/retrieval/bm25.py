"""The BM25 side of the index: bm25s with an English Snowball stemmer, saved without pickle."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

logging.getLogger("bm25s").setLevel(logging.WARNING)
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Bm25Params:
    k1: float = 0.9
    b: float = 0.4
    method: str = "lucene"


def tokenize(texts: list[str]) -> list[list[str]]:
    if len(texts) == 1:  # a query: the same tokens, without bm25s's per-call set-up and progress bars
        return [list(_one_text_tokens(texts[0]))]
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


_SPLIT = re.compile(r"(?u)\b\w\w+\b").findall  # bm25s.tokenize's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)  # what bm25s.tokenize(stopwords="en") drops


@functools.lru_cache(maxsize=4096)
def _one_text_tokens(text: str) -> tuple[str, ...]:
    """bm25s.tokenize([text]) for one text (lower, split, drop stopwords, stem), cached: one request
    tokenizes its question several times (BM25, answer scoring, grounding)."""
    return tuple(_STEMMER.stemWords([w for w in _SPLIT(text.lower()) if w not in _STOPWORDS]))


class Bm25Index:
    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str], params: Bm25Params = Bm25Params()) -> "Bm25Index":
        model = bm25s.BM25(k1=params.k1, b=params.b, method=params.method)
        model.index(tokenize(texts), show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "Bm25Index":
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, mmap=False))

    @property
    def size(self) -> int:
        return int(self._model.scores["num_docs"])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no query term is indexed)."""
        tokens = [t for t in tokenize([query])[0] if t in self._model.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

    @staticmethod
    def query_tokens(query: str) -> list[str]:
        return tokenize([query])[0]

    def postings(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(term, passage rows, BM25 weights) for every indexed term: the whole index, as a
        database can hold it (a query's score is the sum of its terms' weights)."""
        scores = self._model.scores
        data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
        for term, tid in self._model.vocab_dict.items():
            if tid + 1 >= len(indptr):
                continue  # bm25s's placeholder for the empty token has no postings
            a, b = int(indptr[tid]), int(indptr[tid + 1])
            if b > a:
                yield term, indices[a:b], data[a:b]

    def top(self, query: str, n: int) -> dict[int, float]:
        scores = self.scores(query)
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n] if n else np.array([], dtype=int)
        return {int(i): float(scores[i]) for i in best if scores[i] > 0}
