"""End-to-end, as a new user would: in headless Debian Chromium, drag a PDF made by the test onto the
Documents panel, watch its job reach `published`, ask a question only that PDF answers and see its
passage cited with its page; delete it (confirming) and see the same question abstain.

Screenshot: docs/screenshot-documents.png (the answer citing the uploaded PDF, with the panel)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.app.runtime import load_engine
from service.http.app import create_app
from tests.browser.test_page import _open, browser  # noqa: F401  (the Chromium fixture)
from tests.documents_api import ADMIN_KEY, UNIQUE_QUESTION, private_copy, write_report_pdf
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def server(real_settings, real_embedder, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("page-docs"), admin_key=SecretStr(ADMIN_KEY))
    app = create_app(settings)
    with thread_server(app) as url:
        yield url


def _drop(page, name: str, data: bytes) -> None:
    """Drag a file onto the drop zone, as a user's drag from the desktop delivers it (a DataTransfer)."""
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: "application/pdf" }));
        const zone = document.getElementById("drop-zone");
        for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
        }
    }""", [name, base64.b64encode(data).decode()])


def _ask(page, question: str) -> dict:
    """Ask on the page; returns the API's answer once the page has shown it."""
    page.fill("#question", question)
    # the page keeps the conversation: a question after the first goes, with the earlier ones, to
    # /v1/chat/completions, whose `briefqa` field is the /v1/ask answer
    with page.expect_response(lambda r: r.url.endswith(("/v1/ask", "/v1/chat/completions"))) as info:
        page.click("#ask-button")
    body = info.value.json()
    body = body.get("briefqa", body)
    page.wait_for_function("""([abstained]) => !document.getElementById('result').hidden &&
        document.getElementById('answer').classList.contains('abstained') === abstained &&
        document.getElementById('passages').children.length > 0""", arg=[body["abstained"]])
    return body


def test_drag_a_pdf_ask_it_then_delete_it(browser, server, tmp_path):  # noqa: F811
    pdf = tmp_path / "lighthouse-report.pdf"
    fact_page = write_report_pdf(pdf, 4)
    context, page, seen = _open(browser, server, 1200, 1000)
    page.fill("#admin-key", ADMIN_KEY)
    page.click("#admin-key-save")
    page.wait_for_selector("#doc-rows tr")
    _drop(page, pdf.name, pdf.read_bytes())
    page.wait_for_selector("#upload-progress:not([hidden])")
    page.wait_for_function("() => document.getElementById('job-state').textContent === 'published'", timeout=300_000)
    assert "published" in page.inner_text("#doc-status")
    row = page.locator("#doc-rows tr[data-doc-id='lighthouse-report.pdf']")
    row.first.wait_for(timeout=30_000)  # the list is fetched again after the job's state reads "published"
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "pdf" and int(cells[2]) >= fact_page and int(cells[3]) >= 1

    _ask(page, UNIQUE_QUESTION)
    assert "77 million euros" in page.inner_text("#answer")
    cited = page.locator("#passages li.cited", has_text="77 million euros")
    assert cited.count() >= 1
    assert f"page {fact_page}" in cited.first.locator(".where").inner_text()
    assert "Zorvathian Lighthouse Authority annual report" in cited.first.locator(".title").inner_text()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-documents.png"), full_page=True)

    page.once("dialog", lambda d: d.accept())
    row.locator("button.doc-delete").click()
    page.wait_for_function("() => document.getElementById('job-state').textContent === 'published' && "
                           "!document.querySelector(\"#doc-rows tr[data-doc-id='lighthouse-report.pdf']\")",
                           timeout=300_000)
    after = _ask(page, UNIQUE_QUESTION)
    assert after["abstained"] and all(c["doc_id"] != pdf.name for c in after["citations"])
    assert page.locator("#answer.abstained").count() == 1
    assert "77 million euros" not in page.inner_text("#passages")
    assert seen["errors"] == []
    context.close()
