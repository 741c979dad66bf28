"""The confidence calibration: the Platt map, its JSON round trip, the fit recovering a known curve,
and the shipped calibration fitted for every answerer and kind, increasing in the raw score."""

from __future__ import annotations

import numpy as np
import pytest

from service.answering.confidence import KINDS, Calibration, Platt, load_calibration, logit
from service.evaluation.confidence_fit import Outcome, fit, fit_platt, out_of_fold, report


def test_platt_is_the_logistic_curve_over_the_raw_logit_and_stays_in_0_1():
    m = Platt(2.0, -1.0)
    for raw in (0.0, 1e-9, 0.2, 0.5, 0.9, 1.0):
        z = 2.0 * logit(raw) - 1.0
        assert m(raw) == pytest.approx(1 / (1 + np.exp(-z)))
        assert 0.0 <= m(raw) <= 1.0


def test_calibration_round_trips_through_json_and_refuses_an_unknown_kind():
    c = Calibration({"evidence": {"sentence": Platt(0.9, -1.4), "list": Platt(0.5, 0.7)}}, "test")
    back = Calibration.from_json(c.to_json())
    assert back.confidence("evidence", "sentence", 0.7) == c.confidence("evidence", "sentence", 0.7)
    assert back.confidence("other", "list", 0.7) == 0.7  # no map: the raw score
    with pytest.raises(ValueError, match="unknown answer kind"):
        c.confidence("evidence", "table", 0.5)


def test_the_fit_recovers_a_known_curve():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.02, 0.98, 4000)
    truth = Platt(1.5, -0.8)
    right = rng.uniform(size=raw.size) < np.array([truth(r) for r in raw])
    got = fit_platt(raw, right, l2=0.0)
    assert got.a == pytest.approx(1.5, abs=0.15) and got.b == pytest.approx(-0.8, abs=0.15)


def test_calibrating_lowers_the_error_of_an_overconfident_score():
    rng = np.random.default_rng(1)
    raw = rng.uniform(0.5, 1.0, 600)
    rows = [Outcome("dev", "sentence", float(r), bool(rng.uniform() < r - 0.3)) for r in raw]
    maps = fit(rows)
    f = report(rows, maps, cross_fit=True)
    assert f["ece"] < 0.5 * f["ece_raw"]
    assert len(out_of_fold(rows)) == len(rows)


def test_a_kind_with_too_few_outcomes_keeps_the_raw_score():
    rows = [Outcome("dev", "list", 0.9, True)] * 5 + [Outcome("dev", "list", 0.2, False)] * 4
    assert fit(rows) == {}


def test_a_constant_or_always_right_kind_gets_the_rule_of_succession_not_certainty():
    rows = [Outcome("dev", "row", 1.0, True)] * 12
    m = fit(rows)["row"]
    assert m(1.0) == pytest.approx(13 / 14) and m(0.3) == pytest.approx(13 / 14)


def test_the_shipped_calibration_maps_every_answerer_and_kind_and_keeps_the_order():
    shipped = load_calibration()
    assert "dev" in shipped.fitted_on
    for answerer in ("evidence", "reader"):
        for kind in KINDS:
            assert kind in shipped.maps[answerer]
            values = [shipped.confidence(answerer, kind, r) for r in np.linspace(0.01, 0.99, 50)]
            assert values == sorted(values) and 0.0 < values[0] <= values[-1] < 1.0
            if kind != "row":  # a row's raw score is a constant: its confidence is one figure
                assert values[0] < values[-1]
