"""The SQuAD answer figures count what they say (service/evaluation/squad_answers.py)."""

import numpy as np

from service.answering.answerable import PassageView
from service.answering.extractive import Candidate
from service.core.records import AnswerSentence, Sentence
from service.evaluation.reader_data import SquadReading
from service.evaluation.squad_answers import figures

TEXT = "Rollo founded Normandy in 911. The Normans spoke French."
ONE, TWO = Sentence("Normans", 0, 30, TEXT[:30]), Sentence("Normans", 31, 56, TEXT[31:])


def _reading(question: str, answers: list[tuple[int, int]], article: str = "Force") -> SquadReading:
    cands = [Candidate(ONE, 0, (1,), (1, 0)), Candidate(TWO, 1, (1,), (1, 31))]
    return SquadReading(article, question, bool(answers), np.zeros(3), cands, PassageView(TEXT, (), "Normans"),
                        answers, [])


def test_first_sentence_abstentions_and_no_answer_accuracy_per_split():
    readings = [_reading("When was Normandy founded?", [(26, 29)]),  # answered with its sentence
                _reading("What did the Normans speak?", [(50, 56)]),  # answered with the wrong sentence
                _reading("Who founded Paris?", [(0, 5)]),  # wrongly refused
                _reading("Who founded Rome?", []),  # rightly refused
                _reading("When was Lyon founded?", [])]  # answered, though it should not be
    said = {"When was Normandy founded?": ONE, "What did the Normans speak?": ONE, "When was Lyon founded?": ONE}
    answer = lambda r: (AnswerSentence(said[r.question].text, (1,)),) if r.question in said else ()
    test = figures(readings, answer)["test"]
    assert test["answerable"] == 3 and test["unanswerable"] == 2
    assert test["first_sentence"] == round(1 / 3, 4) and test["when_answered"] == 0.5
    assert test["wrong_abstain"] == round(1 / 3, 4) and test["abstain_recall"] == 0.5
    assert test["no_answer_accuracy"] == 0.6  # 2 answered + 1 refused of 5
    assert figures(readings, answer)["train"]["answerable"] == 0
