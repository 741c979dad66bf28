"""Training and validation groups for the reader: one group a question, one row a candidate sentence,
measured with the columns the service computes (service/answering/reader_input.py).

SQuAD 2.0: each article is one document, each paragraph one passage; a question's candidates are its
paragraph's sentences (the project's sentence splitter and answer-sentence filter); the sentence
holding an annotator's answer span is positive, the others negative; every sentence of an unanswerable
question is negative, the one holding its plausible answer the hardest (`hard`). The corpus statistics
(CorpusTerms) are taken over the SQuAD articles, as the service takes them over its corpus, and the
vectors come from the service's encoder. Project dev splits: each question's retrieved candidates, as
the answerer sees them, labelled by the evidence strings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from service.answering.answerable import Gathered, PassageView, gather, typed_beside_names, unknown_names
from service.answering.evidence import Evidence, Question
from service.answering.extractive import AnswerSettings, Candidate
from service.answering.reader_input import reader_rows
from service.answering.terms import CorpusTerms
from service.core.records import Sentence
from service.evaluation.answers import holds_evidence
from service.models.embedding import Embedder
from service.models.entities import EntityTagger
from service.pipeline import Engine
from service.text.sentences import clean, split_sentences

SQUAD_TEST = ("Imperialism", "Warsaw", "French_and_Indian_War", "Force")  # the last four articles
SQUAD_VALIDATION = ("Packet_switching", "Immune_system")  # two of the twelve others, set aside to choose on


def split_of(article: str) -> str:
    """"test", "validation" or "train": where a SQuAD article belongs."""
    return "test" if article in SQUAD_TEST else "validation" if article in SQUAD_VALIDATION else "train"


@dataclass(frozen=True)
class Group:
    """One question's candidates as the reader reads them."""

    source: str  # "squad:<article>" or "dev:<corpus>"
    question: Question
    answerable: bool
    rows: np.ndarray  # (candidates, columns) float32
    labels: np.ndarray  # per candidate: holds the answer
    hard: np.ndarray  # per candidate: holds an unanswerable question's plausible answer
    evidence: tuple[Evidence, ...]
    gated: bool = False  # a rule abstains before the reader is asked (dissimilar, unknown name, no typed answer)


def gated(g: Gathered, corpus: CorpusTerms, settings: AnswerSettings) -> bool:
    """What `decide` checks before it asks the reader."""
    return (not len(g.similarity) or float(g.similarity.max()) < settings.abstain_threshold
            or bool(unknown_names(g.question.names, corpus)) or not any(typed_beside_names(e) for e in g.evidence))


@dataclass(frozen=True)
class _Article:
    title: str
    text: str
    paragraphs: list[tuple[int, str, list[dict]]]  # (offset, context, qas)


def load_squad(path: Path) -> list[_Article]:
    out = []
    for art in json.loads(path.read_text(encoding="utf-8"))["data"]:
        paragraphs, at = [], 0
        for p in art["paragraphs"]:
            paragraphs.append((at, p["context"], p["qas"]))
            at += len(p["context"]) + 2
        out.append(_Article(art["title"], "\n\n".join(c for _, c, _ in paragraphs), paragraphs))
    return out


def _spans(qa: dict, key: str, offset: int) -> list[tuple[int, int]]:
    return [(offset + a["answer_start"], offset + a["answer_start"] + len(a["text"])) for a in qa.get(key, [])]


def holds_start(s: Sentence, spans: Sequence[tuple[int, int]]) -> bool:
    """The sentence holds the start of an answer span (an answer crossing a boundary belongs to its first)."""
    return any(s.start <= a < s.end for a, _ in spans)


@dataclass(frozen=True)
class SquadReading:
    """One SQuAD question as the answerer reads it: its paragraph's sentences are the candidates."""

    article: str
    question: str
    answerable: bool
    q_vec: np.ndarray
    candidates: list[Candidate]
    view: PassageView
    answers: list[tuple[int, int]]  # annotators' spans (empty: unanswerable)
    plausible: list[tuple[int, int]]  # an unanswerable question's plausible spans


def squad_readings(articles: Sequence[_Article], embedder: Embedder,
                   tagger: EntityTagger) -> tuple[list[SquadReading], np.ndarray, CorpusTerms]:
    """Every question of `articles`, the sentence vectors its candidates' rows point into, and the corpus
    statistics (over the SQuAD articles, as the service takes them over its corpus)."""
    corpus = CorpusTerms.of(a.text for a in articles)
    sentences = {(a.title, off): split_sentences(a.title, ctx, off) for a in articles for off, ctx, _ in a.paragraphs}
    flat = [s for ss in sentences.values() for s in ss]
    tags = dict(zip(sorted({s.text for s in flat}), tagger(sorted({s.text for s in flat}))))
    vectors = embedder.encode([clean(s.text) for s in flat])
    row = 0
    cands: dict[tuple[str, int], list[Candidate]] = {}
    for key, ss in sentences.items():
        cands[key] = [Candidate(replace(s, entities=tags[s.text]), row + i, (1,), (1, s.start)) for i, s in enumerate(ss)]
        row += len(ss)
    qas = [(a, off, ctx, qa) for a in articles for off, ctx, qs in a.paragraphs for qa in qs]
    q_vecs = embedder.encode([qa["question"] for *_, qa in qas])
    out = [SquadReading(a.title, qa["question"], not qa["is_impossible"], q_vec, cands[(a.title, off)],
                        PassageView(ctx, (), a.title.replace("_", " "), off),
                        _spans(qa, "answers", off), _spans(qa, "plausible_answers", off))
           for (a, off, ctx, qa), q_vec in zip(qas, q_vecs)]
    return out, vectors, corpus


def squad_groups(articles: Sequence[_Article], embedder: Embedder, tagger: EntityTagger,
                 settings: AnswerSettings = AnswerSettings()) -> list[Group]:
    """Every question of `articles`, one group each (questions whose paragraph keeps no candidate skipped)."""
    readings, vectors, corpus = squad_readings(articles, embedder, tagger)
    out = []
    for r in readings:
        g = gather(r.question, r.q_vec, r.candidates, vectors, [r.view], corpus, settings)
        if not g.pool:
            continue
        out.append(Group(f"squad:{r.article}", g.question, r.answerable,
                         reader_rows(r.q_vec, g.pool, g.evidence, vectors),
                         np.array([holds_start(c.sentence, r.answers) for c in g.pool]),
                         np.array([holds_start(c.sentence, r.plausible) for c in g.pool]), tuple(g.evidence),
                         gated(g, corpus, settings)))
    return out


def engine_groups(engine: Engine, corpus: str, questions: Sequence[tuple[str, bool, tuple[str, ...]]],
                  top_k: int = 5) -> list[Group]:
    """(question, answerable, evidence strings) of a project dev split -> groups over the retrieved candidates."""
    out = []
    for text, answerable, evidence in questions:
        r = engine.reading(text, top_k, "hybrid")
        g = gather(text, r.q_vec, r.pool, r.vectors, r.views, engine.corpus_terms, engine.answer_settings)
        if not g.pool:
            continue
        labels = np.array([answerable and any(holds_evidence(clean(c.sentence.text), e) for e in evidence)
                           for c in g.pool], dtype=bool)
        out.append(Group(f"dev:{corpus}", g.question, answerable, reader_rows(r.q_vec, g.pool, g.evidence, r.vectors),
                         labels, np.zeros(len(g.pool), dtype=bool), tuple(g.evidence),
                         gated(g, engine.corpus_terms, engine.answer_settings)))
    return out
