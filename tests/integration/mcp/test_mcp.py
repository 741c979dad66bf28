"""The official `mcp` client drives both transports: stdio (`briefqa mcp` as a real subprocess) and
streamable HTTP (/mcp on a real `briefqa serve`), over the real index and model."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.live_server import ROOT, subprocess_server

pytestmark = pytest.mark.integration
ADSE = "what are the ADSE priority areas"
AREAS = ("undersea infrastructure", "geospatial awareness", "information environment", "maritime situational")
KEY = "mcp-test-key"


def _env(settings) -> dict[str, str]:
    return {"BRIEFQA_CORPUS_DIR": str(settings.corpus_dir), "BRIEFQA_INDEX_DIR": str(settings.index_dir),
            "BRIEFQA_ONNX_CACHE": os.environ["BRIEFQA_ONNX_CACHE"],  # the session's int8 export
            "TOKENIZERS_PARALLELISM": "false"}


async def _exercise(client: Client, engine) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ask", "search", "get_document", "get_passage"}
    for tool in tools.values():
        assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object"
        assert len(tool.description) > 80  # written for a model deciding whether to call it
    answer = await client.call_tool("ask", {"question": ADSE})
    assert not answer.is_error
    got = answer.structured_content
    assert not got["abstained"] and got["abstention"] is None
    assert all(area in got["answer"] for area in AREAS) and "[1]" in got["answer"]
    assert got["citations"] and got["index_version"] == engine.version
    for c in got["citations"]:
        text = engine.index.document(c["doc_id"]).text
        assert c["text"] == text[c["start"]:c["end"]] and c["section"] and "page" in c
    cited = got["citations"][0]
    passage = (await client.call_tool("get_passage", {k: cited[k] for k in ("doc_id", "start", "end")}))
    assert passage.structured_content["text"] == cited["text"]
    whole = (await client.call_tool("get_document", {"doc_id": cited["doc_id"]})).structured_content
    assert whole["text"][cited["start"]:cited["end"]] == cited["text"] and whole["sections"]
    found = (await client.call_tool("search", {"query": "air and missile defence", "top_k": 3, "mode": "bm25"}))
    assert len(found.structured_content["passages"]) == 3
    listing = await client.read_resource("briefqa://documents")
    docs = json.loads(listing.contents[0].text)["documents"]
    assert [d["doc_id"] for d in docs] == [d.doc_id for d in engine.index.document_list()]


async def _refusals(client: Client) -> None:
    nothing = await client.call_tool("ask", {"question": "what's a good recipe for Belgian waffles"})
    assert nothing.structured_content["abstained"] and nothing.structured_content["abstention"]["reason"]
    bad = await client.call_tool("get_passage", {"doc_id": "nato-pa-defence-ministers-2024-10.txt",
                                                 "start": 10, "end": 10 ** 9})
    assert bad.is_error and "start < end <=" in bad.content[0].text
    unknown = await client.call_tool("get_document", {"doc_id": "no-such.txt"})
    assert unknown.is_error and "no document 'no-such.txt'" in unknown.content[0].text


def test_stdio_transport_runs_briefqa_mcp_as_a_subprocess(real_settings, real_engine):
    params = StdioServerParameters(command=sys.executable, args=["-m", "service", "mcp"], cwd=str(ROOT),
                                   env=_env(real_settings))

    async def run() -> None:
        async with Client(params) as client:
            await _exercise(client, real_engine)
            await _refusals(client)

    anyio.run(run)


def test_stdio_follow_up_names_the_question_it_answered(real_settings, real_engine):
    params = StdioServerParameters(command=sys.executable, args=["-m", "service", "mcp"], cwd=str(ROOT),
                                   env=_env(real_settings))

    async def run() -> None:
        async with Client(params) as client:
            got = (await client.call_tool("ask", {"question": "What are its priority areas?",
                                                  "history": ["What is the ADSE?"]})).structured_content
            assert "What is the ADSE?" in got["question"] and "undersea infrastructure" in got["answer"]

    anyio.run(run)


def test_http_transport_on_briefqa_serve_needs_the_api_key(real_settings, real_engine, tmp_path: Path):
    env = {**_env(real_settings), "BRIEFQA_API_KEY": KEY}
    with subprocess_server(env, tmp_path / "server.log") as (base, _):
        async def run() -> None:
            async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as http:
                async with Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
                    await _exercise(client, real_engine)

        anyio.run(run)
        assert httpx2.post(f"{base}/mcp", json={}, headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert httpx2.post(f"{base}/mcp", json={}).status_code == 401

        async def refused() -> None:
            async with httpx2.AsyncClient(headers={"X-API-Key": "wrong"}, timeout=30) as http:
                async with Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
                    await client.list_tools()

        with pytest.raises(BaseException) as caught:  # the official client cannot even list the tools
            anyio.run(refused)
        assert "error response" in repr(caught.value)
