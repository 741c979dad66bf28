"""Index-time tagging is slow (spaCy): a rebuild tags only the sentences the current build has not."""

from service.core.records import Sentence
from service.pipeline import build


def test_only_sentences_not_tagged_before_go_to_the_tagger(monkeypatch):
    seen: list[list[str]] = []

    def tagger(texts, progress=None):
        seen.append(list(texts))
        return [((0, 3, "ORG"),) for _ in texts]

    monkeypatch.setattr(build, "spacy_entities", tagger)
    old = Sentence("d", 0, 10, "NATO met.")
    new = Sentence("d", 11, 20, "EU agreed.")
    again = Sentence("e", 0, 10, "NATO met.")  # same text in another document: its entities are the same
    tagged = build._tag([old, new, again], None, {"NATO met.": ((0, 4, "ORG"),)})
    assert seen == [["EU agreed."]]
    assert [s.entities for s in tagged] == [((0, 4, "ORG"),), ((0, 3, "ORG"),), ((0, 4, "ORG"),)]
    assert build._tag([], None, {}) == [] and len(seen) == 1
