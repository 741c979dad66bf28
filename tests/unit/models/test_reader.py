"""The shipped reader is the file its card describes, reads the columns the answerer computes, and
reproduces the card's figure on a fixed sample of SQuAD validation questions."""

import json

import numpy as np
import pytest

from service.answering.reader_input import QUESTION_COLUMNS, READER_COLUMNS
from service.models.reader import HEAD_FILE, READER_DIR, Reader, load_reader, sha256
from tests.conftest import DATA

CARD = json.loads((READER_DIR / "reader.json").read_text(encoding="utf-8"))


def test_the_shipped_head_is_the_file_its_card_and_model_card_name():
    digest = sha256(READER_DIR / HEAD_FILE)
    assert digest == CARD["sentence_head_sha256"]
    assert digest in (READER_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_the_reader_reads_the_columns_the_answerer_computes():
    assert load_reader().check(READER_COLUMNS, QUESTION_COLUMNS).sentence_columns == READER_COLUMNS
    with pytest.raises(ValueError, match="retrain"):
        load_reader().check(READER_COLUMNS[:-1], QUESTION_COLUMNS)


def test_the_loaded_reader_reproduces_its_card_on_the_fixed_sample():
    sample = np.load(DATA / "reader_sample.npz")
    scores = Reader().sentence_scores(sample["rows"])
    assert np.allclose(scores, sample["scores"], atol=1e-4)
    hits = [bool(sample["labels"][sample["group"] == g][np.argmax(scores[sample["group"] == g])])
            for g in np.unique(sample["group"])]
    assert round(float(np.mean(hits)), 4) == CARD["sample_first_sentence"]
    assert CARD["sample_first_sentence"] > 0.7  # a reader that learnt nothing would pick at random


def test_the_question_head_gives_a_probability_and_the_threshold_is_one():
    reader = load_reader()
    assert 0.0 <= reader.threshold <= 1.0
    p = reader.answerable(np.zeros(len(QUESTION_COLUMNS)))
    assert 0.0 < p < 1.0
    assert reader.sentence_scores(np.zeros((0, len(READER_COLUMNS)))).shape == (0,)
