"""What the answerer measures of each candidate sentence and of the question as a whole: similarity,
how much of the question's (rarity-weighted) terms the sentence and its passage hold, whether the
question's names are there, whether the sentence holds an answer of the expected type, and what the
sentence just before it says (the answer often follows the sentence that restates the question).
Pure functions over index-time data: nothing here runs a model at query time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.answer_types import typed_spans
from service.answering.extractive import Candidate, terms
from service.answering.terms import CorpusTerms
from service.text.sentences import clean

SENTENCE_FEATURES = ("cosine", "sentence_coverage", "passage_coverage", "names_in_sentence",
                     "names_in_passage", "has_type", "lacks_type", "log_rank", "log_words",
                     "previous_cosine", "previous_coverage", "previous_ends_colon", "new_terms")
QUESTION_FEATURES = ("best_score", "score_margin", "best_cosine", "best_typed_cosine", "best_typed_coverage",
                     "passage_coverage", "names_supported", "absent_terms", "untyped_question")


@dataclass(frozen=True)
class Evidence:
    """One candidate sentence's measurements (coverages are shares of the question's IDF mass)."""

    cosine: float
    sentence_coverage: float
    passage_coverage: float
    names_in_sentence: float  # share of the question's names the sentence supports
    names_in_passage: float
    typed: bool | None  # holds an answer of the expected type; None when the question expects none
    rank: int  # the first citing passage
    words: int
    previous_cosine: float = 0.0
    previous_coverage: float = 0.0
    previous_ends_colon: bool = False
    new_terms: float = 0.0  # share of the sentence's terms the question does not use
    names_in_paragraph: float = 0.0  # share of the question's names in the sentence's paragraph or item

    def row(self) -> list[float]:
        return [self.cosine, self.sentence_coverage, self.passage_coverage, self.names_in_sentence,
                self.names_in_passage, float(self.typed is True), float(self.typed is False),
                math.log(self.rank), math.log1p(self.words), self.previous_cosine, self.previous_coverage,
                float(self.previous_ends_colon), self.new_terms]


@dataclass(frozen=True)
class Question:
    """What the question asks: its expected answer type, its names, and its terms by rarity."""

    text: str
    kind: str | None
    names: tuple[str, ...]
    weights: dict[str, float]  # stemmed term -> idf
    absent: float  # share of the IDF mass on terms the corpus never uses

    @classmethod
    def of(cls, text: str, kind: str | None, names: tuple[str, ...], corpus: CorpusTerms) -> "Question":
        weights = {t: corpus.idf(t) for t in terms(text)}
        total = sum(weights.values()) or 1.0
        absent = sum(w for t, w in weights.items() if not corpus.frequency.get(t)) / total
        return cls(text, kind, names, weights, absent)

    def coverage(self, text: str) -> float:
        total = sum(self.weights.values())
        if not total:
            return 0.0
        held = terms(text)
        return sum(w for t, w in self.weights.items() if t in held) / total


def _share(names: Sequence[str], text: str, corpus: CorpusTerms) -> float:
    if not names:
        return 1.0
    return sum(corpus.supports(n, text) for n in names) / len(names)


def measure(q: Question, q_vec: np.ndarray, pool: Sequence[Candidate], vectors: np.ndarray,
            contexts: Sequence[str], corpus: CorpusTerms, paragraphs: Sequence[str] = ()) -> list[Evidence]:
    """The evidence of each candidate; `contexts[i]` is the title, headings and text of its passages,
    `paragraphs[i]` the paragraph or list item holding it (default: the sentence alone)."""
    asked = corpus.expanded(q.text)
    qterms = set(q.weights)
    out = []
    paragraphs = list(paragraphs) or [c.sentence.text for c in pool]
    for c, context, paragraph in zip(pool, contexts, paragraphs):
        text = corpus.expanded(clean(c.sentence.text))  # "ADSE" also counts as its expansion
        held = terms(text)
        typed = bool(typed_spans(q.kind, c.sentence, asked)) if q.kind else None
        out.append(Evidence(float(vectors[c.row] @ q_vec), q.coverage(text), q.coverage(corpus.expanded(context)),
                            _share(q.names, text, corpus), _share(q.names, context, corpus), typed,
                            c.position[0], len(text.split()),
                            new_terms=len(held - qterms) / max(1, len(held)),
                            names_in_paragraph=_share(q.names, corpus.expanded(clean(paragraph)), corpus)))
    return _with_previous(pool, out)


def adjacent_pairs(pool: Sequence[Candidate]) -> list[tuple[int, int]]:
    """(a, b) for each candidate b that directly follows candidate a in the same document."""
    order = sorted(range(len(pool)), key=lambda i: (pool[i].sentence.doc_id, pool[i].sentence.start))
    return [(a, b) for a, b in zip(order, order[1:])
            if pool[a].sentence.doc_id == pool[b].sentence.doc_id
            and 0 <= pool[b].sentence.start - pool[a].sentence.end < 4]


def _with_previous(pool: Sequence[Candidate], evidence: list[Evidence]) -> list[Evidence]:
    """Each sentence also carries the similarity and coverage of the sentence just before it."""
    out = list(evidence)
    for a, b in adjacent_pairs(pool):
        e, p = evidence[b], evidence[a]
        out[b] = Evidence(e.cosine, e.sentence_coverage, e.passage_coverage, e.names_in_sentence,
                          e.names_in_passage, e.typed, e.rank, e.words, p.cosine, p.sentence_coverage,
                          clean(pool[a].sentence.text).endswith(":"), e.new_terms, e.names_in_paragraph)
    return out


def question_row(q: Question, evidence: Sequence[Evidence], scores: np.ndarray) -> list[float]:
    """The question-level measurements, given each candidate's sentence score."""
    if not len(evidence):
        return [-10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, q.absent, float(q.kind is None)]
    order = np.argsort(-scores, kind="stable")
    typed = [e for e in evidence if e.typed is not False]
    margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else 1.0
    return [float(scores[order[0]]), min(margin, 1.0), max(e.cosine for e in evidence),
            max((e.cosine for e in typed), default=0.0),
            max((max(e.sentence_coverage, e.previous_coverage) for e in typed), default=0.0),
            max(e.passage_coverage for e in evidence), max(e.names_in_passage for e in evidence),
            q.absent, float(q.kind is None)]
