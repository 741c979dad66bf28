"""The grounding check: every generated sentence must cite a passage that exists and be supported by it.

A generated sentence's support by a passage is that of the passage's best single sentence:
`semantic_weight * cos + (1 - semantic_weight) * overlap`, where `cos` is the cosine between the two
(the project's own embedder) and `overlap` the share of the generated sentence's stemmed content terms
(as BM25 sees them) that the passage sentence holds. A passage sentence that lacks a number or a name
(a capitalised word other than the first, an acronym) of the generated one, or more than
`max_new_terms` of its content terms, or keeps less than `min_order` of them in its own order, does not
support it: claims stitched from several sentences, adding a subject or a verb of their own, or
rearranging a sentence's words into another claim, are dropped. Claims of fewer than `min_terms` content terms
are too short to check and dropped too.
A sentence keeps only the citations that support it at or above the threshold; with none left it is
dropped, with the reason. Markers outside 1..k are stripped and never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from service.answering.extractive import term_sequence, terms
from service.models.embedding import Embedder
from service.core.records import Hit
from service.text.sentences import clean, split_sentences

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
_LEADING = re.compile(r"\s*\[\s*\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w-]*")  # capitalised words, except a sentence's first
_WORD = re.compile(r"[\w-]+")  # apostrophes split words: "Russia’s" and "Russia's" both give "Russia"


@dataclass(frozen=True)
class GroundingSettings:
    threshold: float = 0.6
    semantic_weight: float = 0.5
    max_new_terms: int = 1  # content terms a claim may add to the one passage sentence that supports it
    min_order: float = 0.95  # share of the claim's terms that must appear in the sentence's own order
    min_terms: int = 3  # a claim with fewer content terms says too little to check ("The World.")


@dataclass(frozen=True)
class Claim:
    """A generated sentence: its text without markers, the passage numbers it cites in 1..k, and
    whether it carried markers outside that range."""

    text: str
    cited: tuple[int, ...]
    had_invalid: bool


@dataclass(frozen=True)
class Kept:
    text: str
    citations: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class Dropped:
    text: str
    reason: str
    score: float | None = None


@dataclass(frozen=True)
class Checked:
    kept: tuple[Kept, ...]
    dropped: tuple[Dropped, ...]


def split_generated(text: str) -> list[str]:
    """Sentences of generated text, list bullets and numbering removed. Markers may lead ("[2] The ...")
    or trail ("... areas [2]." or "... areas. [2]"): a text that starts with a marker leads throughout;
    otherwise a marker right after a full stop belongs to the sentence before it."""
    lines = [_BULLET.sub("", line) for line in text.splitlines()]
    text = "\n".join(line for line in lines if line.strip())
    if not _LEADING.match(text):
        text = _TRAILING_MARKERS.sub(lambda m: f"{m.group(2)}{m.group(1)}", text)
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def parse_claim(sentence: str, k: int) -> Claim:
    numbers = [int(n) for m in _MARKER.finditer(sentence) for n in re.split(r"[,;]", m.group(1))]
    valid = tuple(dict.fromkeys(n for n in numbers if 1 <= n <= k))
    text = clean(_MARKER.sub(" ", sentence))
    text = re.sub(r"\s+([.!?,;:])", r"\1", text).strip()
    return Claim(text, valid, len(valid) < len(set(numbers)))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def new_facts(claim: str, passage: str) -> set[str]:
    """Numbers and names (capitalised words, acronyms) of the claim that the passage does not contain."""
    words = {w.lower() for w in _WORD.findall(passage)}
    names = {n for n in _NAME.findall(claim) if n.lower() not in words}
    return (_numbers(claim) - _numbers(passage)) | names


def overlap(claim: str, passage: str) -> float:
    """Share of the claim's stemmed content terms that the passage contains."""
    wanted = terms(claim)
    return len(wanted & terms(passage)) / len(wanted) if wanted else 0.0


def passage_sentences(hit: Hit) -> list[str]:
    found = [clean(s.text) for s in split_sentences(hit.chunk.doc_id, hit.chunk.text, hit.chunk.start)]
    return found or [clean(hit.chunk.text)]


def new_terms(claim: str, sentence: str) -> int:
    """How many of the claim's stemmed content terms the sentence lacks."""
    return len(terms(claim) - terms(sentence))


def in_order(claim: str, sentence: str) -> float:
    """Share of the claim's content-term sequence that is a subsequence of the sentence's (longest common
    subsequence): low when the claim reorders the sentence's words, e.g. swaps who does what to whom."""
    a, b = term_sequence(claim), term_sequence(sentence)
    if not a:
        return 0.0
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1] / len(a)


def support_scores(claims: list[str], passages: list[str], passage_sents: list[list[str]],
                   embedder: Embedder, semantic_weight: float, facts: bool = True,
                   max_new_terms: int | None = None, min_order: float = 0.0) -> np.ndarray:
    """[claim, passage] support matrix, computed with one encoding call: a passage supports a claim
    as well as its best single sentence does, so words and numbers stitched together from several
    sentences support nothing. A sentence supports a claim only if it holds the claim's numbers and
    names and all but `max_new_terms` of its content terms (None: no limit), mostly in the same order
    (`min_order`, see `in_order`). `facts=False` leaves out
    the numbers-and-names rule (for calibrating the threshold on the similarity part alone)."""
    out = np.zeros((len(claims), len(passages)), dtype=np.float64)
    if not claims:
        return out
    flat = [s for sents in passage_sents for s in sents]
    vectors = embedder.encode(claims + flat)
    claim_vecs, sent_vecs = vectors[: len(claims)], vectors[len(claims):]
    start = 0
    for p, sents in enumerate(passage_sents):
        cos = sent_vecs[start: start + len(sents)] @ claim_vecs.T  # [sentence, claim]
        start += len(sents)
        for c, claim in enumerate(claims):
            best = 0.0
            for i, sentence in enumerate(sents):
                if (facts and new_facts(claim, sentence)) or (
                        max_new_terms is not None and new_terms(claim, sentence) > max_new_terms) or (
                        min_order and in_order(claim, sentence) < min_order):
                    continue
                best = max(best, semantic_weight * float(cos[i, c]) + (1 - semantic_weight) * overlap(claim, sentence))
            out[c, p] = best
    return out


def check(text: str, hits: list[Hit] | tuple[Hit, ...], embedder: Embedder,
          settings: GroundingSettings) -> Checked:
    """Split `text` into sentences and keep those supported by a passage they cite."""
    claims = [parse_claim(s, len(hits)) for s in split_generated(text)]
    dropped: list[Dropped] = []
    checkable: list[Claim] = []
    for claim in claims:
        if not claim.cited:
            reason = "cites no passage that exists" if claim.had_invalid else "no [n] citation"
            dropped.append(Dropped(claim.text, reason))
        elif len(terms(claim.text)) < settings.min_terms:
            dropped.append(Dropped(claim.text, f"too short to check: fewer than {settings.min_terms} content words"))
        else:
            checkable.append(claim)
    passages = [clean(h.chunk.text) for h in hits]
    scores = support_scores([c.text for c in checkable], passages, [passage_sentences(h) for h in hits],
                            embedder, settings.semantic_weight, max_new_terms=settings.max_new_terms,
                            min_order=settings.min_order)
    kept: list[Kept] = []
    for claim, row in zip(checkable, scores):
        supported = tuple(n for n in claim.cited if row[n - 1] >= settings.threshold)
        best = round(max(float(row[n - 1]) for n in claim.cited), 4)
        if not supported:
            dropped.append(Dropped(claim.text, "not supported by the cited passage", best))
        elif any(k.text == claim.text for k in kept):
            dropped.append(Dropped(claim.text, "repeats an earlier sentence", best))
        else:
            kept.append(Kept(claim.text, supported, round(max(float(row[n - 1]) for n in supported), 4)))
    return Checked(tuple(kept), tuple(dropped))
