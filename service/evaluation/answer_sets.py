"""The answer and list test sets under tests/data/ (issues 14 and 18): loading, and which corpus each
set is asked of. Each row keeps its fixed `split` (dev: tune on it; heldout: report only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.evaluation.testset import load_jsonl

SPLITS = ("dev", "heldout")
ANSWER_SETS = {"brief": "brief-answers.jsonl", "debian-policy": "debian-policy.jsonl",
               "developers-reference": "developers-reference.jsonl"}
LIST_SET = "lists.jsonl"


@dataclass(frozen=True)
class AnswerQuestion:
    qid: str
    question: str
    answerable: bool
    split: str
    evidence: tuple[str, ...]
    doc: str | None
    kind: str  # factoid | descriptive
    answer_type: str
    short_answers: tuple[str, ...]
    reason: str | None  # for an unanswerable one: missing_terms | no_answer_of_type
    about: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListQuestion:
    qid: str
    question: str
    corpus: str
    doc: str
    kind: str  # list | section
    split: str
    items: tuple[str, ...]
    count: int | None
    section: str | None
    intro: str | None


def _answer_question(r: dict[str, Any]) -> AnswerQuestion:
    return AnswerQuestion(r["id"], r["question"], bool(r["answerable"]), r["split"], tuple(r.get("evidence", ())),
                          r.get("doc"), r.get("kind", "factoid"), r.get("answer_type", "other"),
                          tuple(r.get("short_answer") or ()), r.get("reason"), tuple(r.get("about") or ()),
                          tuple(r.get("missing") or ()))


def _list_question(r: dict[str, Any]) -> ListQuestion:
    return ListQuestion(r["id"], r["question"], r["corpus"], r["doc"], r["kind"], r["split"], tuple(r["items"]),
                        r.get("count"), r.get("section"), r.get("intro"))


def load_answer_set(path: Path) -> list[AnswerQuestion]:
    return load_jsonl(path, "test answer", _answer_question, "questions")


def load_list_set(path: Path) -> list[ListQuestion]:
    return load_jsonl(path, "test list", _list_question, "questions")


def corpus_dir(data_dir: Path, corpus: str, project_corpus: Path) -> Path:
    """The folder of documents a set is asked of: the project's corpus for the brief, else
    tests/data/corpora/<name>."""
    return project_corpus if corpus == "brief" else data_dir / "corpora" / corpus
