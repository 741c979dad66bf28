"""End-to-end: the question page in headless Debian Chromium (Playwright), against a real uvicorn server
serving the real packaged model and a real index built in a temporary folder.

Screenshots: tests/browser/artifacts/adse.png (desktop) and adse-phone.png (390 px wide).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest

from service.core.records import ABSTENTION_REASONS
from service.http.app import create_app
from service.app.runtime import load_engine
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
CHROMIUM = os.environ.get("BRIEFQA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ADSE = "what are the ADSE priority areas"
ADSE_AREAS = ("securing critical undersea infrastructure", "enhancing geospatial awareness",
              "improving information environment assessment", "strengthening maritime situational awareness")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _open(browser, server: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(server + "/")
    return context, page, seen


def _ask(page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_selector("#result:not([hidden])")


def _wait_for_context(page) -> None:
    """Wait until every passage shows its surrounding document text, not just the passage itself."""
    page.wait_for_function("""() => {
        const quotes = [...document.querySelectorAll('#passages blockquote')];
        return quotes.length > 0 && quotes.every(q => q.textContent.length > q.querySelector('mark').textContent.length);
    }""")


def _check_adse(page, server: str, seen: dict) -> None:
    answer = page.inner_text("#answer")
    for area in ADSE_AREAS:
        assert area in answer
    assert page.get_attribute("#answer a.cite >> nth=0", "href") == "#passage-1"
    first = page.locator("#passage-1")
    mark = first.locator("mark").inner_text()
    assert "The ADSE will focus on four priority areas" in mark
    quoted = first.locator("mark strong.quoted").inner_text()  # the answer sentence inside the passage
    assert quoted.startswith("The ADSE will focus on four priority areas") and all(x in quoted for x in ADSE_AREAS)
    assert "V. ADDITIONAL NOTES > Creation of an initiative to foster secure data sharing" in first.inner_text()
    # the highlighted span is exactly the cited offsets of the document, as the API gives them
    body = httpx.post(server + "/v1/ask", json={"question": ADSE}).json()
    citation = body["citations"][0]
    text = httpx.get(f"{server}/v1/documents/{citation['doc_id']}").json()["text"]
    marked = page.evaluate("() => document.querySelector('#passage-1 mark').textContent")
    assert marked == text[citation["start"]:citation["end"]].replace("**", "")  # the document's **bold** shown as bold
    quote = page.evaluate("() => document.querySelector('#passage-1 blockquote').textContent")
    before, after = text[citation["start"] - 100:citation["start"]], text[citation["end"]:citation["end"] + 100]
    assert before.replace("**", "") in quote and after.replace("**", "") in quote  # bold shown, markers not
    assert not page.locator(".warning").count()
    assert seen["errors"] == []
    assert all(u.startswith(server) for u in seen["requests"]), seen["requests"]
    documents = [u for u in seen["requests"] if "/v1/documents/" in u]
    assert len(documents) == len(set(documents)), "each document is fetched once"


def test_adse_answer_with_highlighted_passage_desktop(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, seen = _open(browser, server, 1200, 900)
    _ask(page, ADSE)
    _wait_for_context(page)
    _check_adse(page, server, seen)
    page.screenshot(path=str(ARTIFACTS / "adse.png"), full_page=True)
    page.click("#answer a.cite >> nth=0")
    assert page.evaluate("() => location.hash") == "#passage-1"
    context.close()


def test_adse_answer_fits_a_phone_screen(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, seen = _open(browser, server, 390, 844)
    _ask(page, ADSE)
    _wait_for_context(page)
    _check_adse(page, server, seen)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "adse-phone.png"), full_page=True)
    context.close()


def test_abstention_is_shown_plainly(browser, server):
    context, page, seen = _open(browser, server, 1000, 800)
    page.select_option("#mode", "dense")
    page.fill("#top-k", "3")
    _ask(page, "what's a good recipe for Belgian waffles")
    _wait_for_context(page)
    assert "do not cover this question" in page.inner_text("#answer")
    assert page.locator("#answer.abstained").count() == 1 and page.locator("#answer a.cite").count() == 0
    assert "none answers the question" in page.inner_text("#passages-heading")
    assert page.locator("#passages li").count() == 3
    assert seen["errors"] == []
    context.close()


def test_bad_input_shows_the_api_detail(browser, server):
    context, page, _ = _open(browser, server, 1000, 800)
    page.fill("#top-k", "50")
    page.evaluate("() => document.querySelector('#top-k').removeAttribute('max')")
    _ask_without_result(page, ADSE)
    assert "422" in page.inner_text("#status") and "top_k" in page.inner_text("#status")
    context.close()


def _ask_without_result(page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Error')")


@pytest.fixture(scope="module")
def keyed_server(real_settings, real_embedder):
    from service.app.settings import Settings

    keyed = Settings(**{**real_settings.model_dump(), "api_key": "page-test-key"})
    with thread_server(create_app(keyed), ready=False) as url:
        yield url


def test_api_key_is_asked_for_after_a_401_and_kept_for_the_tab(browser, keyed_server):
    context, page, seen = _open(browser, keyed_server, 1000, 800)
    assert page.locator("#key-box").is_hidden()
    page.fill("#question", ADSE)
    page.click("#ask-button")
    page.wait_for_selector("#key-box:not([hidden])")
    assert "needs an API key" in page.inner_text("#status") and page.locator("#result").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-key.png"))
    page.fill("#api-key", "page-test-key")
    page.click("#key-save")
    assert page.evaluate("() => sessionStorage.getItem('briefqa.apiKey')") == "page-test-key"
    _ask(page, ADSE)
    _wait_for_context(page)  # the document fetch carries the key too
    assert "securing critical undersea infrastructure" in page.inner_text("#answer")
    assert page.locator(".hint:has-text('unavailable')").count() == 0
    context.close()


def test_api_docs_render_offline_with_examples(browser, server):
    context, page, seen = _open(browser, server, 1200, 900)
    page.goto(server + "/docs")
    ask = page.locator("#operations-questions-ask_v1_ask_post .opblock-summary")
    ask.click()
    page.locator(".opblock-body").get_by_text("what are the ADSE priority areas").first.wait_for()  # the example
    page.screenshot(path=str(ARTIFACTS / "docs.png"))
    assert all(u.startswith(server) for u in seen["requests"]), seen["requests"]
    assert seen["errors"] == []
    context.close()


def test_every_answer_sentence_is_emphasised_inside_a_cited_passage(browser, server):
    """Answer sentences are cleaned copies (no `**`); the page still finds each one in the passage it cites."""
    context, page, seen = _open(browser, server, 1000, 800)
    _ask(page, "how much did Allies pledge to Ukraine")
    _wait_for_context(page)
    body = httpx.post(server + "/v1/ask", json={"question": "how much did Allies pledge to Ukraine"}).json()
    sentences = [s.strip() for s in re.findall(r"(.+?)\s(?:\[\d+\])+(?=\s|$)", body["answer"])]
    assert sentences and not body["abstained"]
    quoted = [q.replace("**", "") for q in page.locator("#passages strong.quoted").all_inner_texts()]
    for sentence in sentences:
        assert any(" ".join(sentence.split()) == " ".join(q.split()) for q in quoted), sentence
    assert seen["errors"] == []
    context.close()


def test_abstention_reason_short_answer_list_and_document_bold_are_shown(browser, server):
    context, page, seen = _open(browser, server, 1100, 900)
    try:
        _ask(page, "How many Patriot missiles did France order?")
        page.wait_for_selector("#answer.abstained .reason")
        reason = page.inner_text("#answer .reason")  # the explanation the server sends, then what is missing
        assert ABSTENTION_REASONS["missing_terms"] in reason and reason.endswith(": France."), reason
        page.click("#new-conversation")  # each question stands alone: no earlier turn carried into it
        _ask(page, "When is the next meeting of NATO defence ministers expected?")
        page.wait_for_selector("#short:not([hidden]) mark.short")
        assert page.inner_text("#short mark.short") == "February 2025"
        assert page.inner_text("#answer mark.short") == "February 2025"
        page.click("#new-conversation")
        _ask(page, "what was on the agenda of the meetings?")
        page.wait_for_selector("#answer ul.items li")
        items = page.locator("#answer ul.items > li").all_inner_texts()
        assert any(i.startswith("Allied deterrence and defence") for i in items), items
        assert all(re.search(r"\[\d+\]", i) for i in items)
        _wait_for_context(page)
        bold = page.locator("#passages strong.emphasis").all_inner_texts()
        assert bold and not any("**" in t for t in page.locator("#passages blockquote").all_inner_texts())
        assert not seen["errors"], seen["errors"]
    finally:
        context.close()
