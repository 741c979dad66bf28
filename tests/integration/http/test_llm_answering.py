"""The LLM answerer against a remote endpoint that misbehaves on demand (tests/fake_llm.py), with the real
model and a real index: what it may never show, and that every failure is a 200 with the extractive answer."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.pipeline.llm import ABSTAINED, NO_LLM, NOTHING_KEPT
from service.app.runtime import load_engine
from tests.conftest import ADSE, ADSE_SENTENCE
from tests.fake_llm import fake_llm
from tests.live_server import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def llm():
    with fake_llm() as (url, state):
        yield url, state


@pytest.fixture(scope="module")
def client(real_settings, real_embedder, llm):
    settings = real_settings.model_copy(update={"llm_url": llm[0], "llm_timeout_s": 1.0})
    with TestClient(create_app(settings)) as c:
        yield c


def _ask(client, **kw) -> dict:
    r = client.post("/v1/ask", json={"question": ADSE, "answerer": "llm", **kw})
    assert r.status_code == 200, r.text
    return r.json()


def _sse(client, body: dict) -> list[tuple[str, dict]]:
    events, name = [], None
    with client.stream("POST", "/v1/ask/stream", json=body) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


def test_out_of_range_and_uncited_sentences_never_reach_the_answer(client, llm):
    llm[1].reply = (f"{ADSE_SENTENCE[:-1]} [1][7]. The ADSE is run by the United Nations from Geneva. "
                    "It has nine priority areas [9].")
    body = _ask(client)
    assert body["answerer"] == "llm" and body["note"] is None
    assert "[7]" not in body["answer"] and "[9]" not in body["answer"]
    assert [s["citations"] for s in body["sentences"]] == [[1]]
    assert body["answer"] == f"{ADSE_SENTENCE} [1]"
    assert [d["reason"] for d in body["dropped"]] == ["no [n] citation", "cites no passage that exists"]
    assert all("[" not in d["text"] for d in body["dropped"])
    prompt = llm[1].requests[-1]["messages"][-1]["content"]
    assert prompt.startswith("Passages:\n\n[1] (") and "Question: " + ADSE in prompt


def test_nothing_supported_falls_back_to_the_extractive_answer(client, llm):
    llm[1].reply = "The ADSE was founded in 1999 in Tokyo by the Japanese navy [1]. Cats are mammals that live in houses [2]."
    body = _ask(client)
    extractive = client.post("/v1/ask", json={"question": ADSE}).json()
    assert body["answerer"] == "extractive" and body["note"] == NOTHING_KEPT
    assert body["answer"] == extractive["answer"] and extractive["answerer"] == "extractive"
    assert [d["reason"] for d in body["dropped"]] == ["not supported by the cited passage"] * 2


@pytest.mark.parametrize("status", [500, 404, 429])
def test_an_http_error_of_the_llm_gives_the_extractive_answer_and_a_note(client, llm, status):
    llm[1].status = status
    try:
        body = _ask(client)
    finally:
        llm[1].status = 200
    assert body["answerer"] == "extractive" and f"HTTP {status}" in body["note"]
    assert "[1]" in body["answer"]


def test_a_hanging_llm_times_out_fast_into_the_extractive_answer(client, llm):
    llm[1].delay_s = 4.0
    t = time.monotonic()
    try:
        body = _ask(client)
    finally:
        llm[1].delay_s = 0.0
    assert time.monotonic() - t < 3.5
    assert body["answerer"] == "extractive" and "did not answer within 1 s" in body["note"]


def test_an_unreachable_llm_gives_the_extractive_answer(real_settings, real_embedder):
    settings = real_settings.model_copy(update={"llm_url": f"http://127.0.0.1:{free_port()}/v1"})
    with TestClient(create_app(settings)) as c:
        body = _ask(c)
        streamed = _sse(c, {"question": ADSE, "answerer": "llm"})
    assert body["answerer"] == "extractive" and "could not be reached" in body["note"]
    assert [e[0] for e in streamed] == ["passages", "answer"] and streamed[1][1]["note"] == body["note"]


def test_without_an_llm_configured_the_llm_answerer_says_so(real_settings, real_embedder):
    with TestClient(create_app(real_settings)) as c:
        assert c.get("/v1/answerers").json() == {"answerers": ["extractive"], "llm_model": None}
        body = _ask(c)
    assert body["answerer"] == "extractive" and body["note"] == NO_LLM and "[1]" in body["answer"]


def test_an_unanswerable_question_is_not_sent_to_the_llm(client, llm):
    before = len(llm[1].requests)
    body = _ask(client, question="what's a good recipe for Belgian waffles")
    assert body["abstained"] and body["note"] == ABSTAINED and len(llm[1].requests) == before


def test_stream_sends_passages_then_filtered_tokens_then_the_checked_answer(client, llm):
    llm[1].reply = f"{ADSE_SENTENCE[:-1]} [1][7]. Something uncited."
    events = _sse(client, {"question": ADSE, "answerer": "llm"})
    names = [e[0] for e in events]
    assert names[0] == "passages" and names[-1] == "answer" and set(names[1:-1]) == {"token"}
    tokens = "".join(d["text"] for n, d in events if n == "token")
    assert "[7]" not in tokens and tokens.startswith("The ADSE will focus") and "[1]" in tokens
    answer = events[-1][1]
    assert answer["answerer"] == "llm" and answer["answer"] == f"{ADSE_SENTENCE} [1]"
    assert events[0][1]["citations"] == answer["citations"]
    assert client.get("/v1/answerers").json() == {"answerers": ["extractive", "llm"], "llm_model": "default"}


def test_stream_with_the_extractive_answerer_has_no_tokens(client):
    events = _sse(client, {"question": ADSE})
    assert [e[0] for e in events] == ["passages", "answer"]
    assert events[1][1]["answerer"] == "extractive" and events[1][1]["note"] is None


def test_stream_rejects_bad_input_before_streaming(client):
    r = client.post("/v1/ask/stream", json={"question": ADSE, "answerer": "gpt"})
    assert r.status_code == 422 and "answerer" in json.dumps(r.json()["detail"])
