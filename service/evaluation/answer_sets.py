"""The answer and list test sets under tests/data/ (issues 14 and 18): loading, and which corpus each
set is asked of. Each row keeps its fixed `split` (dev: tune on it; heldout: report only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.core.errors import BriefqaError

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


def _rows(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BriefqaError(f"cannot read test set {path}: {exc.strerror or exc}") from exc
    out = []
    for n, line in enumerate(lines, start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise BriefqaError(f"{path}:{n} is not JSON ({exc})") from exc
    return out


def load_answer_set(path: Path) -> list[AnswerQuestion]:
    try:
        return [AnswerQuestion(r["id"], r["question"], bool(r["answerable"]), r["split"],
                               tuple(r.get("evidence", ())), r.get("doc"), r.get("kind", "factoid"),
                               r.get("answer_type", "other"), tuple(r.get("short_answer") or ()),
                               r.get("reason"), tuple(r.get("about") or ()), tuple(r.get("missing") or ()))
                for r in _rows(path)]
    except (KeyError, TypeError) as exc:
        raise BriefqaError(f"{path} is not an answer test set (missing {exc})") from exc


def load_list_set(path: Path) -> list[ListQuestion]:
    try:
        return [ListQuestion(r["id"], r["question"], r["corpus"], r["doc"], r["kind"], r["split"],
                             tuple(r["items"]), r.get("count"), r.get("section"), r.get("intro"))
                for r in _rows(path)]
    except (KeyError, TypeError) as exc:
        raise BriefqaError(f"{path} is not a list test set (missing {exc})") from exc


def corpus_dir(data_dir: Path, corpus: str, project_corpus: Path) -> Path:
    """The folder of documents a set is asked of: the project's corpus for the brief, else
    tests/data/corpora/<name>."""
    return project_corpus if corpus == "brief" else data_dir / "corpora" / corpus
