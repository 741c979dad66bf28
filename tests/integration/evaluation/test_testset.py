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


def test_no_answerable_question_abstains_and_every_abstention_is_right(results):
    # The target is that every unanswerable question abstains too; that is NOT met (recall
    # 0.25): near-topic questions need a reader model. This guards what holds today.
    assert results["abstain_precision"] == 1.0
    assert results["abstain_recall"] >= 0.25
    assert all(qid.startswith("u") for qid in results["abstain_errors"])
