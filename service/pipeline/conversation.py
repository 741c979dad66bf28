"""Follow-up questions: a question that leans on earlier turns ("And Japan?", "When will it be
operational?") is retrieved with the earlier turns' specific terms carried into its query.

No LLM is needed. A follow-up is a question that uses a pronoun or demonstrative ("it", "they",
"there", "this area"), opens elliptically ("And ...", "What about ..."), or names nothing specific
(no name, acronym or number). Its query is the question plus the content terms of the previous
turn's resolved query, so "X? And Y? And Z?" chains carry the topic along. A standalone question
("What is NORTHLINK?") is left as it is. The answer names the question it answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.core.records import Answer
from service.pipeline.query import Engine

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\d[\d.,]*")
# Words that stand for something said before: personal pronouns and demonstratives.
ANAPHORS = frozenset("""it its it's itself they them their theirs themselves he him his she her hers
    this that these those there then such former latter same one ones""".split())
ELLIPTICAL_OPENERS = ("and", "also", "what about", "how about", "but", "then", "so")
# Function and question words: never carried, never "specific".
FUNCTION_WORDS = frozenset("""a an the and or but if of to in on at by for from with about into over under
    after before during since until up down out off as than so also too very just only again further
    is are was were be been being am do does did done doing have has had having will would shall should
    can could may might must i me my we us our you your what which who whom whose when where why how
    whether not no yes any all some each every other another more most much many few less there here
    ever still yet even actually really please tell say said says mention mentioned brief report paper document
    documents text this that these those it its they them their he him his she her""".split())


@dataclass(frozen=True)
class Resolved:
    question: str  # what the user asked in this turn
    query: str  # what retrieval and the answerer are given
    context: tuple[str, ...]  # terms carried from earlier turns (empty: a standalone question)
    follows: str | None  # the earlier question it follows up on, when it does

    @property
    def shown(self) -> str:
        """The question as answered, for the answer to name."""
        if not self.context:
            return self.question
        return f"{self.question} (follow-up to: {self.follows})"


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_specific(word: str, first: bool) -> bool:
    """A name, an acronym or a number: capitalised (not as the first word), all caps, or digits."""
    if any(ch.isdigit() for ch in word):
        return True
    if word.lower() in FUNCTION_WORDS:
        return False
    return (len(word) > 1 and word.isupper()) or (word[:1].isupper() and not first)


def is_follow_up(question: str) -> bool:
    """Uses an anaphor, opens elliptically, or names nothing specific."""
    ws = words(question)
    lowered = [w.lower() for w in ws]
    if any(w in ANAPHORS for w in lowered):
        return True
    text = " ".join(lowered)
    if any(text == o or text.startswith(o + " ") for o in ELLIPTICAL_OPENERS):
        return True
    return not any(_is_specific(w, i == 0) for i, w in enumerate(ws))


def content_terms(text: str) -> list[str]:
    """The words of `text` worth carrying: not function words, in order, each once."""
    seen: set[str] = set()
    out: list[str] = []
    for w in words(text):
        key = w.lower()
        if key in FUNCTION_WORDS or key in seen or (len(w) < 2 and not w.isdigit()):
            continue
        seen.add(key)
        out.append(w)
    return out


def resolve(question: str, history: Sequence[str]) -> Resolved:
    """The query for `question` given the earlier user turns (oldest first)."""
    question = question.strip()
    if not history:
        return Resolved(question, question, (), None)
    previous = resolve(history[-1], history[:-1])
    if not is_follow_up(question):
        return Resolved(question, question, (), None)
    own = {w.lower() for w in words(question)}
    carried = tuple(t for t in content_terms(previous.query) if t.lower() not in own)
    if not carried:
        return Resolved(question, question, (), None)
    return Resolved(question, f"{question} {' '.join(carried)}", carried, previous.shown)


def ask_in_context(engine: Engine, question: str, top_k: int, mode: str | None,
                   history: Sequence[str] = (), min_confidence: float = 0.0) -> Answer:
    """Engine.ask on the resolved query; the answer's `question` says which question it answered."""
    resolved = resolve(question, history)
    answer = engine.ask(resolved.query, top_k, mode, own=resolved.question if resolved.context else None,
                        min_confidence=min_confidence)
    return replace(answer, question=resolved.shown)
