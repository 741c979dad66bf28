"""`briefqa-llm` on /v1/chat/completions: offered only with an LLM, its sentences checked like /v1/ask's.
The LLM is a remote endpoint double (tests/fake_llm.py) speaking the real wire format; model and index real."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app.runtime import load_engine
from service.http.app import create_app
from tests.conftest import ADSE, ADSE_SENTENCE
from tests.fake_llm import fake_llm

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def setup(real_settings, real_embedder):
    with fake_llm() as (url, state):
        settings = real_settings.model_copy(update={"llm_url": url, "llm_timeout_s": 2.0})
        with TestClient(create_app(settings)) as client:
            yield client, state


def _chat(client, question: str, history: tuple[str, ...] = ()) -> dict:
    messages = [{"role": "user", "content": q} for q in (*history, question)]
    r = client.post("/v1/chat/completions", json={"model": "briefqa-llm", "messages": messages})
    assert r.status_code == 200, r.text
    return r.json()


def test_models_offers_the_llm_answerer_when_one_is_configured(setup):
    client, _ = setup
    assert [m["id"] for m in client.get("/v1/models").json()["data"]] == ["briefqa", "briefqa-llm"]


def test_a_supported_llm_sentence_is_the_message_and_an_invented_one_is_dropped(setup):
    client, state = setup
    state.status, state.reply = 200, f"{ADSE_SENTENCE} [1] The ADSE is run from Geneva by the United Nations [1]."
    done = _chat(client, ADSE)
    extra = done["briefqa"]
    assert extra["answerer"] == "llm" and "Geneva" not in done["choices"][0]["message"]["content"]
    assert "undersea infrastructure" in done["choices"][0]["message"]["content"]
    assert any("Geneva" in d["text"] for d in extra["dropped"])


def test_the_llm_answers_a_follow_up_in_context_and_a_failure_falls_back(setup):
    client, state = setup
    state.status = 500
    done = _chat(client, "What are its priority areas?", ("What is the ADSE?",))
    extra = done["briefqa"]
    assert extra["answerer"] == "extractive" and "the LLM failed" in extra["note"]
    assert extra["question"] == "What are its priority areas? (follow-up to: What is the ADSE?)"
    assert "ADSE" in state.requests[-1]["messages"][-1]["content"]  # the prompt holds the resolved query
    state.status = 200
