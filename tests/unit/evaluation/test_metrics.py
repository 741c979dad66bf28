import pytest

from service.evaluation.metrics import average_precision, hit_at, mrr_at, ndcg_at, recall_at

QRELS = {"q1": {"d1": 1, "d4": 1}, "q2": {"d9": 1}, "q3": {"d2": 2, "d3": 1}}
RUN = {
    "q1": ["d3", "d1", "d2", "d4", "d5"],
    "q2": ["d1", "d2", "d3"],
    "q3": ["d3", "d2", "d7", "d8"],
}


def _ranx(metric: str) -> dict[str, float]:
    from ranx import Qrels, Run, evaluate

    run = {q: {d: float(len(ds) - i) for i, d in enumerate(ds)} for q, ds in RUN.items()}
    return evaluate(Qrels(QRELS), Run(run), metric, return_mean=False, make_comparable=True)


@pytest.mark.parametrize("ours,theirs", [
    (lambda r, q: ndcg_at(r, q, 3), "ndcg@3"),
    (lambda r, q: recall_at(r, q, 2), "recall@2"),
    (lambda r, q: mrr_at(r, q, 10), "mrr@10"),
    (lambda r, q: average_precision(r, q), "map"),
    (lambda r, q: hit_at(r, q, 1), "hit_rate@1"),
])
def test_metrics_agree_with_ranx(ours, theirs):
    expected = _ranx(theirs)
    for i, qid in enumerate(RUN):
        assert ours(RUN[qid], QRELS[qid]) == pytest.approx(float(expected[i]), abs=1e-9), (qid, theirs)


def test_ndcg_uses_linear_gain_like_trec_eval():
    # graded: d2 (2) at rank 2, d3 (1) at rank 1 -> (1 + 2/log2(3)) / (2 + 1/log2(3))
    import math

    assert ndcg_at(["d3", "d2"], {"d2": 2, "d3": 1}, 10) == pytest.approx(
        (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        ndcg_at(["a"], {"a": 1}, 0)
