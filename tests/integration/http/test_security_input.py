"""Input: every field validated by name, body limits (declared and streamed), content types,
Unicode of every kind, request ids and the one JSON log line per request."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app

pytestmark = pytest.mark.integration
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(real_settings, real_engine):
    with TestClient(create_app(real_settings, loader=lambda s: real_engine), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("body,field", [
    ({"query": ""}, "query"), ({"query": "q" * 2001}, "query"), ({"query": "ok", "top_k": 0}, "top_k"),
    ({"query": "ok", "top_k": 101}, "top_k"), ({"query": "ok", "top_k": "many"}, "top_k"),
    ({"query": "ok", "mode": "fuzzy"}, "mode"), ({"query": ["a"]}, "query"), ({"query": None}, "query"),
    ({"q": "ok"}, "q"), ({"query": "ok", "top_k": 2.5}, "top_k"), ({"query": "ok", "top_k": True}, "top_k"),
])
def test_search_fields_are_validated_by_name(client, body, field):
    r = client.post("/v1/search", json=body)
    assert r.status_code == 422
    assert any(field in err["loc"] for err in r.json()["detail"]), r.json()


@pytest.mark.parametrize("content,headers,status,words", [
    (b'{"question": "x"', JSON, 422, "JSON decode error"),
    (b"question=x", {"content-type": "application/x-www-form-urlencoded"}, 415, "application/json"),
    (b'{"question": "x"}', {"content-type": "text/plain"}, 415, "text/plain"),
    (b'{"question": "x"}', {}, 415, "got none"),
    (b"[" * 20000 + b"]" * 20000, JSON, 400, "parsing the body"),
    (b'"just a string"', JSON, 422, "valid dictionary"),
    (b'{"question": "\xff\xfe"}', JSON, 400, "not UTF-8 (bad byte at offset"),
    (b'{"question": "\\ud800 lone surrogate"}', JSON, 422, "unicode"),
])
def test_bodies_that_are_not_a_json_object_get_a_4xx_saying_why(client, content, headers, status, words):
    for route in ("/v1/ask", "/v1/search"):
        r = client.post(route, content=content.replace(b'"question"', b'"query"') if "search" in route else content,
                        headers=headers)
        assert r.status_code == status, (route, r.text)
        assert words.lower() in r.text.lower(), r.text


def test_bodies_over_the_limit_get_413_by_length_or_by_stream(client, real_settings):
    limit = real_settings.max_body_bytes
    big = json.dumps({"question": "x" * limit}).encode()
    declared = client.post("/v1/ask", content=big, headers=JSON)
    assert declared.status_code == 413 and f"{limit}-byte limit" in declared.json()["detail"]

    def chunks():  # no Content-Length: the client streams with chunked transfer encoding
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000

    streamed = client.post("/v1/ask", content=chunks(), headers=JSON)
    assert streamed.status_code == 413
    assert client.post("/v1/ask", content=json.dumps({"question": "ok"}).encode(), headers=JSON).status_code == 200


@pytest.mark.parametrize("text", [
    "🚀🛰️ undersea infrastructure 👩‍👩‍👧",              # emoji, ZWJ sequences, variation selectors
    "ما هي مجالات الأولوية؟ ADSE",                    # Arabic (RTL)
    "\u202eADSE priority areas\u202c",               # bidi override controls
    "e\u0301\u0302\u0303\u0304" * 50,                # stacked combining marks
    "ADSE\x00priority\x00areas",                     # NUL
    "\x00",                                          # only NUL
    "\u200b\u200c\u200d\ufeff",                      # zero-width only
    "日本語の質問：ウクライナへの支援",                     # CJK
    "\U0001d4d0\U0001d4d1 \U000e0041",               # astral letters, a tag character
    " \t\n ",                                        # whitespace only
])
def test_unicode_of_every_kind_is_answered(client, text):
    ask = client.post("/v1/ask", json={"question": text})
    assert ask.status_code == 200, ask.text
    assert ask.json()["question"] == text and ask.json()["index_version"]
    search = client.post("/v1/search", json={"query": text, "top_k": 3})
    assert search.status_code == 200 and search.json()["query"] == text


def test_request_id_is_kept_or_made_and_each_request_logs_one_json_line(client, caplog):
    caplog.set_level(logging.INFO, logger="briefqa.access")
    r = client.post("/v1/ask", json={"question": "Patriot missiles"}, headers={"X-Request-ID": "req-42.a"})
    assert r.headers["x-request-id"] == "req-42.a"
    assert r.headers["x-index-version"] == r.json()["index_version"]
    bad = client.get("/v1/documents", headers={"X-Request-ID": "bad id\twith spaces"})
    assert bad.headers["x-request-id"] != "bad id\twith spaces" and len(bad.headers["x-request-id"]) == 32
    client.get("/v1/documents/nope.txt")
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "briefqa.access"]
    assert len(lines) == 3
    first, second, third = lines
    assert first["request_id"] == "req-42.a" and first["route"] == "/v1/ask" and first["status"] == 200
    assert first["index_version"] == r.json()["index_version"] and first["latency_ms"] > 0
    assert second["request_id"] == bad.headers["x-request-id"] and second["method"] == "GET"
    assert third["route"] == "/v1/documents/{doc_id:path}" and third["status"] == 404
    assert {"ts", "event", "path"} <= set(first)


def test_refused_requests_are_logged_too(client, caplog):
    caplog.set_level(logging.INFO, logger="briefqa.access")
    r = client.post("/v1/search", content=b"x", headers={"content-type": "text/csv"})
    assert r.status_code == 415 and r.headers["x-request-id"]
    (line,) = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "briefqa.access"]
    assert line["status"] == 415 and line["path"] == "/v1/search" and line["request_id"] == r.headers["x-request-id"]


def test_static_files_and_unknown_paths_are_logged_by_route_not_as_null(client, caplog):
    caplog.set_level(logging.INFO, logger="briefqa.access")
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "briefqa.access"]
    assert [line["route"] for line in lines] == ["/static", "<unmatched>"]
