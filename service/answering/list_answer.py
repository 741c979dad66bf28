"""List and section answers: the answer unit (an introducing sentence with its items, or the section
whose heading the question names) found in the retrieved passages' documents, each item a cited
answer sentence in document order. Passages holding items beyond the retrieved ones are added to the
citations, so every item cites a passage that contains it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from service.answering.extractive import AnswerSettings, Candidate, similarity_scores
from service.answering.lists import BULLET, Item, enclosing_indent, items_after, matching_section, question_kind, section_of_hit, stated_count, title_match
from service.core.records import AnswerSentence, Chunk, Document, Hit, Section
from service.text.sentences import clean, split_sentences

class Documents(Protocol):
    """What the answerer reads of the served index beyond the retrieved passages: a document's text and
    structure, and its passages (items beyond the retrieved passages cite the passages holding them)."""

    def document(self, doc_id: str) -> Document | None: ...

    def passages_of(self, doc_id: str) -> list[Chunk]: ...


MAX_ITEMS = 20
_COLON = re.compile(r":[\s¹²³⁴⁵⁶⁷⁸⁹⁰*]*$")
_FOOTNOTES = re.compile(r"^\s*(?:\[\d{1,3}\]\s*)*$")  # "[1]" after a sentence, at the end of its line
_RULE = re.compile(r"^[\s|+:=-]*$")  # a table's or a heading's rule line: nothing to read


@dataclass(frozen=True)
class ListAnswer:
    sentences: tuple[AnswerSentence, ...]
    hits: tuple[Hit, ...]
    note: str | None


def _bullets(text: str, start: int, end: int) -> list[Item]:
    """Each bullet item in text[start:end] whole, with its continuation lines (indented deeper than
    its marker, blank lines between allowed)."""
    out: list[tuple[int, int, int]] = []
    pos = start
    current: tuple[int, int, int] | None = None  # (start, end, marker indent)
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        line = text[pos:stop]
        m = BULLET.match(line)
        indent = len(line) - len(line.lstrip())
        if m:
            if current:
                out.append(current)
            current = (pos + m.end(), pos + len(line.rstrip()), indent)
        elif current and line.strip() and indent > current[2]:
            current = (current[0], pos + len(line.rstrip()), current[2])
        elif current and line.strip():
            out.append(current)
            current = None
        pos = stop + 1
    if current:
        out.append(current)
    levels = sorted({indent for _, _, indent in out})  # nested items by their markers' indentation
    return [Item(a, b, levels.index(indent) + 1) for a, b, indent in out]


def _section_items(doc: Document, section: Section) -> list[Item]:
    """The section's sentences and bullet items (each item whole) in order, its sub-headings left out."""
    titles = {clean(s.title) for s in doc.sections}
    bullets = _bullets(doc.text, section.body_start, section.end)
    out = list(bullets)
    for s in split_sentences(doc.doc_id, doc.text[section.body_start:section.end], section.body_start):
        if clean(s.text) in titles or _RULE.match(s.text):
            continue
        if any(b.start - 4 <= s.start and s.end <= b.end + 1 for b in bullets):
            continue  # inside an item, which is shown whole
        out.append(Item(s.start, s.end, 0))
    return sorted(out, key=lambda i: i.start)


def _whole(doc: Document, section: Section) -> bool:
    """The section is most of its document, or is the title's own (front matter: a licence's version and
    address lines under its title): answering with it is answering with the document."""
    return section.end - section.start > 0.6 * len(doc.text) or clean(section.title) == clean(doc.title)


def _introduces(doc: Document | None, c: Candidate) -> bool:
    """The sentence ends in a colon, or ends its line with a bulleted list right after it
    ("The following fields may be present in a header stanza." then "- Format: required.")."""
    if _COLON.search(c.sentence.text.rstrip()):
        return True
    if doc is None:
        return False
    after = doc.text[c.sentence.end:c.sentence.end + 400]
    if not _FOOTNOTES.match(after.split("\n", 1)[0]):  # the sentence ends its line, bar footnote marks
        return False
    nxt = next((line for line in after.split("\n")[1:] if line.strip()), "")
    m = BULLET.match(nxt)
    if not m:
        return False
    own = enclosing_indent(doc.text, c.sentence.start)  # an item with sub-items introduces them; a sentence
    # inside an item does not introduce the items after it at its item's own level
    deeper = own is None or len(m.group(1)) > own
    return deeper and len(items_after(doc.text, c.sentence.end)) >= 2


def _best_intro(question: str, q_vec: np.ndarray, pool: list[Candidate], vectors: np.ndarray,
                settings: AnswerSettings, docs: dict[str, Document | None]) -> tuple[Candidate, float] | None:
    intros = [c for c in pool if _introduces(docs.get(c.sentence.doc_id), c)]
    if not intros:
        return None
    scores = similarity_scores(question, q_vec, intros, vectors, settings)
    i = int(np.argmax(scores))
    return intros[i], float(scores[i])


def find_unit(question: str, q_vec: np.ndarray, hits: list[Hit], pool: list[Candidate], vectors: np.ndarray,
              index: Documents, settings: AnswerSettings) -> tuple[Document, int, int, list[Item]] | None:
    """(document, intro start, intro end, items) of the unit answering a list or section question; for
    a section the intro span is its heading line."""
    kind = question_kind(question)
    if kind is None:
        return None
    docs = {h.chunk.doc_id: index.document(h.chunk.doc_id) for h in hits}
    parts = {d.doc_id: tuple(s for s in d.sections if not _whole(d, s)) for d in docs.values() if d}
    sections = [(d, s) for d in docs.values() if d for s in [matching_section(question, parts[d.doc_id])] if s]
    top = hits[0].chunk if hits else None
    own = section_of_hit(question, top.section, docs[top.doc_id].sections, top.start) if top and docs[top.doc_id] else None
    if kind == "section" and own is not None:
        sections.append((docs[top.doc_id], own))
    sections.sort(key=lambda ds: -title_match(question, ds[1].title))  # stable: the best passage's document first
    intro = _best_intro(question, q_vec, pool, vectors, settings, docs)
    if intro and intro[1] >= settings.abstain_threshold and (kind == "list" or not sections):
        s = intro[0].sentence
        doc = docs[s.doc_id]
        items = items_after(doc.text, s.end) if doc else []
        if items:
            return doc, s.start, s.end, items
    if sections:
        doc, section = sections[0]
        items = _section_items(doc, section)
        if items:  # the heading's own line: not an underline of "=" or "-" under it
            line_end = doc.text.find("\n", section.start, section.body_start)
            end = section.body_start if line_end < 0 else line_end
            return doc, section.start, len(doc.text[:end].rstrip()), items
    return None


def _cite(doc_id: str, a: int, b: int, hits: list[Hit], extra: list[Chunk]) -> tuple[int, ...]:
    """1-based numbers of the passages holding [a, b); a passage not yet cited is appended to `hits`."""
    inside = tuple(n for n, h in enumerate(hits, 1) if h.chunk.doc_id == doc_id and h.chunk.start <= a and b <= h.chunk.end)
    if inside:
        return inside
    for c in extra:
        if c.doc_id == doc_id and c.start <= a and b <= c.end:
            hits.append(Hit(c, 0.0))
            return (len(hits),)
    overlapping = [c for c in extra if c.doc_id == doc_id and c.start < b and a < c.end]
    for c in overlapping:
        hits.append(Hit(c, 0.0))
    return tuple(range(len(hits) - len(overlapping) + 1, len(hits) + 1))


def list_answer(question: str, q_vec: np.ndarray, hits: list[Hit], pool: list[Candidate], vectors: np.ndarray,
                index: Documents, settings: AnswerSettings) -> ListAnswer | None:
    """The intro and its items as cited answer sentences, or None when the question asks for no list
    or no unit answers it."""
    unit = find_unit(question, q_vec, hits, pool, vectors, index, settings)
    if unit is None:
        return None
    doc, a, b, items = unit
    hits = list(hits)
    extra = index.passages_of(doc.doc_id)
    heading = any(sec.start == a for sec in doc.sections)
    notes = [f"from the section “{clean(doc.text[a:b])}”"] if heading else []
    # a heading is not an answer sentence: a section's answer is its items, and the note names it
    intro = [] if heading else [AnswerSentence(clean(doc.text[a:b]), _cite(doc.doc_id, a, b, hits, extra))]
    shown = items[:MAX_ITEMS]
    out = intro + [AnswerSentence(clean(doc.text[i.start:i.end]), _cite(doc.doc_id, i.start, i.end, hits, extra),
                                  max(1, i.depth)) for i in shown]
    for i in items[MAX_ITEMS:]:
        _cite(doc.doc_id, i.start, i.end, hits, extra)
    if len(items) > MAX_ITEMS:
        notes.append(f"and {len(items) - MAX_ITEMS} more, in the cited passages")
    want, top = stated_count(question), sum(1 for i in items if i.depth <= 1)
    if want is not None and want != top:
        notes.append(f"the question asks for {want}; the documents list {top}")
    return ListAnswer(tuple(s for s in out if s.citations), tuple(hits), "; ".join(notes) or None)
