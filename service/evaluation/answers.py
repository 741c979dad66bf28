"""Answer-level figures on the hand-written answer sets (issue 14), per split: how often unanswerable
questions abstain and answerable ones do not, whether the first answer sentence holds the evidence,
short-answer exact match, and answer sentences that are headings, title lines, URLs or fragments."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from service.answering.answerable import MIN_WORDS
from service.core.records import Answer, Document
from service.evaluation.answer_sets import SPLITS, AnswerQuestion
from service.pipeline import Engine
from service.text.sentences import clean


class SetQuestion(Protocol):
    """A row of an answer or list set, as far as splitting and asking need it."""

    @property
    def question(self) -> str: ...

    @property
    def split(self) -> str: ...


Q = TypeVar("Q", bound=SetQuestion)
_URL = re.compile(r"https?://|\bwww\.")
_WORD = re.compile(r"[A-Za-z0-9]+")


def bad_sentence(text: str, doc: Document | None) -> str | None:
    """Why an answer sentence is not one (heading, title line, URL, fragment), or None."""
    plain = clean(text).strip("-*• ")
    if len(_WORD.findall(plain)) < MIN_WORDS:
        return "fragment"
    if doc is not None and any(clean(s.title) == plain for s in doc.sections):
        return "heading"
    if doc is not None and clean(doc.title) == plain:
        return "title"
    if _URL.search(plain) and len(_WORD.findall(_URL.sub("", plain))) < MIN_WORDS + 2:
        return "url"
    return None


def holds_evidence(sentence: str, evidence: str) -> bool:
    """The sentence holds the evidence string, or its part on this side of a sentence break (an
    evidence string may run over two sentences): at least 40% of it, running to the sentence's end
    or from its start."""
    ev = clean(evidence)
    if ev in sentence or (len(sentence) >= 12 and sentence in ev):
        return True
    least = max(12, int(0.4 * len(ev)))
    return any(sentence.endswith(ev[:k]) or sentence.startswith(ev[-k:]) for k in range(least, len(ev)))


def _norm(s: str) -> str:
    return clean(s).strip(" .,;:").lower()


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(questions: Sequence[AnswerQuestion], answers: Sequence[Answer],
          docs: dict[str, Document]) -> dict[str, Any]:
    """The figures of one split."""
    unans = [(q, a) for q, a in zip(questions, answers) if not q.answerable]
    ans = [(q, a) for q, a in zip(questions, answers) if q.answerable]
    in_top = [(q, a) for q, a in ans if any(e in h.chunk.text for h in a.hits for e in q.evidence)]
    hit = [q.qid for q, a in in_top if a.sentences and any(holds_evidence(a.sentences[0].text, e) for e in q.evidence)]
    factoid = [(q, a) for q, a in ans if q.kind == "factoid" and q.short_answers]
    exact = [q.qid for q, a in factoid if a.short_answer
             and _norm(a.short_answer.text) in {_norm(s) for s in q.short_answers}]
    bad = [(q.qid, why) for q, a in ans + unans for s in a.sentences
           if (why := bad_sentence(s.text, docs.get(a.hits[s.citations[0] - 1].chunk.doc_id)))]
    broken = [q.qid for q, a in zip(questions, answers) if a.short_answer
              and docs[a.short_answer.doc_id].text[a.short_answer.start:a.short_answer.end] != a.short_answer.text]
    tp = sum(a.abstained for _, a in unans)
    fp = sum(a.abstained for _, a in ans)
    return {
        "questions": len(questions), "unanswerable": len(unans), "answerable": len(ans),
        "abstain_recall": _rate(tp, len(unans)), "abstain_precision": _rate(tp, tp + fp),
        "wrong_abstain": _rate(fp, len(ans)),
        "evidence_in_top5": len(in_top), "answer_hit": _rate(len(hit), len(in_top)),
        "answered_hit": _rate(len(hit), sum(not a.abstained for _, a in in_top)),
        "factoid_with_short": len(factoid), "short_exact": _rate(len(exact), len(factoid)),
        "bad_sentences": len(bad), "short_answer_citation_errors": len(broken),
        "errors": {"not_abstained": [q.qid for q, a in unans if not a.abstained],
                   "wrongly_abstained": [q.qid for q, a in ans if a.abstained],
                   "answer_miss": [q.qid for q, _ in in_top if q.qid not in hit],
                   "short_miss": [q.qid for q, _ in factoid if q.qid not in exact], "bad": bad},
    }


def by_split(engine: Engine, questions: Sequence[Q], scorer: Callable[[list[Q], list[Answer], dict[str, Document]], dict[str, Any]],
             ask: Callable[[str], Answer]) -> dict[str, dict[str, Any]]:
    """Per split (dev, heldout): `scorer` over the split's questions and what `ask` answers to each."""
    docs = {d.doc_id: d for d in engine.index.document_list()}
    out = {}
    for split in SPLITS:
        mine = [q for q in questions if q.split == split]
        out[split] = scorer(mine, [ask(q.question) for q in mine], docs)
    return out


def evaluate_answers(engine: Engine, questions: Sequence[AnswerQuestion], mode: str = "hybrid",
                     top_k: int = 5) -> dict[str, dict[str, Any]]:
    """Per split (dev, heldout): the figures of `score`."""
    return by_split(engine, questions, score, lambda q: engine.ask(q, top_k, mode))
