"""Running the answer and list sets: one index per corpus (the project's own for the brief, a build
of tests/data/corpora/<name> under a folder of the caller's for the others), then the figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.answering.extractive import AnswerSettings
from service.evaluation.answer_sets import ANSWER_SETS, LIST_SET, corpus_dir, load_answer_set, load_list_set
from service.evaluation.answers import evaluate_answers
from service.models.embedding import Embedder
from service.pipeline import BuildSettings, Engine, RetrievalSettings, build_index
from service.stores.disk.store import DiskStore


@dataclass(frozen=True)
class AnswerJob:
    data_dir: Path  # tests/data: the sets and corpora/
    project_corpus: Path  # the brief's folder (corpus/)
    index_root: Path  # where the other corpora's indexes are built
    model: str
    retrieval: RetrievalSettings
    answer: AnswerSettings
    mode: str = "hybrid"
    top_k: int = 5


def corpus_engine(job: AnswerJob, corpus: str, embedder: Embedder,
                  project: Callable[[], Engine] | None = None) -> Engine:
    """An engine over `corpus`: the project's (from `project`) for the brief when given, else an index
    built (or reused when up to date) under index_root/<corpus>."""
    if corpus == "brief" and project is not None:
        return project()
    folder = corpus_dir(job.data_dir, corpus, job.project_corpus)
    index_dir = job.index_root / corpus
    build_index(BuildSettings(folder, index_dir, job.model), lambda: embedder)
    return Engine(DiskStore(index_dir).open(), embedder, job.retrieval, job.answer)


def run_answers(job: AnswerJob, corpora: list[str], embedder: Embedder,
                project: Callable[[], Engine] | None = None) -> dict[str, Any]:
    """Per corpus and split: the answer figures of service/evaluation/answers.py."""
    out: dict[str, Any] = {}
    for corpus in corpora:
        engine = corpus_engine(job, corpus, embedder, project)
        questions = load_answer_set(job.data_dir / ANSWER_SETS[corpus])
        out[corpus] = {"index_version": engine.version,
                       **evaluate_answers(engine, questions, job.mode, job.top_k)}
    return out


def list_questions(job: AnswerJob) -> list:
    return load_list_set(job.data_dir / LIST_SET)


def run_lists(job: AnswerJob, embedder: Embedder, project: Callable[[], Engine] | None = None) -> dict[str, Any]:
    """Per corpus and split: item recall and complete lists on the list and section set."""
    from service.evaluation.lists import evaluate_lists

    questions = list_questions(job)
    out: dict[str, Any] = {}
    for corpus in sorted({q.corpus for q in questions}):
        engine = corpus_engine(job, corpus, embedder, project)
        out[corpus] = evaluate_lists(engine, [q for q in questions if q.corpus == corpus], job.mode, job.top_k)
    return out
