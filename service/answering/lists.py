"""List and section answers (issue 18): which questions ask for several things or for what a section
says, and the structure-aware answer units of a document's text: an introducing sentence (ending in a
colon) or a heading, with the bullet or numbered items under it (nested items under their parent),
each item's span exact. Pure text functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.core.records import Section
from service.retrieval.bm25 import tokenize

_NUMBER_WORDS = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_PLURAL = r"(?!(?:was|has|does|is|this|its|always|perhaps|less|unless|across)\b)[a-z-]+s(?<!ss)(?<!us)"
_LIST_Q = re.compile(
    rf"^\W*(?:list|enumerate)\b|^\W*name\s+(?!(?:a|an|one|someone|somebody|any)\b)|^\W*(?:what|which)\s+(?:are|were)\b|\b{_NUMBER_WORDS}\s+(?:[a-z-]+\s+){{0,2}}{_PLURAL}\b"
    rf"|^\W*(?:what|which)\s+(?:[a-z-]+\s+)?{_PLURAL}\s+(?:are|were|can|could|should|must|do|does|did|exist|make|fell|"
    r"have|has)\b|^\W*what\s+steps\b|\bwhat\s+should\s+\w+\s+check\b", re.I)
_SECTION_Q = re.compile(
    r"\bwhat\s+does\s+(?:the\s+)?[\w\s'’-]*?\s(?:say|cover|contain)\b|^\W*tell\s+me\s+about\b|^\W*anything\s+(?:on|about)\b"
    r"|\bwhat\s+happened\b|\bwhat(?:'s|\s+is)\s+the\s+status\b|\bwhat\s+was\s+on\s+the\s+agenda\b|\bhow\s+are\s+\w+\s+expected\b"
    r"|\bwhat\s+information\b", re.I)
_COUNT = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
BULLET = re.compile(r"^([ \t]*)(?:[-*+•◦▪]|\d{1,2}[.)]|\(?[a-z]\))[ \t]+(?=\S)")


def question_kind(question: str) -> str | None:
    """'section' for "what does it say about X", 'list' for "what are the X", else None (a factoid)."""
    if _SECTION_Q.search(question):
        return "section"
    if _LIST_Q.search(question):
        return "list"
    return None


def stated_count(question: str) -> int | None:
    m = re.search(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\s+(?:\w+\s+){0,3}\w+s\b",
                  question, re.I)
    if not m:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else _COUNT[word]


@dataclass(frozen=True)
class Item:
    start: int  # document offsets of the item's text, bullet marker left out
    end: int
    depth: int  # 1 for a top-level item, 2 for an item nested under it...


def _lines(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    out, pos = [], start
    while pos < stop:
        nl = text.find("\n", pos, stop)
        end = stop if nl < 0 else nl
        out.append((pos, end))
        pos = end + 1
    return out


def bullet_indent(text: str, at: int) -> int | None:
    """The indentation of the bullet item on the line holding offset `at`, or None off a list."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    m = BULLET.match(text[line_start:line_end if line_end >= 0 else len(text)])
    return len(m.group(1).expandtabs()) if m else None


def enclosing_indent(text: str, at: int, lookback: int = 80) -> int | None:
    """The marker indentation of the bullet item holding offset `at`: the item on its line, or the
    item its (indented) line continues, across blank lines as a multi-paragraph item does; None when
    `at` is not inside an item."""
    own = bullet_indent(text, at)
    if own is not None:
        return own
    line_start = text.rfind("\n", 0, at) + 1
    line = text[line_start:text.find("\n", at) if text.find("\n", at) >= 0 else len(text)]
    indent = len(line.expandtabs()) - len(line.expandtabs().lstrip())
    pos = line_start
    for _ in range(lookback):
        if pos <= 0 or indent == 0:
            return None
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        prev = text[prev_start:pos - 1].expandtabs()
        pos = prev_start
        if not prev.strip():
            continue
        lead = len(prev) - len(prev.lstrip())
        m = BULLET.match(prev)
        if m:
            marker = len(m.group(1).expandtabs())
            return marker if marker < indent else None
        if lead < indent:
            return None
    return None


def items_after(text: str, at: int, stop: int | None = None) -> list[Item]:
    """The bullet items of the list starting on the first non-blank line after offset `at`, up to
    `stop`: each item with its wrapped continuation lines, nested items by indentation. When `at` is
    on a bullet item itself, its sub-items: up to the next item at its own level."""
    stop = len(text) if stop is None else stop
    parent = bullet_indent(text, at)
    line_end = text.find("\n", at)
    if line_end < 0:
        return []
    items: list[Item] = []
    indents: list[int] = []
    lines = [(a, b) for a, b in _lines(text, line_end + 1, stop)]
    first = next((text[a:b] for a, b in lines if text[a:b].strip()), "")
    if first and not BULLET.match(first):
        return _line_block(text, lines)
    for a, b in lines:
        line = text[a:b]
        if not line.strip():
            continue
        m = BULLET.match(line)
        if m:
            indent = len(m.group(1).expandtabs())
            if parent is not None and indent <= parent:
                break
            while indents and indent < indents[-1]:
                indents.pop()
            if not indents or indent > indents[-1]:
                indents.append(indent)
            items.append(Item(a + m.end(), a + len(line.rstrip()), len(indents)))
        elif items and len(line) - len(line.lstrip()) > (indents[0] if indents else 0):
            items[-1] = Item(items[-1].start, a + len(line.rstrip()), items[-1].depth)  # a wrapped item goes on
        else:
            break
    return items


def _line_block(text: str, lines: list[tuple[int, int]]) -> list[Item]:
    """Items without markers (HTML and DOCX list items are lines of their own): the lines of the first
    block, up to the next blank line, when it has two or more."""
    block: list[Item] = []
    for a, b in lines:
        line = text[a:b]
        if not line.strip():
            if block:
                break
            continue
        lead = len(line) - len(line.lstrip())
        block.append(Item(a + lead, a + len(line.rstrip()), 1))
    return block if len(block) >= 2 else []


# words by which a question names the document itself, not a part of it
_SELF = set(tokenize(["brief document paper guide manual reference policy developers say cover tell anything"])[0])


def _terms(text: str) -> set[str]:
    return set(tokenize([text])[0])


def title_match(question: str, title: str) -> float:
    """How well a heading matches the question: shared terms times their share of the title."""
    q, t = _terms(question) - _SELF, _terms(title)
    shared = len(q & t)
    return shared * shared / len(t) if t else 0.0


def matching_section(question: str, sections: tuple[Section, ...], least: float = 0.4) -> Section | None:
    """The section whose title shares the most with the question (shared terms times their share of
    the title, at least `least` of it); ties go to the earlier section."""
    q = _terms(question) - _SELF
    best, best_key = None, 0.0
    for s in sections:
        t = _terms(s.title)
        shared = len(q & t)
        if not t or not shared or shared / len(t) < least:
            continue
        key = shared * shared / len(t)
        if key > best_key:
            best, best_key = s, key
    return best


def section_of_hit(question: str, path: tuple[str, ...], sections: tuple[Section, ...], at: int) -> Section | None:
    """Of the sections around offset `at` (the best passage's), the one whose title shares most terms
    with the question; ties go to the larger section."""
    q = _terms(question) - _SELF
    around = [s for s in sections if s.start <= at < s.end and s.title in path]
    scored = [(len(q & _terms(s.title)), -s.level, s) for s in around]
    scored = [x for x in scored if x[0] > 0]
    return max(scored, key=lambda x: (x[0], x[1]))[2] if scored else None
