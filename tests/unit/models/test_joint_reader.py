"""The shipped cross-encoder (the joint reader) is the file its card names and reproduces the card's figure
on a fixed sample of SQuAD 2.0 validation questions (tests/data/joint_reader_sample.json, made by
bench/joint_reader_sample.py)."""

import json

import numpy as np

from service.models.joint_reader import JOINT_DIR, MODEL_FILE, JointReader, load_joint_reader, sha256
from tests.conftest import DATA

CARD = json.loads((JOINT_DIR / "joint_reader.json").read_text(encoding="utf-8"))
SAMPLE = json.loads((DATA / "joint_reader_sample.json").read_text(encoding="utf-8"))


def test_the_shipped_file_is_the_one_its_card_and_model_card_name():
    digest = sha256(JOINT_DIR / MODEL_FILE)
    assert digest == CARD["model_sha256"]
    assert digest in (JOINT_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_the_loaded_reader_reproduces_the_sample_logits_and_the_cards_figure():
    reader = JointReader()
    hits = []
    for q in SAMPLE["questions"]:
        logits = reader.scores(q["question"], q["sentences"], np.array(q["cosines"]))
        assert np.allclose(logits, q["logits"], atol=1e-3), q["question"]
        hits.append(int(np.argmax(logits)) in q["answers"])
    assert round(float(np.mean(hits)), 4) == SAMPLE["first_sentence"] == CARD["sample_first_sentence"]
    assert SAMPLE["first_sentence"] > 0.7  # a reader that learnt nothing ranks near chance


def test_the_question_and_sentence_are_read_together_not_as_cosine_alone():
    reader = load_joint_reader()
    s = ["The Treaty of Paris ended the war in 1763.", "The war ended with a treaty signed in 1763 in Paris."]
    same = reader.scores("When did the war end?", s, np.array([0.5, 0.5]))
    assert same.shape == (2,) and not np.isclose(same[0], same[1])  # equal cosines, different readings
    assert reader.scores("anything", [], np.zeros(0)).shape == (0,)
