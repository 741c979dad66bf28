"""Access: API and admin keys (constant-time), open health routes, CORS off unless configured,
keys never in logs or error details. The real app with the real engine over TestClient."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.http import security
from service.http.app import create_app
from service.http.security import AccessPolicy

pytestmark = pytest.mark.integration
API_KEY = "api-k3y-for-tests"
ADMIN_KEY = "admin-s3cret-key"
ASK = {"question": "what are the ADSE priority areas"}


def _client(real_settings, real_engine, **keys) -> TestClient:
    settings = real_settings.model_copy(update={k: SecretStr(v) if "key" in k else v for k, v in keys.items()})
    return TestClient(create_app(settings, loader=lambda s: real_engine))


@pytest.fixture(scope="module")
def locked(real_settings, real_engine):
    with _client(real_settings, real_engine, api_key=API_KEY, admin_key=ADMIN_KEY) as client:
        yield client


@pytest.fixture(scope="module")
def open_client(real_settings, real_engine):
    with _client(real_settings, real_engine) as client:
        yield client


def test_without_keys_configured_the_api_is_open_and_admin_routes_are_disabled(open_client):
    assert open_client.post("/v1/ask", json=ASK).status_code == 200
    r = open_client.post("/v1/admin/reload", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403 and "BRIEFQA_ADMIN_KEY" in r.json()["detail"]


@pytest.mark.parametrize("route,method", [("/v1/ask", "post"), ("/v1/search", "post"), ("/v1/documents", "get"),
                                          ("/v1/documents/nato-pa-defence-ministers-2024-10.txt", "get")])
def test_v1_routes_need_the_key(locked, route, method):
    body = {"json": {"query": "air defence"} if "search" in route else ASK} if method == "post" else {}
    missing = getattr(locked, method)(route, **body)
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = getattr(locked, method)(route, headers={"Authorization": "Bearer nope"}, **body)
    assert wrong.status_code == 403 and "not an API key" in wrong.json()["detail"]
    for headers in ({"Authorization": f"Bearer {API_KEY}"}, {"X-API-Key": API_KEY}, {"authorization": f"bearer {API_KEY}"}):
        assert getattr(locked, method)(route, headers=headers, **body).status_code == 200


def test_keys_are_checked_before_the_body_is_read(locked):
    r = locked.post("/v1/ask", content=b"not json", headers={"content-type": "text/plain"})
    assert r.status_code == 401


def test_health_routes_schema_and_page_stay_open(locked):
    assert locked.get("/livez").status_code == 200
    assert locked.get("/readyz").status_code == 200
    assert locked.get("/openapi.json").status_code == 200
    page_routes = {getattr(r, "path", None) for r in locked.app.routes}
    for route in ("/", "/metrics"):
        if route in page_routes:
            assert locked.get(route).status_code == 200, route


def test_admin_routes_need_the_admin_key_not_the_api_key(locked):
    assert locked.post("/v1/admin/reload").status_code == 401
    r = locked.post("/v1/admin/reload", headers={"Authorization": f"Bearer {API_KEY}"})
    assert r.status_code == 403 and "admin key" in r.json()["detail"]
    ok = locked.post("/v1/admin/reload", headers={"X-API-Key": ADMIN_KEY})
    assert ok.status_code == 200 and ok.json()["status"] == "unchanged"


def test_keys_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    policy = AccessPolicy.from_keys(SecretStr("right"), None)
    assert policy.check("/v1/ask", {b"x-api-key": b"wrong"}).status == 403
    assert policy.check("/v1/ask", {b"authorization": b"Bearer right"}) is None
    assert calls == [(b"wrong", b"right"), (b"right", b"right")]
    assert AccessPolicy.from_keys(SecretStr(""), None).check("/v1/ask", {}) is None  # empty means unset


def test_keys_never_appear_in_logs_or_errors(real_settings, real_embedder, real_engine, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    with _client(real_settings, real_engine, api_key=API_KEY, admin_key=ADMIN_KEY) as client:
        bodies = [client.post("/v1/ask", json=ASK, headers={"Authorization": f"Bearer {API_KEY}"}).text,
                  client.post("/v1/ask", json=ASK, headers={"X-API-Key": "guess-" + API_KEY}).text,
                  client.post("/v1/admin/reload", headers={"X-API-Key": ADMIN_KEY}).text,
                  client.post("/v1/admin/reload", headers={"X-API-Key": ADMIN_KEY + "x"}).text]
    out, err = capfd.readouterr()
    logged = caplog.text + out + err + "".join(bodies)
    assert '"event": "request"' in logged  # the request lines were written, and hold no key
    assert API_KEY not in logged and ADMIN_KEY not in logged
    settings = real_settings.model_copy(update={"api_key": SecretStr(API_KEY)})
    assert API_KEY not in repr(settings) and API_KEY not in str(settings.model_dump())


def test_cors_is_off_by_default(open_client):
    preflight = open_client.options("/v1/ask", headers={"Origin": "https://evil.example",
                                                        "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    r = open_client.get("/livez", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_the_configured_origins(real_settings, real_engine):
    with _client(real_settings, real_engine, api_key=API_KEY,
                 cors_origins="https://ok.example, https://also.example") as client:
        preflight = client.options("/v1/ask", headers={"Origin": "https://ok.example",
                                                       "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "authorization,content-type"})
        assert preflight.status_code == 200  # preflight carries no key and must not need one
        assert preflight.headers["access-control-allow-origin"] == "https://ok.example"
        r = client.post("/v1/ask", json=ASK, headers={"Origin": "https://also.example", "X-API-Key": API_KEY})
        assert r.headers["access-control-allow-origin"] == "https://also.example"
        assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
        other = client.post("/v1/ask", json=ASK, headers={"Origin": "https://evil.example", "X-API-Key": API_KEY})
        assert "access-control-allow-origin" not in other.headers
