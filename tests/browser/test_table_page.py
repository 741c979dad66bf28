"""End-to-end: a table row cited on the question page, in headless Debian Chromium (Playwright),
against a real uvicorn server serving the real packaged model and a real index of the table corpus
(tests/data/corpora/tables) built with the shipped defaults in a temporary folder.

Screenshot: tests/browser/artifacts/table-row.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from service.http.app import create_app
from tests.browser.test_page import ARTIFACTS, _ask, _open, browser  # noqa: F401 (browser is a fixture)
from tests.conftest import default_build
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
TABLES = Path(__file__).resolve().parents[1] / "data" / "corpora" / "tables"
QUESTION = "What share of GDP did Germany spend on defence in 2023?"
ROW = "Ally: Germany; Share of GDP 2014 (%): 1.19; Share of GDP 2023, estimate (%): 1.57"


@pytest.fixture(scope="module")
def table_server(tmp_path_factory, real_embedder):
    base = tmp_path_factory.mktemp("tables")
    shutil.copytree(TABLES, base / "corpus")
    settings = default_build(base / "corpus", base / "index", real_embedder)
    with thread_server(create_app(settings), ready=False) as url:
        yield url


def test_a_cited_row_is_shown_as_a_table_row_under_its_headers(browser, table_server):  # noqa: F811
    body = httpx.post(table_server + "/v1/ask", json={"question": QUESTION}, timeout=60).json()
    assert body["sentences"][0]["text"] == ROW
    n = body["sentences"][0]["citations"][0]
    cited = next(c for c in body["citations"] if c["n"] == n)
    doc = httpx.get(f"{table_server}/v1/documents/{cited['doc_id']}", timeout=30).json()
    assert doc["text"][cited["start"]:cited["end"]] == cited["text"]  # the citation contract holds
    assert cited["table"] == {"headers": ["Ally", "Share of GDP 2014 (%)", "Share of GDP 2023, estimate (%)"],
                              "rows": [["Germany", "1.19", "1.57"]]}

    context, page, seen = _open(browser, table_server, 1000, 900)
    _ask(page, QUESTION)
    table = page.locator(f"#passage-{n} table.cited-rows")
    table.wait_for()
    assert table.locator("thead th").all_inner_texts() == cited["table"]["headers"]
    assert table.locator("tbody tr").count() == 1
    assert table.locator("tbody tr td").all_inner_texts() == ["Germany", "1.19", "1.57"]
    header_box, row_box = table.locator("thead tr").bounding_box(), table.locator("tbody tr").bounding_box()
    assert header_box["y"] + header_box["height"] <= row_box["y"] + 1  # the header sits above the row
    assert ROW in page.inner_text("#answer")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "table-row.png"), full_page=True)
    assert not seen["errors"]
    assert all(url.startswith(table_server) for url in seen["requests"])
    context.close()
