"""Follow-up resolution: which questions lean on earlier turns, and what is carried into their query."""

from __future__ import annotations

import pytest

from service.pipeline.conversation import content_terms, is_follow_up, resolve


@pytest.mark.parametrize("question", ["When will it be fully operational?", "And Japan?", "What about the budget?",
                                      "Did they also talk about Ukraine?", "How far inland did it get?",
                                      "When are further announcements expected?", "What does he say this requires?"])
def test_elliptical_or_anaphoric_questions_are_follow_ups(question):
    assert is_follow_up(question)


@pytest.mark.parametrize("question", ["What is NORTHLINK?", "How much did Allies pledge to Ukraine in 2024?",
                                      "Which Indo-Pacific partners attended the ministerial?"])
def test_questions_naming_their_subject_stand_alone(question):
    assert not is_follow_up(question)


def test_a_follow_up_carries_the_earlier_turns_specific_terms():
    r = resolve("When will it be fully operational?", ["What is NSATU?"])
    assert r.query == "When will it be fully operational? NSATU"
    assert r.context == ("NSATU",) and r.follows == "What is NSATU?"
    assert r.shown == "When will it be fully operational? (follow-up to: What is NSATU?)"


def test_a_standalone_question_is_left_alone_even_with_history():
    r = resolve("What is NORTHLINK?", ["What is NSATU?"])
    assert r.query == "What is NORTHLINK?" and r.shown == "What is NORTHLINK?" and not r.context


def test_the_topic_carries_along_a_chain_of_follow_ups():
    r = resolve("And Japan?", ["Which pledges did Australia make to Ukraine?", "And Canada?"])
    assert "pledges" in r.query and "Ukraine" in r.query and "Japan" in r.query
    assert r.follows == "And Canada? (follow-up to: Which pledges did Australia make to Ukraine?)"


def test_no_history_means_no_change_and_words_already_asked_are_not_repeated():
    assert resolve("  When will it start?  ", []).query == "When will it start?"
    assert resolve("Is NSATU operational yet?", ["What is NSATU?"]).query == "Is NSATU operational yet?"
    assert content_terms("What did the Allies say about the Allies?") == ["Allies"]
