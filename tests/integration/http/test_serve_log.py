"""`briefqa serve` in its own process writes each request as one JSON line on stderr, once: no second,
reformatted copy (the MCP library's logging setup used to put a Rich handler on the root logger, so
every line came twice, the second wrapped over several lines, which a log shipper cannot parse)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.live_server import subprocess_server

pytestmark = pytest.mark.integration


def test_each_request_is_one_json_line_and_nothing_else_is_logged(real_settings, tmp_path):
    env = {"BRIEFQA_CORPUS_DIR": str(real_settings.corpus_dir), "BRIEFQA_INDEX_DIR": str(real_settings.index_dir)}
    log = tmp_path / "serve.log"
    with subprocess_server(env, log) as (url, _proc):
        with httpx.Client(base_url=url, timeout=60) as http:
            ids = []
            for i, question in enumerate(["what are the ADSE priority areas?", "who chaired the meeting?"]):
                r = http.post("/v1/ask", json={"question": question}, headers={"X-Request-ID": f"log-test-{i}"})
                assert r.status_code == 200, r.text
                ids.append(f"log-test-{i}")
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    ours = [line for line in lines if not line.startswith("INFO:")]  # uvicorn's own start and stop lines
    events = [json.loads(line) for line in ours]  # fails on any line that is not a JSON object
    asked = [e for e in events if e.get("event") == "request" and e.get("path") == "/v1/ask"]
    assert [e["request_id"] for e in asked] == ids
    assert all(e["status"] == 200 for e in asked)
