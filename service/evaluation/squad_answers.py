"""The shipped answerer on SQuAD 2.0, documents nobody tuned on (issue 22): each question's paragraph is
its one retrieved passage, its sentences the candidates; `decide` (the service's own answer step) and
the previous one-threshold answerer (`compose`) answer it.

Figures per split (service/evaluation/reader_data.py's articles: test = the last four, validation =
Packet_switching and Immune_system, train = the others):

- first_sentence: answerable questions whose first answer sentence holds an annotator's answer start
  (an abstention counts as a miss); `when_answered`: the same over the questions it answers;
- wrong_abstain: answerable questions refused; abstain_recall: unanswerable questions refused;
- no_answer_accuracy: questions whose answer-or-abstain decision is right (SQuAD 2.0's has-answer /
  no-answer accuracy, at the shipped threshold)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.answering.answerable import decide
from service.answering.extractive import AnswerSettings, compose
from service.core.records import AnswerSentence
from service.evaluation.reader_data import SquadReading, holds_start, split_of
from service.text.sentences import clean

Answerer = Callable[[SquadReading], tuple[AnswerSentence, ...]]  # () when it abstains


def shipped(vectors, corpus, settings: AnswerSettings) -> Answerer:
    """The service's answer step, as `/v1/ask` runs it on one retrieved passage."""
    return lambda r: decide(r.question, r.q_vec, r.candidates, vectors, [r.view], corpus, settings).sentences


def previous(vectors, settings: AnswerSettings) -> Answerer:
    """The one-threshold answerer before issue 14."""
    return lambda r: compose(r.question, r.q_vec, r.candidates, vectors, settings)[0]


def _first_holds(r: SquadReading, first: AnswerSentence) -> bool:
    return any(clean(c.sentence.text) == first.text and holds_start(c.sentence, r.answers) for c in r.candidates)


def figures(readings: Sequence[SquadReading], answer: Answerer) -> dict[str, dict[str, float | int]]:
    """The figures above, per split."""
    out: dict[str, dict[str, float | int]] = {}
    for split in ("train", "validation", "test"):
        rs = [r for r in readings if split_of(r.article) == split]
        answered = [(r, answer(r)) for r in rs]
        yes = [(r, s) for r, s in answered if r.answerable]
        no = [(r, s) for r, s in answered if not r.answerable]
        hit = sum(bool(s) and _first_holds(r, s[0]) for r, s in yes)
        said = sum(bool(s) for _, s in yes)
        refused = sum(not s for _, s in no)
        out[split] = {"answerable": len(yes), "unanswerable": len(no),
                      "first_sentence": round(hit / max(1, len(yes)), 4),
                      "when_answered": round(hit / max(1, said), 4),
                      "wrong_abstain": round((len(yes) - said) / max(1, len(yes)), 4),
                      "abstain_recall": round(refused / max(1, len(no)), 4),
                      "no_answer_accuracy": round((said + refused) / max(1, len(rs)), 4)}
    return out
