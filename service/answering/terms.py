"""The question's specific terms (names, acronyms, numbers) and whether a passage supports them,
with acronyms and the expansions a corpus defines for them ("Full Name (ACR)") counted as one."""

from __future__ import annotations

import bisect
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar
from dataclasses import dataclass, field

from service.retrieval.bm25 import tokenize

T = TypeVar("T")

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'’&-]*|\d[\d,.]*\d|\d|[,;:()/]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]*[A-Z0-9]s?$")
_DEFINED = re.compile(r"\(\s*([A-Z][A-Za-z0-9&-]*[A-Z0-9])s?\s*\)")
_POSSESSIVE = re.compile(r"['’]s?$")
_SMALL = {"of", "for", "and", "the", "in", "on", "to", "&", "de", "a"}
# capitalised words that start or shape a question and name nothing
_QUESTION_WORDS = {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was", "were", "do",
    "does", "did", "can", "could", "should", "would", "will", "may", "must", "has", "have", "had", "list",
    "name", "tell", "give", "describe", "explain", "in", "on", "at", "by", "for", "according", "under", "i",
    "the", "a", "an", "if", "to", "of", "and", "or", "please", "besides", "apart", "other", "than",
}


def _acronym_token(token: str) -> bool:
    return bool(_ACRONYM.match(token)) and len(token.rstrip("s")) >= 2


def _is_name(token: str, first: bool) -> bool:
    if _acronym_token(token):
        return True
    return token[0].isupper() and not first and token.lower() not in _QUESTION_WORDS


def specific_terms(question: str) -> tuple[str, ...]:
    """Names (runs of capitalised words, e.g. "New Zealand"), acronyms and numbers of the question."""
    out: list[str] = []
    run: list[str] = []
    tokens = _TOKEN.findall(fold(question))
    for i, tok in enumerate(tokens):
        if not tok[0].isalnum():  # punctuation ends a name: "Japan, Australia" are two
            if run:
                out.append(" ".join(run))
                run = []
            continue
        if tok[0].isdigit():
            out.append(tok)
        if _is_name(tok, i == 0 or tokens[i - 1] in ":;") and not tok[0].isdigit():
            if _acronym_token(tok):
                if run:
                    out.append(" ".join(run))
                    run = []
                out.append(tok)
                continue
            run.append(tok)
            continue
        if run:
            out.append(" ".join(run))
            run = []
    if run:
        out.append(" ".join(run))
    return tuple(dict.fromkeys(t for t in (_POSSESSIVE.sub("", t) for t in out) if t))


def fold(text: str) -> str:
    """`text` without its accents, so "Temur" finds "Temür" and "Raphael" finds "Raphaël" (ASCII as is)."""
    return text if text.isascii() else _fold(text)


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _prefix(word: str) -> str:
    """The part of a lower-case word that must match: all of a short word, all but three letters of a
    long one (at least five), so "Japan" finds "Japanese" and "Australians" finds "Australia"."""
    return word[:len(word) if len(word) <= 5 else max(5, len(word) - 3)]


def _hyphen_parts(term: str) -> list[str]:
    """The parts of a hyphenated term that can stand for it ("Asia-Pacific" -> Asia, Pacific; "non-NATO" -> NATO)."""
    return [p for p in term.split("-") if len(p) >= 3 and p.lower() != "non"]


@functools.lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    """A term as a pattern: each word matched at a word start, plural and adjective endings allowed
    ("Patriot" finds "Patriots", "Japan" finds "Japanese"); an acronym must match its case."""
    words = term.split()
    if _is_acronym(term):
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term.rstrip('s'))}s?(?![A-Za-z0-9])")
    if term[0].isdigit():
        return re.compile(rf"(?<![0-9.,]){re.escape(term)}(?![0-9])")
    return re.compile(rf"(?<![a-z0-9]){re.escape(_prefix(words[0].lower()))}[a-z]{{0,6}}(?![a-z0-9])")


def _is_acronym(term: str) -> bool:
    return len(term.split()) == 1 and bool(_ACRONYM.match(term))


def mentions(term: str, text: str, lowered: str | None = None) -> bool:
    """`term` occurs in `text` (`lowered`: the text in lower case, when the caller has it); a name of
    several words when each of its words does ("Lloyd Austin" in "Lloyd J. Austin III")."""
    term, text = fold(term), fold(text)
    if _is_acronym(term):
        return bool(_pattern(term).search(text))
    low = fold(lowered) if lowered is not None else text.lower()
    words = [w for w in term.split() if w.lower() not in _SMALL] or term.split()
    return all(_pattern(w).search(low) for w in words)


@dataclass(frozen=True)
class CorpusTerms:
    """What the answerer knows of the whole corpus: defined acronyms and every word it uses."""

    acronyms: Mapping[str, str]
    vocabulary: str  # the corpus's distinct lower-case words, one a line
    frequency: Mapping[str, int] = field(default_factory=dict)  # stemmed term -> paragraphs holding it
    paragraphs: int = 0
    common: frozenset[str] = frozenset()  # words the corpus writes in lower case at least as often as not

    @classmethod
    def of(cls, texts: Iterable[str]) -> "CorpusTerms":
        texts = [fold(t) for t in texts]
        cased = Counter(w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", t))
        words = {w.lower() for w in cased}
        lower, other = Counter(), Counter()
        for w, n in cased.items():
            (lower if w.islower() else other)[w.lower()] += n
        common = frozenset(w for w, n in lower.items() if n >= other.get(w, 0))
        paragraphs = [p for t in texts for p in re.split(r"\n\s*\n", t) if p.strip()]
        frequency = Counter(term for p in paragraphs for term in set(tokenize([p])[0]))
        defined = glossary(texts)
        return cls({**initialisms(texts, defined), **defined}, "\n".join(sorted(words)), frequency, len(paragraphs), common)

    def is_common_word(self, name: str) -> bool:
        """A one-word name that the corpus mostly writes in lower case ("Help", "VERSION" in a corpus
        about the help menu and version numbers): a word the question capitalised, not a name; an
        acronym the corpus defines stays a name."""
        return (" " not in name and name.isalpha() and len(name) >= 4 and name.lower() in self.common
                and name not in self.acronyms)

    def idf(self, term: str) -> float:
        """How rare a stemmed term is in the corpus's paragraphs (a term it never uses is rarest)."""
        return math.log((self.paragraphs + 1) / (self.frequency.get(term, 0) + 0.5))

    @functools.cached_property
    def _words(self) -> list[str]:
        return self.vocabulary.split("\n")

    def uses(self, word: str) -> bool:
        """Some word of the corpus starts like `word` ("tools" for "tool"): its first letters (all of a
        short word, all but three of a long one), then at most six more."""
        prefix = _prefix(word.lower())
        keep = len(prefix)
        words = self._words
        at = bisect.bisect_left(words, prefix)
        while at < len(words) and words[at].startswith(prefix):
            if len(words[at]) <= keep + 6 and words[at][keep:].isalpha() or len(words[at]) == keep:
                return True
            at += 1
        return False

    def names(self, name: str) -> bool:
        """The corpus uses every word of `name` (an acronym also counts when it defines it)."""
        if name in self.acronyms or name.rstrip("s") in self.acronyms:
            return True
        parts = _hyphen_parts(name)
        if len(parts) > 1:  # "Asia-Pacific" by "Indo-Pacific", as `supported` reads it
            return any(self.names(p) for p in parts)
        words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _SMALL]
        return all(self.uses(w) for w in words)

    @functools.cached_property
    def _memo(self) -> dict[tuple[str, str, str], object]:
        return {}

    def _remember(self, key: tuple[str, str, str], make: Callable[[], T]) -> T:
        """Answers that depend only on the corpus and the texts (sentences recur across questions)."""
        memo = self._memo
        if key not in memo:
            if len(memo) > 200_000:
                memo.clear()
            memo[key] = make()
        return memo[key]  # type: ignore[return-value]

    def supports(self, term: str, text: str) -> bool:
        """`supported(term, text)` with this corpus's acronyms, remembered."""
        return self._remember(("s", term, text), lambda: supported(term, text, text.lower(), self.acronyms))

    def expanded(self, text: str) -> str:
        """`text` with the expansion of each acronym it uses appended, for matching its words."""
        return self._remember(("e", text, ""), lambda: self._expanded(text))

    def _expanded(self, text: str) -> str:
        found = [self.acronyms[a] for a in set(re.findall(r"\b[A-Z][A-Z0-9&-]+\b", text)) if a in self.acronyms]
        return f"{text} ({'; '.join(found)})" if found else text


def glossary(texts: Iterable[str]) -> dict[str, str]:
    """Acronym -> expansion for every "Full Name (ACR)" in the texts whose capitalised words'
    initials spell the acronym (the first definition wins)."""
    out: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            acronym = m.group(1)
            if acronym in out or len(acronym) < 2:
                continue
            expansion = _expansion(text[max(0, m.start() - 200) : m.start()], acronym)
            if expansion:
                out[acronym] = expansion
    return out


_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:[ \t]*\n?[ \t]*(?:(?:of|for|and|on|the|de)[ \t]*\n?[ \t]*)?[A-Z][a-z]+){1,5}")
_ARTICLE = re.compile(r"^(?:The|A|An|This|That)\s+")


def initialisms(texts: Iterable[str], defined: Mapping[str, str]) -> dict[str, str]:
    """Acronym -> phrase for the capitalised phrases of the texts whose initials nobody defined as an
    acronym ("Mozilla Public License" for MPL, "European Union" for EU): a reader abbreviates what the
    document spells out. An acronym two phrases share is left out unless one of them is most of its uses."""
    uses: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _PHRASE.finditer(text):
            words = _ARTICLE.sub("", m.group(0)).split()
            for a in range(len(words)):  # every run of it: "Mozilla Public License" of "... License Version"
                for b in range(a + 2, len(words) + 1):
                    if words[a].lower() in _SMALL or words[b - 1].lower() in _SMALL:
                        continue
                    acronym = "".join(w[0] for w in words[a:b] if w.lower() not in _SMALL)
                    if len(acronym) >= 2 and acronym not in defined:
                        uses.setdefault(acronym, Counter())[" ".join(words[a:b])] += 1
    out = {}
    for acronym, phrases in uses.items():
        (phrase, n), total = phrases.most_common(1)[0], sum(phrases.values())
        if 2 * n > total:
            out[acronym] = phrase
    return out


def _expansion(before: str, acronym: str) -> str | None:
    words = re.findall(r"[A-Za-z][\w'’-]*", before.replace("**", " "))
    letters = [c for c in acronym if c.isupper()]
    picked: list[str] = []
    for word in reversed(words):
        if not letters:
            break
        if word.lower() in _SMALL and picked:
            picked.append(word)
            continue
        if word[0].upper() != letters[-1]:
            return None
        picked.append(word)
        letters.pop()
    return " ".join(reversed(picked)) if not letters else None


def supported(term: str, text: str, lowered: str, acronyms: Mapping[str, str]) -> bool:
    """`term` (or, for an acronym, its expansion) is in `text`; a hyphenated term when one of its
    parts is ("Asia-Pacific" by "Indo-Pacific", "non-NATO" by "NATO")."""
    if mentions(term, text, lowered):
        return True
    parts = _hyphen_parts(term)
    if len(parts) > 1 or (parts and parts[0] != term):
        return any(supported(p, text, lowered, acronyms) for p in parts)
    expansion = acronyms.get(term.rstrip("s")) or acronyms.get(term)
    if expansion:
        words = [w for w in expansion.split() if w.lower() not in _SMALL]
        return all(mentions(w, text, lowered) for w in words)
    return False

