"""Two kinds of document a new user brings, uploaded over HTTP to a real server on the shipped defaults:
a PDF made by TeX (justified, words placed without space characters) is read with its words apart, so
its question is answered from its sentence; and an FAQ, whose questions stand in its own index list
and headings, answers a question with the answer, not with its own copy of the question or a
contents line."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from service.http.app import create_app
from tests.documents_api import ADMIN_KEY, private_copy, upload, wait_job
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
TEX_PDF = Path(__file__).resolve().parents[2] / "data/corpora/scanned-policy/policy-pages-text.pdf"
FAQ = """# Harbour pass office FAQ

Questions in this FAQ:

- How do I renew a harbour pass?
- Who may sign a visitor into the quay?
- What does a lost pass cost to replace?

Contents

1 Renewing . . . . . . . . . . . . . . . . . . . . . . 2
1.1 How do I renew a harbour pass? . . . . . . . . . . . 2
1.2 Who may sign a visitor into the quay? . . . . . . . 3

## How do I renew a harbour pass?

Bring your old pass and a photograph to the pass office on Pier Road before it expires. The office
renews it the same day for another two years.

## Who may sign a visitor into the quay?

Only a holder of a blue crew pass may sign a visitor in, and the visitor must stay with that holder.

## What does a lost pass cost to replace?

A replacement for a lost pass costs 40 euros, paid at the pass office.
"""


@pytest.fixture(scope="module")
def live(real_settings, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("faq"), admin_key=SecretStr(ADMIN_KEY))
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        r = upload(client, {"policy-tex.pdf": TEX_PDF.read_bytes(), "harbour-faq.md": FAQ.encode()})
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["job_id"], timeout=600)
        assert job["status"] == "published", job
        yield client


def _ask(client: httpx.Client, question: str) -> dict:
    r = client.post("/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_tex_pdf_is_read_with_its_words_apart_and_answers_from_its_sentence(live):
    doc = live.get("/v1/documents/policy-tex.pdf").json()
    assert "The required packages are called build-essential" in doc["text"]
    answer = _ask(live, "Where can the informational list of build-essential packages be found?")
    assert not answer["abstained"], answer
    first = answer["sentences"][0]
    assert "/usr/share/doc/build-essential/list" in first["text"], answer
    cited = {c["n"]: c for c in answer["citations"]}
    for n in first["citations"]:
        assert doc["text"][cited[n]["start"]:cited[n]["end"]] == cited[n]["text"]


@pytest.mark.parametrize(("question", "answer_words"), [
    ("How do I renew a harbour pass?", "pass office on Pier Road"),
    ("What does a lost pass cost to replace?", "costs 40 euros"),
])
def test_an_faq_answers_with_the_answer_not_its_own_question(live, question, answer_words):
    answer = _ask(live, question)
    assert not answer["abstained"], answer
    texts = [s["text"] for s in answer["sentences"]]
    assert any(answer_words in t for t in texts), texts
    assert not any(t.rstrip().endswith("?") or ". . . . ." in t for t in texts), texts
