"""Answerability on the real brief with the real model, in both stores (disk and PostgreSQL): why an
abstention happens (hand-written expectations), short answers that keep the citation contract, and
the index-time entities the answer types read."""

from __future__ import annotations

import pytest

# question -> (reason, expected answer type, a term the abstention must name, or None)
EXPECTED = {
    "How many Patriot missiles did France order?": ("missing_terms", "number", "France"),
    "How much did Sweden pledge to Ukraine?": ("missing_terms", "amount", "Sweden"),
    "What is the GDP of Romania?": ("missing_terms", "amount", "GDP"),
    "How many soldiers has India sent to Kosovo?": ("missing_terms", "number", "India"),
    "How many Leopard tanks is Germany sending to Ukraine?": ("missing_terms", "number", "Leopard"),
    "What is the annual budget of NSATU?": ("no_answer_of_type", "amount", None),
    "When was KFOR first deployed?": ("no_answer_of_type", "date", None),
    "How many heads of state attended the Washington Summit?": ("no_answer_of_type", "number", None),
    "How many staff will work at the new command in Wiesbaden?": ("no_answer_of_type", "number", None),
    "what's a good recipe for Belgian waffles": ("not_covered", None, None),
}


@pytest.mark.parametrize("question", sorted(EXPECTED))
def test_each_abstention_says_why(store_engine, question):
    reason, expected, term = EXPECTED[question]
    answer = store_engine.ask(question, 5)
    assert answer.abstained and not answer.sentences
    a = answer.abstention
    assert a is not None and a.reason == reason, (question, a)
    assert a.expected == expected
    if reason == "missing_terms":
        assert term in a.missing_terms and term in answer.text
    assert answer.text == a.message and "[" not in answer.text
    assert answer.hits, "the closest passages are still listed"


@pytest.mark.xfail(strict=True, reason="known miss: the amount sentence names Ukraine, one of the question's two names, "
                   "and the answerer takes it: 'NATO Allies provided EUR 20.9 billion ...'")
def test_an_amount_given_by_all_allies_is_not_new_zealands(store_engine):
    assert store_engine.ask("How much military aid has New Zealand given Ukraine?", 5).abstained


@pytest.mark.parametrize("question,short", [
    ("How many Allies will take part in the High Visibility Projects?", "26"),
    ("Who is the US Secretary of Defense?", "Lloyd J. Austin III"),
    ("When is the next meeting of NATO defence ministers expected?", "February 2025"),
])
def test_short_answers_are_exact_spans_of_the_first_sentence(store_engine, question, short):
    answer = store_engine.ask(question, 5)
    assert not answer.abstained
    s = answer.short_answer
    assert s is not None and s.text == short
    doc = store_engine.index.document(s.doc_id)
    assert doc.text[s.start:s.end] == s.text
    assert s.text in answer.sentences[0].text
    assert s.citation in answer.sentences[0].citations


def test_sentences_carry_their_index_time_entities(store_engine):
    index = store_engine.index
    per_chunk, sentences, _ = index.sentences_of(list(range(index.chunk_count)))
    labelled = {(s.text[a:b], label) for s in sentences for a, b, label in s.entities}
    assert ("Mark Rutte", "PERSON") in labelled
    assert any(label == "MONEY" for _, label in labelled)
    for s in sentences:
        assert all(0 <= a < b <= len(s.text) for a, b, _ in s.entities)
