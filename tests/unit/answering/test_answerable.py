import numpy as np

from service.answering.answerable import PassageView, decide, is_answer_sentence
from service.answering.extractive import AnswerSettings, pool_sentences
from service.answering.terms import CorpusTerms
from service.core.records import Sentence


def test_headings_title_lines_urls_and_fragments_are_not_answer_sentences():
    assert not is_answer_sentence("I. ALLIED DETERRENCE AND DEFENCE")
    assert not is_answer_sentence("Strengthening air and missile defence", ["Strengthening air and missile defence"])
    assert not is_answer_sentence("182 SPE 24 E | Original: English | October 2024")
    assert not is_answer_sentence("www.nato-pa.int")
    assert not is_answer_sentence("How do I put a package on hold?")  # an FAQ's question is not its answer
    assert not is_answer_sentence("7.12. Must I go into single user mode in order to upgrade a package?”")
    assert not is_answer_sentence("7.5 What is a Debian conffile . . . . . . . . . . . . . . . 28")  # contents line
    assert not is_answer_sentence("Further announcements.")
    assert is_answer_sentence("Further announcements are expected in February 2025.")


def _decide(question, texts, passage, entities=None):
    entities = entities or {}
    sents, at = [], 0
    for t in texts:
        sents.append(Sentence("d", at, at + len(t), t, tuple(entities.get(t, ()))))
        at += len(t) + 1
    cands = pool_sentences([0], [list(range(len(sents)))], sents)
    vecs = np.ones((len(sents), 2), dtype=np.float32) / np.sqrt(2)
    q = np.array([1.0, 1.0], dtype=np.float32) / np.sqrt(2)
    views = [PassageView(passage, ("Support for Ukraine",), "Brief")]
    return decide(question, q, cands, vecs, views, CorpusTerms.of([passage]), AnswerSettings())


TEXTS = ["Allies pledged EUR 40 billion in security assistance to Ukraine.",
         "The command is expected to be fully operational in the coming months."]
PASSAGE = " ".join(TEXTS)


def test_missing_terms_and_missing_answer_types_abstain_with_their_reason():
    d = _decide("How much did France pledge to Ukraine?", TEXTS, PASSAGE)
    assert not d.sentences and d.abstention.reason == "missing_terms" and d.abstention.missing_terms == ("France",)
    d = _decide("How many staff will the command have?", TEXTS, PASSAGE)
    assert d.abstention.reason == "no_answer_of_type" and d.abstention.expected == "number"
    assert "give no number" in d.abstention.message


def test_the_sentence_holding_the_expected_type_comes_first_with_its_short_answer():
    d = _decide("How much did Allies pledge to Ukraine?", TEXTS, PASSAGE)
    assert d.abstention is None and d.sentences[0].text == TEXTS[0]
    assert d.short_answer.text == "EUR 40 billion"
    assert PASSAGE[d.short_answer.start:d.short_answer.end] == "EUR 40 billion"
