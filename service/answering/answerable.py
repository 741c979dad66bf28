"""Whether the passages answer a question, decided from evidence, and with which sentence.

A sentence may answer when it is a sentence (not a heading, title line, URL or fragment), when its
passage holds every specific term of the question (names, acronyms, numbers; an acronym or the
expansion the corpus defines for it), and when it holds an answer of the type the question asks for
(a date for "when", an amount for "how much"). The best such sentence comes first; when there is
none, the abstention says which of these failed."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.answer_types import expected_type, typed_spans
from service.answering.extractive import AnswerSettings, Candidate, similarity_scores
from service.answering.evidence import Evidence, Question, measure, question_row
from service.answering.lists import question_kind
from service.answering.model import AnswerModel, load_model
from service.answering.reader_input import QUESTION_COLUMNS, READER_COLUMNS, question_input, reader_rows
from service.answering.table_rows import asked_cell, best_row
from service.answering.terms import CorpusTerms, specific_terms, supported
from service.core.records import ABSTAIN_TEXT, Abstention, AnswerSentence, AnswerUnit, ShortAnswer
from service.models.joint_reader import load_joint_reader
from service.models.reader import Reader, load_reader
from service.text.sentences import clean

_WORD = re.compile(r"[A-Za-z0-9]+")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\S+\.(?:org|int|com|net|gov|edu)(?:/\S*)?\b")
_END = ".!?:;”\"’)"
_LEADER = re.compile(r"(?:\. ?){5,}|(?:… ?){2,}")  # dot leaders between a contents entry and its page
MIN_WORDS = 4
NOUN = {"person": "name", "organisation": "organisation", "date": "date", "place": "place",
        "number": "number", "amount": "amount", "quantity": "figure", "duration": "length of time", "frequency": "frequency",
        "version": "version"}
_STOP = {"the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "been",
         "do", "does", "did", "this", "that", "these", "those", "it", "its", "by", "with", "at", "from", "as",
         "what", "which", "who", "whom", "when", "where", "why", "how", "many", "much", "will", "would", "can",
         "should", "has", "have", "had", "there", "their", "they", "any", "name", "give", "list", "paper", "brief",
         "document", "documents", "say", "says"}


@dataclass(frozen=True)
class PassageView:
    """What the answerer reads of a retrieved passage besides its sentences."""

    text: str
    section: tuple[str, ...]
    title: str
    start: int = 0  # the passage's offset in its document

    def context(self) -> str:
        return "\n".join((self.title, *self.section, self.text))

    def scope(self, start: int, end: int) -> str:
        """The paragraph holding [start, end), headed by the document's title when it comes before the first
        section (front matter: authors, copyright, abstract are about the document the title names)."""
        front = all(h == self.title for h in self.section)
        return "\n".join(((self.title,) if front else ()) + (self.paragraph(start, end),))

    def paragraph(self, start: int, end: int) -> str:
        """The paragraph (or bullet item) of the passage holding document span [start, end)."""
        a, b = max(0, start - self.start), max(0, end - self.start)
        text = self.text
        head = max(text.rfind("\n\n", 0, a), _last_item(text, a))
        tail = [i for i in (text.find("\n\n", b), _next_item(text, b)) if i >= 0]
        return text[head + 1 if head >= 0 else 0: min(tail) if tail else len(text)]


_ITEM = re.compile(r"\n[ \t]*(?:[-*+•]|\d{1,2}[.)])[ \t]")


def _last_item(text: str, at: int) -> int:
    found = [m.start() for m in _ITEM.finditer(text, 0, at + 1)]
    return found[-1] if found else -1


def _next_item(text: str, at: int) -> int:
    m = _ITEM.search(text, at)
    return m.start() if m else -1


@dataclass(frozen=True)
class Decision:
    sentences: tuple[AnswerSentence, ...]
    confidence: float
    abstention: Abstention | None = None
    short_answer: ShortAnswer | None = None
    unit: AnswerUnit = "sentence"  # "row": a table row naming what the question asks about (table_rows.py)


def is_answer_sentence(text: str, headings: Sequence[str] = ()) -> bool:
    """Not a heading (or a section title), a title line, a URL, a question, nor a fragment under four words."""
    return _is_answer_sentence(text, tuple(headings))


@functools.lru_cache(maxsize=100_000)
def _is_answer_sentence(text: str, headings: tuple[str, ...]) -> bool:  # sentences recur across questions
    plain = clean(text).strip("-*•· ")
    words = _WORD.findall(plain)
    if len(words) < MIN_WORDS or plain in headings:
        return False
    if plain.rstrip("”\"’)").endswith("?"):
        return False  # a question does not answer one: an FAQ's own questions echoed back as answers
    if _LEADER.search(plain):
        return False  # a table of contents or index line: "7.5 What is a conffile? . . . . . 28"
    ends = plain[-1] in _END
    letters = [c for c in plain if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        return False  # an all-caps title line
    if " | " in plain and not ends:
        return False  # a masthead or title line: "182 SPE 24 E | Original: English | October 2024"
    url_chars = sum(len(m.group(0)) for m in _URL.finditer(plain))
    if url_chars > 0.4 * len(plain):
        return False
    return ends or len(words) >= 8


def _about(question: str, terms: Sequence[str]) -> tuple[str, ...]:
    if terms:
        return tuple(terms)
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", question) if w.lower() not in _STOP]
    return tuple(words[-3:])


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _abstain(reason: str, expected: str | None, about: tuple[str, ...], missing: tuple[str, ...],
             confidence: float) -> Decision:
    if reason == "missing_terms":
        names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
        message = f"The closest passages do not mention {names}."
    elif reason == "no_answer_of_type":
        topic = _names(about) if about else "this"
        message = f"The documents mention {topic} but give no {NOUN.get(expected or '', 'answer')} for it."
    elif reason == "not_answered":
        topic = _names(about) if about else "this"
        message = f"The closest passages mention {topic} but do not answer the question."
    else:
        message = ABSTAIN_TEXT
    return Decision((), confidence, Abstention(reason, message, expected, about, missing))


def _extend_name(text: str, a: int, asked: str) -> int:
    """Start a name span at the capitalised words just before it ("Lloyd" of "Lloyd J. Austin III")."""
    for m in reversed(list(re.finditer(r"[A-Z][a-z]+ $", text[:a]))):
        if m.group(0).strip().lower() not in asked:
            return m.start()
    return a


def _nearest(spans: list[tuple[int, int]], text: str, question: str) -> list[tuple[int, int]]:
    """Spans ordered by their distance to the nearest word of the question in the sentence."""
    words = {w for w in re.findall(r"[a-z]{4,}", question.lower()) if w not in _STOP}
    at = [m.start() for m in re.finditer(r"[A-Za-z]{4,}", text) if m.group(0).lower() in words]
    if not at:
        return spans
    return sorted(spans, key=lambda sp: min(min(abs(sp[0] - p), abs(sp[1] - p)) for p in at))


def short_answer(kind: str | None, cand: Candidate, question: str) -> ShortAnswer | None:
    """The span of the expected type nearest the question's words in the sentence (one of the type's own
    labels first: a person before a country for "who"), as document offsets;
    `question` includes the expansions of its acronyms, so what it names is never the answer."""
    if kind is None:
        return None
    s = cand.sentence
    primary = _nearest(typed_spans(kind, s, question, primary=True), s.text, question)
    for a, b in primary + [sp for sp in _nearest(typed_spans(kind, s, question), s.text, question) if sp not in primary]:
        if kind == "person":
            a = _extend_name(s.text, a, question.lower())
        piece = s.text[a:b]
        lead = len(piece) - len(piece.lstrip(" *“\"("))
        trail = len(piece) - len(piece.rstrip(" *”\",.;:)"))
        a, b = a + lead, b - trail
        if b > a:
            return ShortAnswer(s.text[a:b], s.doc_id, s.start + a, s.start + b, cand.citations[0])
    return None


def row_short_answer(question: str, cand: Candidate) -> ShortAnswer | None:
    """The cell of a table row under the column the question asks about, as document offsets."""
    s = cand.sentence
    span = asked_cell(question, s.text)
    if span is None:
        return None
    a, b = span
    return ShortAnswer(s.text[a:b], s.doc_id, s.start + a, s.start + b, cand.citations[0])


@dataclass(frozen=True)
class Gathered:
    """The candidate answer sentences of a question and what was measured of each."""

    question: Question
    pool: list[Candidate]
    contexts: list[str]
    similarity: np.ndarray  # the one-threshold score (cosine, lexical overlap, rank)
    evidence: list[Evidence]


def gather(question: str, q_vec: np.ndarray, cands: Sequence[Candidate], sentence_vectors: np.ndarray,
           passages: Sequence[PassageView], corpus: CorpusTerms, settings: AnswerSettings,
           own: str | None = None) -> Gathered:
    """The candidates that are sentences (not headings, title lines, URLs, fragments), measured; the
    question's names are those of `own` (the user's words) when given."""
    pool = [c for c in cands
            if is_answer_sentence(c.sentence.text, [t for n in c.citations for t in passages[n - 1].section])]
    texts = [corpus.expanded(clean(c.sentence.text)) for c in pool]
    similarity = similarity_scores(question, q_vec, pool, sentence_vectors, settings, texts)
    contexts = ["\n".join(passages[n - 1].context() for n in c.citations) for c in pool]
    paragraphs = [passages[c.citations[0] - 1].scope(c.sentence.start, c.sentence.end) for c in pool]
    names = tuple(n for n in specific_terms(own or question) if not corpus.is_common_word(n))
    q = Question.of(question, expected_type(question), names, corpus)
    return Gathered(q, pool, contexts, similarity,
                    measure(q, q_vec, pool, sentence_vectors, contexts, corpus, paragraphs))


def typed_beside_names(e: Evidence) -> bool:
    """The sentence holds an answer of the expected type (or none is expected) beside the question's
    names: half of them in its paragraph or list item."""
    return e.typed is not False and (e.typed is None or e.names_in_paragraph >= 0.5)


def _logit(p: float) -> float:
    return -np.inf if p <= 0.0 else np.inf if p >= 1.0 else float(np.log(p / (1.0 - p)))


def joint_scores(question: str, pool: Sequence[Candidate], evidence: Sequence[Evidence], ranked: np.ndarray,
                 settings: AnswerSettings) -> tuple[np.ndarray, np.ndarray]:
    """The joint reader's logits for the `settings.joint_candidates` best candidates by `ranked` (the
    others -inf), and which candidates it read."""
    top = [int(i) for i in np.argsort(-ranked, kind="stable")[: settings.joint_candidates] if np.isfinite(ranked[i])]
    read = np.zeros(len(pool), dtype=bool)
    read[top] = True
    out = np.full(len(pool), -np.inf, dtype=np.float64)
    if top:
        out[top] = load_joint_reader().scores(question, [clean(pool[i].sentence.text) for i in top],
                                              np.array([evidence[i].cosine for i in top]))
    return out, read


def unknown_names(names: Sequence[str], corpus: CorpusTerms) -> tuple[str, ...]:
    """The question's names the corpus never uses."""
    return tuple(n for n in names if not corpus.names(n))


def configured_model(settings: AnswerSettings) -> Reader | AnswerModel:
    """The answerer's model the settings name: the trained reader, or the evidence answerer's linear models."""
    return load_reader().check(READER_COLUMNS, QUESTION_COLUMNS) if settings.reader else load_model()


def answerer_name(model: Reader | AnswerModel) -> str:
    """`reader` or `evidence`: which answerer's calibration a confidence reads."""
    return "reader" if isinstance(model, Reader) else "evidence"


def decide(question: str, q_vec: np.ndarray, cands: Sequence[Candidate], sentence_vectors: np.ndarray,
           passages: Sequence[PassageView], corpus: CorpusTerms, settings: AnswerSettings,
           model: Reader | AnswerModel | None = None, own: str | None = None) -> Decision:
    """The answer sentences (best first, then the others in reading order) or why there are none.

    Three checks abstain, in order: the best sentence is not similar enough (`abstain_threshold`), the
    documents never use a name the question gives (missing_terms), no sentence holds an answer of the
    type the question expects (no_answer_of_type); then the fitted answerability model weighs all the
    evidence together, and its reason is the weakest piece: a name the passages lack, no answer of
    the type beside the question's names, or neither (not_answered). The trained reader
    (models/reader.py) scores the sentences and says whether they answer when `settings.reader` is on
    (or `model` is a Reader); by default the evidence answerer's linear models (answering/model.py) do.
    The default stays the evidence answerer because the reader did not beat it on held-out (docs/ANSWERS.md)."""
    model = model or configured_model(settings)
    g = gather(question, q_vec, cands, sentence_vectors, passages, corpus, settings, own)
    q, pool, contexts, similarity, evidence = g.question, g.pool, g.contexts, g.similarity, g.evidence
    kind, names = q.kind, q.names
    about = _about(question, names)
    if not len(similarity) or float(similarity.max()) < settings.abstain_threshold:
        return _abstain("not_covered", kind, about, (), float(similarity.max()) if len(similarity) else 0.0)
    if isinstance(model, Reader):
        scores = model.sentence_scores(reader_rows(q_vec, pool, evidence, sentence_vectors))
    else:
        scores = model.sentence(np.array([e.row() for e in evidence]))
    named = np.array([e.names_in_passage == 1.0 for e in evidence])
    typed = np.array([typed_beside_names(e) for e in evidence])
    unknown = unknown_names(names, corpus)
    if unknown:  # the documents never use the name: nothing in them is about it
        return _abstain("missing_terms", kind, about, unknown, 0.0)
    row = None if question_kind(question) else best_row(question, [c.sentence.text for c in pool])
    if row is not None:  # a table row naming what the question asks about answers it (table_rows.py)
        answer = AnswerSentence(clean(pool[row].sentence.text), pool[row].citations)
        return Decision((answer,), 1.0, None, row_short_answer(question, pool[row]), "row")
    if not typed.any():
        return _abstain("no_answer_of_type", kind, about, (), 0.0)
    if isinstance(model, Reader):
        confidence = model.answerable(question_input(q, evidence, scores))
    else:
        confidence = model.probability(question_row(q, evidence, scores))
    if confidence < model.threshold:  # say which piece of evidence is weakest
        if not named.any():
            context = contexts[int(np.argmax(scores))]
            missing = tuple(n for n in names if not supported(n, context, context.lower(), corpus.acronyms))
            return _abstain("missing_terms", kind, about, missing, confidence)
        if not (named & typed).any():
            return _abstain("no_answer_of_type", kind, about, (), confidence)
        return _abstain("not_answered", kind, about, (), confidence)
    eligible = typed
    if settings.joint_candidates:  # question and sentence read together decide the order, and may abstain
        joint, eligible = joint_scores(question, pool, evidence, np.where(typed, scores, -np.inf), settings)
        if float(joint.max()) < _logit(settings.joint_floor):
            return _abstain("not_answered", kind, about, (), confidence)
        scores = np.where(eligible, (1.0 - settings.joint_blend) * scores + settings.joint_blend * joint, -np.inf)
    masked = np.where(eligible, scores, -np.inf)
    best = int(np.argmax(masked))
    share = np.exp(masked - masked[best])  # each sentence's odds against the best one
    others = [i for i in np.argsort(-masked, kind="stable")
              if i != best and eligible[i] and share[i] >= settings.companion_share]
    others = sorted(others[: settings.max_sentences - 1], key=lambda i: pool[i].position)
    chosen = [best, *others]
    sentences = tuple(AnswerSentence(clean(pool[i].sentence.text), pool[i].citations) for i in chosen)
    return Decision(sentences, confidence, None, short_answer(kind, pool[best], corpus.expanded(question)))
