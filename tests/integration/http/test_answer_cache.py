"""Repeated questions (issue 24): a real server on the shipped defaults answers a repeat from its
answer cache with the very bytes of the first response; anything the answer depends on (top_k, mode,
min_confidence, the question's own spelling) is a different entry; a server with the cache off gives
the same answer; and a document added through the API (a new index version) empties it. A conversation
on /v1/chat/completions, asked through the official openai client, is kept the same way, its earlier
turns part of the key."""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from pydantic import SecretStr

from service.http.app import create_app
from tests.documents_api import ADMIN, ADMIN_KEY, UNIQUE_QUESTION, private_copy, unique_text, upload, wait_job
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
ADSE = {"question": "what are the ADSE priority areas"}


def _post(client, body: dict) -> httpx.Response:
    r = client.post("/v1/ask", json=body, headers=ADMIN)
    assert r.status_code == 200, r.text
    return r


@pytest.fixture(scope="module")
def live(real_settings, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("answer-cache"), admin_key=SecretStr(ADMIN_KEY))
    with thread_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client, settings


def test_a_repeat_is_the_first_responses_bytes(live):
    client, _ = live
    first = _post(client, ADSE)
    again = _post(client, ADSE)
    assert first.headers["x-briefqa-cache"] == "miss" and again.headers["x-briefqa-cache"] == "hit"
    assert again.content == first.content


@pytest.mark.parametrize("change", [{"top_k": 3}, {"mode": "bm25"}, {"min_confidence": 0.99},
                                    {"question": "What are the ADSE priority areas"}])
def test_what_the_answer_depends_on_is_part_of_the_key(live, change):
    client, _ = live
    _post(client, ADSE)
    other = _post(client, {**ADSE, **change})
    assert other.headers["x-briefqa-cache"] == "miss"
    assert _post(client, {**ADSE, **change}).content == other.content


def test_a_cached_answer_is_the_answer_a_server_without_the_cache_gives(live, real_settings):
    client, _ = live
    _post(client, ADSE)
    cached = json.loads(_post(client, ADSE).content)
    with thread_server(create_app(real_settings.model_copy(update={"answer_cache": 0}))) as url:
        fresh = httpx.post(f"{url}/v1/ask", json=ADSE, timeout=120)
    assert "x-briefqa-cache" in fresh.headers and fresh.headers["x-briefqa-cache"] == "miss"
    fresh_body = fresh.json()
    assert {k: v for k, v in cached.items() if k != "timings_ms"} == {k: v for k, v in fresh_body.items() if k != "timings_ms"}


def _chat(client: openai.OpenAI, *turns: str):
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]
    raw = client.chat.completions.with_raw_response.create(model="briefqa", messages=messages)
    return raw.headers["x-briefqa-cache"], raw.parse().model_extra["briefqa"]


def test_a_repeated_conversation_is_answered_from_the_cache_and_its_turns_are_in_the_key(live):
    http, _ = live
    client = openai.OpenAI(base_url=f"{str(http.base_url).rstrip('/')}/v1", api_key=ADMIN_KEY)
    first = _chat(client, "what is ADSE?", "It is a strategy.", "what are its priority areas?")
    again = _chat(client, "what is ADSE?", "It is a strategy.", "what are its priority areas?")
    assert (first[0], again[0]) == ("miss", "hit")
    assert again[1] == first[1]  # timings included: the answer was not computed again
    alone = _chat(client, "what are its priority areas?")  # the same last question without its earlier turn
    assert alone[0] == "miss"


def test_a_new_index_version_empties_the_cache(live):
    client, _ = live
    before = json.loads(_post(client, {"question": UNIQUE_QUESTION}).content)
    assert _post(client, {"question": UNIQUE_QUESTION}).headers["x-briefqa-cache"] == "hit"
    r = upload(client, {"zorvath.txt": unique_text().encode()})
    assert r.status_code == 202, r.text
    assert wait_job(client, r.json()["job_id"])["status"] == "published"
    after = _post(client, {"question": UNIQUE_QUESTION})
    assert after.headers["x-briefqa-cache"] == "miss"
    body = after.json()
    assert body["index_version"] != before["index_version"]
    assert any(c["doc_id"] == "zorvath.txt" for c in body["citations"])
