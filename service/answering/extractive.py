"""Passages -> an extractive answer: sentences copied from the passages, each ending in [n]."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from service.retrieval.bm25 import tokenize
from service.core.records import AnswerSentence, Sentence
from service.text.sentences import clean


@dataclass(frozen=True)
class AnswerSettings:
    abstain_threshold: float = 0.38
    max_sentences: int = 3
    lexical_weight: float = 0.3
    margin: float = 0.12  # (one-threshold answerer) sentences within this of the best one join the answer
    companion_share: float = 0.5  # sentences at least this likely, relative to the best one, join it
    rank_penalty: float = 0.01
    reader: bool = False  # the trained reader (models/reader.py) scores sentences and abstains, not the evidence model
    joint_candidates: int = 0  # the joint reader (models/joint_reader.py) re-reads this many best candidates; 0: off
    joint_floor: float = 0.0  # abstain (not_answered) when no re-read sentence is at least this likely to answer
    joint_blend: float = 0.5  # a re-read sentence's score: (1 - blend) x the answerer's logit + blend x the joint reader's


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    row: int
    citations: tuple[int, ...]  # 1-based numbers of the hits whose passage holds the sentence
    position: tuple[int, int]  # (first citing rank, offset) for reading order


def pool_sentences(chunk_rows: list[int], chunk_sentences: list[list[int]],
               sentences: list[Sentence]) -> list[Candidate]:
    """Unique sentences of the hit passages (`chunk_rows`, in rank order), each with the
    1-based rank of every hit that contains it."""
    cited: dict[int, list[int]] = {}
    for n, row in enumerate(chunk_rows, start=1):
        for srow in chunk_sentences[row]:
            cited.setdefault(srow, []).append(n)
    out = []
    for srow, numbers in cited.items():
        s = sentences[srow]
        out.append(Candidate(s, srow, tuple(numbers), (numbers[0], s.start)))
    return out


_QUANTITY = re.compile(r"^\W*(?:how\s+(?:many|much)|what\s+(?:number|percentage|amount|share))\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b", re.I)


def wants_quantity(question: str) -> bool:
    """Expected answer type: "how many ...", "how much ..." ask for a number."""
    return bool(_QUANTITY.match(question))


@functools.lru_cache(maxsize=100_000)
def term_sequence(text: str) -> tuple[str, ...]:
    """Stemmed content terms in order, as BM25 sees them (sentences repeat across questions: cached)."""
    return tuple(tokenize([text])[0])


@functools.lru_cache(maxsize=100_000)
def terms(text: str) -> frozenset[str]:
    """Stemmed content terms, as a set."""
    return frozenset(term_sequence(text))


def lexical_overlap(question: str, sentence: str) -> float:
    """Share of the question's content terms (stemmed) that the sentence contains."""
    q = terms(question)
    return len(q & terms(sentence)) / len(q) if q else 0.0


def similarity_scores(question: str, q_vec: np.ndarray, cands: list[Candidate], sentence_vectors: np.ndarray,
                      settings: AnswerSettings, texts: list[str] | None = None) -> np.ndarray:
    """Cosine to the question, plus lexical overlap (with `texts`, when given, standing for the
    sentences), minus a little per rank of the first citing passage."""
    if not cands:
        return np.zeros(0, dtype=np.float32)
    sims = sentence_vectors[[c.row for c in cands]] @ q_vec
    texts = texts if texts is not None else [clean(c.sentence.text) for c in cands]
    lexical = np.array([lexical_overlap(question, t) for t in texts])
    ranks = np.array([c.position[0] - 1 for c in cands])
    return sims + settings.lexical_weight * lexical - settings.rank_penalty * ranks


def score_candidates(question: str, q_vec: np.ndarray, cands: list[Candidate],
                     sentence_vectors: np.ndarray, settings: AnswerSettings) -> np.ndarray:
    scores = similarity_scores(question, q_vec, cands, sentence_vectors, settings)
    if len(scores) and wants_quantity(question):  # a sentence with no number cannot answer "how many"
        has_number = np.array([bool(_NUMBER.search(c.sentence.text)) for c in cands])
        scores = np.where(has_number, scores, -1.0)
    return scores


def compose(question: str, q_vec: np.ndarray, cands: list[Candidate],
            sentence_vectors: np.ndarray, settings: AnswerSettings) -> tuple[tuple[AnswerSentence, ...], float]:
    """The chosen sentences in reading order and the confidence (best sentence score).
    An empty tuple means abstain."""
    scores = score_candidates(question, q_vec, cands, sentence_vectors, settings)
    if not len(scores):
        return (), 0.0
    best = float(scores.max())
    if best < settings.abstain_threshold:
        return (), best
    order = np.argsort(-scores, kind="stable")
    chosen = [i for i in order if scores[i] >= best - settings.margin][: settings.max_sentences]
    chosen.sort(key=lambda i: cands[i].position)
    return tuple(AnswerSentence(clean(cands[i].sentence.text), cands[i].citations) for i in chosen), best
