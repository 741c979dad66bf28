"""GET /metrics over the real app: per-route counters and latencies, pipeline step latencies, index gauges."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.http.app import create_app
from service.app.runtime import load_engine
from service.app.settings import Settings

DOC = "/v1/documents/nato-pa-defence-ministers-2024-10.txt"
QUESTIONS = ("what are the ADSE priority areas", "how much did Allies pledge to Ukraine",
             "what's a good recipe for Belgian waffles")


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.integration
def test_metrics_count_asks_by_route_template_and_show_the_index(real_settings, real_embedder):
    app = create_app(real_settings)
    with TestClient(app) as c:
        for q in QUESTIONS:
            assert c.post("/v1/ask", json={"question": q}).status_code == 200
        assert c.post("/v1/ask", json={"question": ""}).status_code == 422
        assert c.get(DOC).status_code == 200 and c.get("/v1/documents/nope.txt").status_code == 404
        r = c.get("/metrics")
        engine = app.state.slot.engine
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    m = _samples(r.text)
    ask = {"method": "POST", "route": "/v1/ask"}
    assert _value(m, "briefqa_http_requests_total", **ask, status="200") == len(QUESTIONS)
    assert _value(m, "briefqa_http_requests_total", **ask, status="422") == 1
    assert _value(m, "briefqa_http_request_duration_seconds_count", **ask, status="200") == len(QUESTIONS)
    assert _value(m, "briefqa_http_request_duration_seconds_sum", **ask, status="200") > 0
    doc = {"method": "GET", "route": "/v1/documents/{doc_id:path}"}
    assert _value(m, "briefqa_http_requests_total", **doc, status="200") == 1
    assert _value(m, "briefqa_http_requests_total", **doc, status="404") == 1
    routes = {v for (_, labels) in m for k, v in labels if k == "route"}
    assert not [x for x in routes if "nato-pa" in x or "nope" in x], routes  # templates, never raw paths
    for step in ("embed", "retrieve", "answer"):
        assert _value(m, "briefqa_pipeline_step_duration_seconds_count", step=step) == len(QUESTIONS)
        assert _value(m, "briefqa_pipeline_step_duration_seconds_sum", step=step) > 0
    assert _value(m, "briefqa_index_loaded") == 1
    assert _value(m, "briefqa_index_documents") == len(engine.index.documents) == 1
    assert _value(m, "briefqa_index_chunks") == len(engine.index.data.chunks) > 0
    info = [labels for (name, labels) in m if name == "briefqa_index_info"]
    assert len(info) == 1 and ("version", engine.version) in info[0]


def test_each_app_has_its_own_registry_and_no_index_reads_zero(tmp_path):
    """Two apps in one process do not share counters (no global registry), and an app with no index says so."""
    first = create_app(Settings(index_dir=tmp_path / "a"))
    second = create_app(Settings(index_dir=tmp_path / "b"))
    with TestClient(first) as a, TestClient(second) as b:
        assert a.get("/livez").status_code == 200 and a.get("/livez").status_code == 200
        assert a.get("/no/such/page").status_code == 404
        ma, mb = _samples(a.get("/metrics").text), _samples(b.get("/metrics").text)
    live = {"method": "GET", "route": "/livez", "status": "200"}
    assert _value(ma, "briefqa_http_requests_total", **live) == 2
    assert _value(mb, "briefqa_http_requests_total", **live) == 0
    assert _value(ma, "briefqa_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert _value(ma, "briefqa_index_loaded") == 0
    assert not [name for (name, _) in ma if name in ("briefqa_index_documents", "briefqa_index_chunks")]
