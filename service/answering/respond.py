"""The answerer's one entry point: what retrieval found in, the Answer out.

The pipeline calls `respond` once per question. It decides (answerable.decide: which sentence comes
first, its companions, or why the documents do not answer), gives a list or section question its unit
(list_answer), maps the raw score to a calibrated confidence (confidence.py), and abstains when the
caller asked for more confidence than the answer has (`min_confidence`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from service.answering.answer_types import expected_type
from service.answering.answerable import PassageView, answerer_name, configured_model, decide
from service.answering.confidence import Calibration, load_calibration
from service.answering.extractive import AnswerSettings, Candidate
from service.answering.list_answer import Documents, list_answer
from service.answering.model import AnswerModel
from service.answering.terms import CorpusTerms
from service.core.records import Abstention, Answer, Hit
from service.models.reader import Reader


@dataclass(frozen=True)
class Reading:
    """A question's retrieved passages, their sentences (`pool`) and the sentences' vectors."""

    hits: list[Hit]
    q_vec: np.ndarray
    pool: list[Candidate]
    vectors: np.ndarray
    views: list[PassageView]


@dataclass(frozen=True)
class Ask:
    """What the caller asks of the answerer beyond the question."""

    min_confidence: float = 0.0  # abstain (reason `low_confidence`) when the answer's confidence is below it
    own: str | None = None  # a follow-up's own words, when the question also carries earlier turns' terms

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {self.min_confidence}")


def low_confidence(confidence: float, wanted: float) -> Abstention:
    return Abstention("low_confidence", f"The best answer found has confidence {confidence:.2f}, below the "
                      f"{wanted:.2f} asked for.")


def respond(question: str, r: Reading, corpus: CorpusTerms, settings: AnswerSettings, documents: Documents,
            ask: Ask = Ask(), model: AnswerModel | Reader | None = None,
            calibration: Calibration | None = None, timings: dict[str, float] | None = None) -> Answer:
    """The answer to `question` from what was retrieved for it. `model` replaces the configured
    answerer's model and `calibration` the shipped one (side-by-side figures, fitting the calibration)."""
    model = model or configured_model(settings)
    calibration = calibration or load_calibration()
    name = answerer_name(model)
    timings = timings if timings is not None else {}
    d = decide(question, r.q_vec, r.pool, r.vectors, r.views, corpus, settings, model, ask.own)
    missing = d.abstention is not None and d.abstention.reason == "missing_terms"
    listed = None
    if not missing and expected_type(question) is None:  # a factoid question is never a list question
        listed = list_answer(question, r.q_vec, r.hits, r.pool, r.vectors, documents, settings)
    if listed is not None:
        answer = Answer(question, listed.sentences, listed.hits, False, calibration.confidence(name, "list", d.confidence),
                        timings, list_note=listed.note, unit="list")
    else:
        answer = Answer(question, d.sentences, tuple(r.hits), not d.sentences,
                        calibration.confidence(name, d.unit, d.confidence), timings, d.abstention, d.short_answer,
                        unit=d.unit)
    if answer.abstained or answer.confidence >= ask.min_confidence:
        return answer
    return replace(answer, sentences=(), abstained=True, abstention=low_confidence(answer.confidence, ask.min_confidence),
                   short_answer=None, list_note=None)
