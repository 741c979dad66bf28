"""Not the shipped default: a server started with BRIEFQA_JOINT_CANDIDATES=5 lets the joint cross-encoder
re-read the answerer's best candidates. Over HTTP on the real index it still answers with sentences copied
from the passages it cites (exact offsets), and the cross-encoder is really asked."""

from __future__ import annotations

import httpx
import pytest

import service.answering.answerable as answerable
from service.app.settings import Settings
from service.http.app import create_app
from tests.live_server import thread_server

pytestmark = pytest.mark.integration


def test_a_server_with_the_joint_reader_answers_with_copied_cited_sentences(real_settings, monkeypatch):
    monkeypatch.setenv("BRIEFQA_JOINT_CANDIDATES", "5")
    settings = Settings(corpus_dir=real_settings.corpus_dir, index_dir=real_settings.index_dir)
    assert settings.joint_candidates == 5
    read: list[int] = []
    real = answerable.joint_scores
    monkeypatch.setattr(answerable, "joint_scores", lambda *a: (read.append(1), real(*a))[1])
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        r = client.post("/v1/ask", json={"question": "what are the ADSE priority areas"})
        assert r.status_code == 200, r.text
        body = r.json()
    assert read, "the joint reader was not asked"
    assert not body["abstained"] and body["sentences"]
    for s in body["sentences"]:
        assert s["citations"]
        cited = [body["citations"][n - 1]["text"] for n in s["citations"]]
        assert any(" ".join(s["text"].split()) in " ".join(t.split()) for t in cited)
