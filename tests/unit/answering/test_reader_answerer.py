"""The trained reader (or the joint cross-encoder re-reading the best candidates), switched on by a setting, decides over the same candidates as the evidence
answerer: it answers with sentences copied from the candidates, or abstains with a known reason."""

import numpy as np

from service.answering.answerable import PassageView, decide
from service.answering.extractive import AnswerSettings, Candidate
from service.answering.terms import CorpusTerms
from service.core.records import ABSTENTION_REASONS, Sentence

TEXT = ("Defence ministers met in Brussels on 17 and 18 October 2024. "
        "They agreed on new capability targets for the Alliance. "
        "The meeting was chaired by the Secretary General.")


def _setup():
    sentences, at = [], 0
    for part in TEXT.split(". "):
        part = part.rstrip(".") + "."
        start = TEXT.index(part, at)
        sentences.append(Sentence("d", start, start + len(part), part))
        at = start + len(part)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(sentences), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    q_vec = vectors[0] * 0.9 + vectors[1] * 0.1
    q_vec /= np.linalg.norm(q_vec)
    cands = [Candidate(s, i, (1,), (1, s.start)) for i, s in enumerate(sentences)]
    return q_vec, cands, vectors, [PassageView(TEXT, (), "brief", 0)], CorpusTerms.of([TEXT])


def test_the_reader_answers_from_the_candidates_or_abstains_with_a_known_reason():
    q_vec, cands, vectors, views, corpus = _setup()
    for reader, joint in ((False, 0), (True, 0), (False, 3)):
        d = decide("Where did the defence ministers meet?", q_vec, cands, vectors, views, corpus,
                   AnswerSettings(abstain_threshold=0.0, reader=reader, joint_candidates=joint))
        if d.abstention is None:
            assert d.sentences and all(s.text in TEXT for s in d.sentences)
            assert 0.0 <= d.confidence <= 1.0
        else:
            assert d.abstention.reason in ABSTENTION_REASONS


def test_the_reader_abstains_on_a_name_the_documents_never_use():
    q_vec, cands, vectors, views, corpus = _setup()
    d = decide("When did Zanzibar join?", q_vec, cands, vectors, views, corpus,
               AnswerSettings(abstain_threshold=0.0, reader=True))
    assert d.abstention is not None and d.abstention.reason == "missing_terms"
