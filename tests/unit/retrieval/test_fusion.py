import pytest

from service.retrieval.fusion import convex, fuse, normalize, ranked, rrf


def test_minmax_and_zscore():
    assert normalize({1: 2.0, 2: 4.0, 3: 3.0}, "minmax") == {1: 0.0, 2: 1.0, 3: 0.5}
    z = normalize({1: 1.0, 2: 3.0}, "zscore")
    assert z[1] == pytest.approx(-1.0) and z[2] == pytest.approx(1.0)
    assert normalize({1: 5.0}, "minmax") == {1: 1.0}


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid: minmax, zscore"):
        normalize({1: 1.0}, "softmax")
    with pytest.raises(ValueError, match="valid: convex, rrf"):
        fuse({}, {}, "borda", 0.5, "minmax", 60)


def test_convex_weights_and_missing_side_gets_the_floor():
    dense = {1: 0.9, 2: 0.5}
    sparse = {2: 10.0, 3: 5.0}
    fused = convex(dense, sparse, alpha=0.7)
    assert fused[1] == pytest.approx(0.7 * 1.0 + 0.3 * 0.0)
    assert fused[2] == pytest.approx(0.7 * 0.0 + 0.3 * 1.0)
    assert fused[3] == pytest.approx(0.0)
    assert convex(dense, sparse, alpha=1.0)[1] == pytest.approx(1.0)


def test_inputs_are_not_mutated():
    dense, sparse = {1: 0.9, 2: 0.5}, {2: 10.0}
    fuse(dense, sparse, "convex", 0.5, "zscore", 60)
    fuse(dense, sparse, "rrf", 0.5, "minmax", 60)
    assert dense == {1: 0.9, 2: 0.5} and sparse == {2: 10.0}


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([{1: 3.0, 2: 2.0}, {2: 9.0, 3: 1.0}], k=60)
    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)
    assert ranked(fused)[0] == 2


def test_alpha_out_of_range_is_refused():
    with pytest.raises(ValueError, match="alpha"):
        convex({1: 1.0}, {1: 1.0}, alpha=1.5)


def test_ranked_breaks_ties_by_key():
    assert ranked({5: 1.0, 2: 1.0, 9: 2.0}) == [9, 2, 5]
