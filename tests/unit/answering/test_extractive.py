import numpy as np

from service.answering.extractive import AnswerSettings, pool_sentences, compose
from service.core.records import Answer, AnswerSentence, Sentence


def _sentences():
    return [Sentence("d", 0, 10, "Alpha one."), Sentence("d", 11, 21, "Beta two**."),
            Sentence("d", 30, 40, "Gamma three")]


def test_candidates_cite_every_hit_that_holds_the_sentence_one_based():
    # hit 1 = chunk row 1 (sentences 1, 2); hit 2 = chunk row 0 (sentences 0, 1)
    cands = pool_sentences([1, 0], [[0, 1], [1, 2]], _sentences())
    by_row = {c.row: c.citations for c in cands}
    assert by_row == {1: (1, 2), 2: (1,), 0: (2,)}
    assert all(n >= 1 for c in cands for n in c.citations)


def test_compose_copies_sentences_cleaned_and_abstains_below_threshold():
    vecs = np.eye(3, dtype=np.float32)
    cands = pool_sentences([0], [[0, 1, 2]], _sentences())
    q = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    chosen, conf = compose("beta", q, cands, vecs, AnswerSettings(abstain_threshold=0.5, max_sentences=1))
    assert chosen == (AnswerSentence("Beta two.", (1,)),) and conf > 1.0
    none, conf = compose("zzz", np.zeros(3, dtype=np.float32), cands, vecs, AnswerSettings(abstain_threshold=0.5))
    assert none == () and conf < 0.5


def test_answer_text_has_markers_and_abstention_has_none():
    a = Answer("q", (AnswerSentence("One.", (1, 3)),), (), False, 1.0)
    assert a.text == "One. [1][3]"
    b = Answer("q", (), (), True, 0.1)
    assert "[" not in b.text and "do not cover" in b.text
