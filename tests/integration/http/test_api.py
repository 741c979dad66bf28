"""Integration: the real packaged model, a real index on disk, the real app over TestClient."""

import re

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.app.runtime import load_engine
from service.text.sentences import clean
from service.app.settings import Settings

pytestmark = pytest.mark.integration
ADSE_AREAS = ("securing critical undersea infrastructure", "enhancing geospatial awareness",
              "improving information environment assessment", "strengthening maritime situational awareness")


@pytest.fixture(scope="module")
def client(store_settings, real_embedder):
    app = create_app(store_settings)
    with TestClient(app) as c:
        yield c


def _contract(client, body: dict) -> None:
    """Citations are the documents' text at [start, end); answer sentences are copied from cited passages."""
    docs: dict[str, str] = {}
    for c in body["citations"]:
        if c["doc_id"] not in docs:
            docs[c["doc_id"]] = client.get(f"/v1/documents/{c['doc_id']}").json()["text"]
        assert docs[c["doc_id"]][c["start"]:c["end"]] == c["text"]
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    if body["abstained"]:
        assert not re.search(r"\[\d+\]", body["answer"])
        return
    parts = re.findall(r"(.+?)\s((?:\[\d+\])+)(?:\s|$)", body["answer"])
    assert parts and "".join(p + m for p, m in parts).replace(" ", "") == body["answer"].replace(" ", "")
    for sentence, markers in parts:
        numbers = [int(n) for n in re.findall(r"\d+", markers)]
        assert all(1 <= n <= len(body["citations"]) for n in numbers)
        assert any(clean(sentence) in clean(body["citations"][n - 1]["text"]) for n in numbers), sentence


def test_adse_question_names_the_four_areas_citing_the_adse_passage_first(client):
    r = client.post("/v1/ask", json={"question": "what are the ADSE priority areas"})
    assert r.status_code == 200
    body = r.json()
    assert not body["abstained"]
    for area in ADSE_AREAS:
        assert area in body["answer"]
    assert "[1]" in body["answer"]
    first = body["citations"][0]
    assert "The ADSE will focus on four priority areas" in first["text"]
    assert first["section"] == "V. ADDITIONAL NOTES > Creation of an initiative to foster secure data sharing"
    assert first["page"] is None and first["doc_id"] == "nato-pa-defence-ministers-2024-10.txt"
    assert body["index_version"] and set(body["timings_ms"]) >= {"embed", "retrieve", "answer"}
    _contract(client, body)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_citation_contract_holds_for_every_test_question(client, mode):
    for q in load_testset(DEFAULT_TESTSET):
        r = client.post("/v1/ask", json={"question": q.question, "mode": mode, "top_k": 5})
        assert r.status_code == 200, q.qid
        _contract(client, r.json())


def test_search_returns_ranked_passages_with_exact_offsets(client):
    r = client.post("/v1/search", json={"query": "Patriot missiles", "top_k": 3, "mode": "bm25"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 3 and "1,000 Patriot missiles" in results[0]["text"]
    assert results[0]["score"] >= results[1]["score"] >= results[2]["score"]


def test_documents_list_and_detail(client):
    listing = client.get("/v1/documents").json()["documents"]
    assert [d["doc_id"] for d in listing] == ["nato-pa-defence-ministers-2024-10.txt"]
    doc = client.get("/v1/documents/nato-pa-defence-ministers-2024-10.txt").json()
    assert doc["chars"] == len(doc["text"]) and any(s["title"] == "V. ADDITIONAL NOTES" for s in doc["sections"])
    missing = client.get("/v1/documents/nope.txt")
    assert missing.status_code == 404 and "nope.txt" in missing.json()["detail"]


@pytest.mark.parametrize("body,field", [
    ({"question": ""}, "question"),
    ({"question": "x" * 2001}, "question"),
    ({"question": "ok", "top_k": 0}, "top_k"),
    ({"question": "ok", "top_k": 21}, "top_k"),
    ({"question": "ok", "mode": "magic"}, "mode"),
    ({"question": 5}, "question"),
    ({}, "question"),
    ({"question": "ok", "surprise": 1}, "surprise"),
])
def test_bad_input_is_a_422_naming_the_field(client, body, field):
    r = client.post("/v1/ask", json=body)
    assert r.status_code == 422
    assert any(field in err["loc"] for err in r.json()["detail"])


def test_health_endpoints(client):
    assert client.get("/livez").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_not_ready_without_an_index(tmp_path, real_embedder):
    app = create_app(Settings(index_dir=tmp_path / "none"))
    with TestClient(app) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "briefqa index" in ready.json()["detail"]
        ask = c.post("/v1/ask", json={"question": "anything"})
        assert ask.status_code == 503 and "not ready" in ask.json()["detail"]
