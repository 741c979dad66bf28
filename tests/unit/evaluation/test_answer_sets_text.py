"""Every evidence, short-answer, intro and item string of the hand-written answer and list sets is a
verbatim substring of its document's canonical text as the loaders make it."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.evaluation.answer_sets import ANSWER_SETS, LIST_SET, corpus_dir, load_answer_set, load_list_set
from service.ingest.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"


def _texts(corpus: str) -> dict[str, str]:
    return {d.doc_id: d.text for d in read_corpus(corpus_dir(DATA, corpus, ROOT / "corpus")).documents}


@pytest.mark.parametrize("corpus", sorted(ANSWER_SETS))
def test_answer_strings_are_in_their_document(corpus: str) -> None:
    texts = _texts(corpus)
    questions = load_answer_set(DATA / ANSWER_SETS[corpus])
    missing = []
    for q in questions:
        if not q.answerable:
            assert not q.evidence, q.qid
            continue
        text = texts[q.doc]
        missing += [(q.qid, s) for s in q.evidence if s not in text]
        missing += [(q.qid, s) for s in q.short_answers if s not in text]
        assert q.evidence, q.qid
    assert not missing


def test_list_strings_are_in_their_document() -> None:
    texts = {c: _texts(c) for c in ANSWER_SETS}
    missing = []
    for q in load_list_set(DATA / LIST_SET):
        text = texts[q.corpus][q.doc]
        missing += [(q.qid, s) for s in q.items if s not in text]
        if q.intro:
            missing += [(q.qid, q.intro)] if q.intro not in text else []
        if q.count is not None:
            assert q.count == len(q.items), q.qid
    assert not missing


def test_every_set_has_both_splits() -> None:
    for name in ANSWER_SETS.values():
        assert {q.split for q in load_answer_set(DATA / name)} == {"dev", "heldout"}
