"""Confidence a caller can use (issue 22, part 4), on the shipped defaults through every surface a
user touches: every answer carries `confidence` in 0..1 from the shipped calibration, and
`min_confidence` trades the answer for an abstention with reason `low_confidence` on POST /v1/ask,
the CLI, MCP's `ask` and the OpenAI route's extra field; out-of-range values are refused clearly."""

from __future__ import annotations

import json
import sys

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from openai import OpenAI

from service.cli.main import main
from service.core.records import ABSTENTION_REASONS
from tests.integration.mcp.test_mcp import _env
from tests.live_server import ROOT

pytestmark = pytest.mark.integration
ADSE = "what are the ADSE priority areas"
WHO = "Who is the NATO Secretary General?"


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def _ask(http, question: str, **extra) -> dict:
    r = http.post("/v1/ask", json={"question": question, **extra})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("question", [ADSE, WHO])
def test_an_answer_carries_its_confidence_and_a_higher_minimum_turns_it_into_an_abstention(http, question):
    plain = _ask(http, question)
    assert not plain["abstained"] and 0.0 < plain["confidence"] < 1.0
    same = _ask(http, question, min_confidence=plain["confidence"])  # at the answer's own confidence: kept
    assert not same["abstained"] and same["answer"] == plain["answer"]
    strict = _ask(http, question, min_confidence=min(1.0, plain["confidence"] + 0.01))
    assert strict["abstained"] and strict["sentences"] == []
    assert strict["abstention"]["reason"] == "low_confidence"
    assert strict["abstention"]["explanation"] == ABSTENTION_REASONS["low_confidence"]
    assert f"{plain['confidence']:.2f}" in strict["answer"]  # says how sure it was
    assert strict["confidence"] == plain["confidence"] and strict["citations"]  # the closest passages stay


def test_an_abstention_is_not_turned_into_an_answer_by_a_low_minimum(http):
    got = _ask(http, "What is the recipe for Belgian waffles?", min_confidence=0.0)
    assert got["abstained"] and got["abstention"]["reason"] == "not_covered"


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high"])
def test_a_minimum_outside_0_1_is_a_422_that_names_the_field(http, bad):
    r = http.post("/v1/ask", json={"question": ADSE, "min_confidence": bad})
    assert r.status_code == 422 and "min_confidence" in json.dumps(r.json()["detail"])


def test_the_cli_takes_min_confidence_and_refuses_a_bad_one_in_one_line(real_settings, capsys):
    args = ["--corpus-dir", str(real_settings.corpus_dir), "--index-dir", str(real_settings.index_dir)]
    assert main([*args, "ask", ADSE, "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([*args, "ask", ADSE]) == 0
    assert f"(confidence {plain['confidence']:.2f})" in capsys.readouterr().out
    assert main([*args, "ask", ADSE, "--min-confidence", "1", "--json"]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert strict["abstained"] and strict["abstention"]["reason"] == "low_confidence"
    assert main([*args, "ask", ADSE, "--min-confidence", "2"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "min_confidence" in err


def test_the_openai_route_takes_min_confidence_as_an_extra_field(server):
    client = OpenAI(base_url=f"{server}/v1", api_key="unused", max_retries=0, timeout=60)
    plain = client.chat.completions.create(model="briefqa", messages=[{"role": "user", "content": ADSE}])
    extra = plain.model_extra["briefqa"]
    assert not extra["abstained"] and 0.0 < extra["confidence"] < 1.0
    strict = client.chat.completions.create(model="briefqa", messages=[{"role": "user", "content": ADSE}],
                                            extra_body={"min_confidence": 1.0})
    assert strict.model_extra["briefqa"]["abstention"]["reason"] == "low_confidence"


def test_mcp_ask_takes_min_confidence(real_settings):
    params = StdioServerParameters(command=sys.executable, args=["-m", "service", "mcp"], cwd=str(ROOT),
                                   env=_env(real_settings))

    async def run() -> None:
        async with Client(params) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert "min_confidence" in tools["ask"].input_schema["properties"]
            plain = (await client.call_tool("ask", {"question": ADSE})).structured_content
            assert not plain["abstained"] and 0.0 < plain["confidence"] < 1.0
            strict = (await client.call_tool("ask", {"question": ADSE, "min_confidence": 1.0})).structured_content
            assert strict["abstained"] and strict["abstention"]["reason"] == "low_confidence"
            bad = await client.call_tool("ask", {"question": ADSE, "min_confidence": 3})
            assert bad.is_error

    anyio.run(run)
