"""The answerer's fitted models: the shipped JSON loads and scores, a model whose features differ is
refused, and the fitting puts the evidence sentence first and separates answerable questions."""

import json

import numpy as np
import pytest

from service.answering.evidence import QUESTION_FEATURES, SENTENCE_FEATURES
from service.answering.model import DEFAULT_MODEL, AnswerModel, load_model
from service.evaluation.answer_fit import fit_logistic, fit_sentences


def test_the_shipped_model_loads_and_says_what_it_was_fitted_on():
    model = load_model()
    assert "dev" in model.fitted_on and "heldout" not in model.fitted_on
    assert 0.0 <= model.threshold < 1.0
    rows = np.zeros((3, len(SENTENCE_FEATURES)))
    assert model.sentence(rows).shape == (3,)
    assert 0.0 < model.probability([0.0] * len(QUESTION_FEATURES)) < 1.0


def test_a_model_with_other_features_is_refused():
    d = json.loads(DEFAULT_MODEL.read_text())
    d["sentence"]["features"] = d["sentence"]["features"][:-1]
    with pytest.raises(ValueError, match="features"):
        AnswerModel.from_json(d)


def test_fitting_ranks_the_evidence_sentence_first_on_data_it_has_not_seen():
    rng = np.random.default_rng(0)

    def group():
        x = rng.normal(size=(6, 3))
        gold = int(np.argmax(x[:, 0] + 0.2 * rng.normal(size=6)))
        return x, np.eye(6)[gold]

    model = fit_sentences([group() for _ in range(60)])
    test = [group() for _ in range(40)]
    right = sum(int(np.argmax(model(x))) == int(np.argmax(y)) for x, y in test)
    assert right >= 32 and model.weights[0] > abs(model.weights[1]) + abs(model.weights[2])


def test_logistic_fit_separates_the_two_classes():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(1.0, 1.0, size=(50, 2)), rng.normal(-1.0, 1.0, size=(50, 2))])
    y = np.r_[np.ones(50), np.zeros(50)]
    model = fit_logistic(x, y)
    assert np.mean((model(x) > 0) == (y == 1)) >= 0.85
