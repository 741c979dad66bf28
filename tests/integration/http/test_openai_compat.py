"""The official `openai` client against /v1/models and /v1/chat/completions on a real uvicorn server
with the real index: a completion and a stream carry the cited answer and its structured citations;
errors come in OpenAI's shape with the right status."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

pytestmark = pytest.mark.integration
ADSE = "what are the ADSE priority areas"
AREAS = ("undersea infrastructure", "geospatial awareness", "information environment", "maritime situational")


@pytest.fixture(scope="module")
def client(server) -> OpenAI:
    return OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0, timeout=60)


def _exact(citations: list[dict], engine) -> None:
    assert citations
    for c in citations:
        assert c["text"] == engine.index.document(c["doc_id"]).text[c["start"]:c["end"]]


def test_models_lists_the_extractive_model_without_an_llm(client):
    assert [m.id for m in client.models.list().data] == ["briefqa"]


def test_completion_carries_the_cited_answer_and_the_structured_citations(client, real_engine):
    done = client.chat.completions.create(model="briefqa", messages=[{"role": "user", "content": ADSE}])
    message = done.choices[0].message
    assert message.role == "assistant" and done.choices[0].finish_reason == "stop"
    assert all(area in message.content for area in AREAS) and "[1]" in message.content
    assert "Sources:\n[1] MEETING OF NATO MINISTERS OF DEFENCE" in message.content
    extra = done.model_extra["briefqa"]
    assert extra["question"] == ADSE and not extra["abstained"]
    _exact(extra["citations"], real_engine)
    assert f"chars {extra['citations'][0]['start']}-{extra['citations'][0]['end']}" in message.content


def test_stream_sends_openai_chunks_and_the_citations_on_the_last_one(client, real_engine):
    chunks = list(client.chat.completions.create(model="briefqa", stream=True,
                                                 messages=[{"role": "user", "content": ADSE}]))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert all(area in text for area in AREAS)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.object == "chat.completion.chunk"
    _exact(last.model_extra["briefqa"]["citations"], real_engine)
    assert all(c.id == chunks[0].id for c in chunks)


def test_stream_ends_with_done(server):
    with httpx.stream("POST", f"{server}/v1/chat/completions", timeout=60,
                      json={"model": "briefqa", "stream": True, "messages": [{"role": "user", "content": ADSE}]}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]" and all(line.startswith("data: ") for line in lines)


def test_a_follow_up_uses_the_conversation_and_says_which_question_it_answered(client):
    messages = [{"role": "user", "content": "What is the ADSE?"},
                {"role": "assistant", "content": "The ADSE is ..."},
                {"role": "user", "content": [{"type": "text", "text": "What are its priority areas?"}]}]
    done = client.chat.completions.create(model="briefqa", messages=messages)
    content = done.choices[0].message.content
    assert content.startswith("Answering: What are its priority areas? (follow-up to: What is the ADSE?)")
    assert "undersea infrastructure" in content


def test_an_abstention_says_so_in_the_message(client):
    done = client.chat.completions.create(model="briefqa", messages=[
        {"role": "user", "content": "what's a good recipe for Belgian waffles"}])
    assert done.model_extra["briefqa"]["abstained"]
    assert "do not cover" in done.choices[0].message.content
    assert "Closest passages" in done.choices[0].message.content


def test_unknown_model_is_a_404_in_openais_shape(client, server):
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": ADSE}])
    assert caught.value.status_code == 404 and caught.value.code == "model_not_found"
    body = httpx.post(f"{server}/v1/chat/completions", json={"model": "briefqa-llm",
                      "messages": [{"role": "user", "content": ADSE}]}).json()
    assert set(body["error"]) == {"message", "type", "param", "code"} and "BRIEFQA_LLM_URL" in body["error"]["message"]
    assert body["error"]["param"] == "model" and body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("payload,param", [
    ({"model": "briefqa", "messages": []}, "messages"),
    ({"model": "briefqa", "messages": [{"role": "robot", "content": "hi"}]}, "messages.0.role"),
    ({"model": "briefqa", "messages": [{"role": "assistant", "content": "hi"}]}, "messages"),
    ({"model": "briefqa", "messages": [{"role": "user", "content": "  "}]}, "messages"),
    ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": "briefqa", "messages": [{"role": "user", "content": "hi"}], "top_k": 0}, "top_k"),
])
def test_bad_requests_are_400_in_openais_shape(server, payload, param):
    r = httpx.post(f"{server}/v1/chat/completions", json=payload)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


def test_the_openai_client_reports_a_bad_request(client):
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="briefqa", messages=[{"role": "user", "content": ""}])


def test_the_api_key_applies_and_refusals_come_in_openais_shape(real_settings, real_engine):
    from pydantic import SecretStr

    from service.http.app import create_app
    from tests.live_server import thread_server

    settings = real_settings.model_copy(update={"api_key": SecretStr("chat-key")})
    with thread_server(create_app(settings, loader=lambda s: real_engine)) as base:
        ok = OpenAI(base_url=f"{base}/v1", api_key="chat-key", max_retries=0)
        assert ok.chat.completions.create(model="briefqa", messages=[{"role": "user", "content": ADSE}]).choices
        with pytest.raises(openai.PermissionDeniedError) as wrong:
            OpenAI(base_url=f"{base}/v1", api_key="wrong", max_retries=0).models.list()
        assert wrong.value.status_code == 403 and wrong.value.body["type"] == "permission_error"
        r = httpx.get(f"{base}/v1/models")
        assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error" and r.json()["detail"]
