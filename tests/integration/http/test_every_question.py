"""Every question of every test set (dev and held-out, every corpus, answers and lists) asked over HTTP
of a real server on the shipped defaults: every one gets 200, and an abstention's reason is one of the
reasons spelled in core/records.py, with its explanation. Every reason the extractive answerer gives
is seen at least once (issue 22: a reason missing from the HTTP schema turned /v1/ask into a 500)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import httpx
import pytest

from service.core.records import ABSTENTION_REASONS
from service.evaluation.answer_sets import ANSWER_SETS, LIST_SET, load_answer_set, load_list_set
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.http.app import create_app
from tests.conftest import DATA, default_build
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
ANSWERER_REASONS = ("not_covered", "missing_terms", "no_answer_of_type", "not_answered")
PROBES = ("What is the recipe for Belgian waffles?",  # far from every passage: not_covered
          "What did the Zorblatt Commission decide about fishing quotas?")  # a name no document uses


def _questions() -> dict[str, list[str]]:
    by_corpus: dict[str, list[str]] = {name: [q.question for q in load_answer_set(DATA / file)]
                                       for name, file in ANSWER_SETS.items()}
    by_corpus["brief"] += [q.question for q in load_testset(DEFAULT_TESTSET)] + list(PROBES)
    for q in load_list_set(DATA / LIST_SET):
        by_corpus[q.corpus].append(q.question)
    return by_corpus


@pytest.fixture(scope="module")
def servers(real_settings, real_embedder, tmp_path_factory):
    """A server per corpus: the brief's session build, and each Debian corpus built on the defaults."""
    urls = {}
    with thread_server(create_app(real_settings)) as brief:
        urls["brief"] = brief
        built = {}
        for name in ANSWER_SETS:
            if name == "brief":
                continue
            base = tmp_path_factory.mktemp(name)
            shutil.copytree(DATA / "corpora" / name, base / "corpus")
            built[name] = default_build(base / "corpus", base / "index", real_embedder)
        with thread_server(create_app(built["debian-policy"])) as policy, \
                thread_server(create_app(built["developers-reference"])) as devref:
            urls["debian-policy"], urls["developers-reference"] = policy, devref
            yield urls


def test_every_test_question_gets_200_and_every_reason_is_seen(servers):
    reasons: Counter[str] = Counter()
    failures = []
    for corpus, questions in _questions().items():
        with httpx.Client(base_url=servers[corpus], timeout=60) as client:
            for question in questions:
                r = client.post("/v1/ask", json={"question": question})
                if r.status_code != 200:
                    failures.append((corpus, question, r.status_code, r.text[:200]))
                    continue
                body = r.json()
                if body["abstained"]:
                    abstention = body["abstention"]
                    assert abstention["reason"] in ABSTENTION_REASONS, body
                    assert abstention["explanation"] == ABSTENTION_REASONS[abstention["reason"]]
                    reasons[abstention["reason"]] += 1
    assert not failures, failures
    assert set(ANSWERER_REASONS) <= set(reasons), f"reasons seen: {dict(reasons)}"
