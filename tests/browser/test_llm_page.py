"""The page with the LLM answerer, in headless Debian Chromium, against a real uvicorn server whose LLM is
a real llama.cpp server (SmolLM2-135M): the draft streams in token by token, then the checked answer
replaces it. Screenshot: tests/browser/artifacts/llm-stream.png."""

from __future__ import annotations

import re

import pytest

from service.http.app import create_app
from service.app.runtime import load_engine
from tests.live_server import thread_server
from tests.browser.test_page import ARTIFACTS, browser  # noqa: F401  (the module-scoped Chromium fixture)
from tests.llm_server import llama_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration
ADSE = "what are the ADSE priority areas"

WATCH_DRAFT = """() => {
    window.draftUpdates = 0;
    window.draftLongest = "";
    const draft = document.querySelector('#draft');
    new MutationObserver(() => {
        window.draftUpdates += 1;
        if (draft.textContent.length > window.draftLongest.length) window.draftLongest = draft.textContent;
    }).observe(draft, {childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture(scope="module")
def llm_server(real_settings, real_embedder, llama_url):
    settings = real_settings.model_copy(update={"llm_url": llama_url, "llm_max_tokens": 96, "llm_timeout_s": 120.0})
    with thread_server(create_app(settings), ready=False) as url:
        yield url


def test_llm_answer_streams_into_the_page_then_shows_the_checked_answer(browser, llm_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(llm_server + "/")
    page.wait_for_selector("#answerer-box:not([hidden])")
    page.select_option("#answerer", "llm")
    page.evaluate(WATCH_DRAFT)
    page.fill("#question", ADSE)
    page.click("#ask-button")
    page.wait_for_selector("#result:not([hidden])")
    page.wait_for_function("() => document.querySelector('#draft').hidden && "
                           "document.querySelector('#answer').textContent.length > 0", timeout=120_000)
    assert page.evaluate("() => window.draftUpdates") >= 3, "the draft did not arrive token by token"
    assert len(page.evaluate("() => window.draftLongest")) > 20
    assert f"{llm_server}/v1/ask/stream" in requests and f"{llm_server}/v1/ask" not in requests
    answer = page.inner_text("#answer")
    meta = page.inner_text("#meta")
    passages = page.locator("#passages li").count()
    assert passages >= 1
    assert all(1 <= int(n) <= 5 for n in re.findall(r"\[(\d+)\]", answer))
    if meta.startswith("LLM answer"):
        assert page.locator("#answer a.cite").count() >= 1 and page.locator("#note").is_hidden()
    else:  # nothing the model wrote was supported: the extractive answer, and the page says why
        assert meta.startswith("extractive answer") and "Note:" in page.inner_text("#note")
        assert "four priority areas" in answer
    dropped = page.locator("#dropped li").count()
    if dropped:
        assert "dropped by the grounding check" in page.inner_text("#dropped-summary")
        assert page.locator("#dropped li s").count() == dropped
    ARTIFACTS.mkdir(exist_ok=True)
    page.click("#dropped-summary") if dropped else None
    page.screenshot(path=str(ARTIFACTS / "llm-stream.png"), full_page=True)
    assert errors == []
    context.close()


def test_without_an_llm_the_page_offers_no_answerer_choice(browser, server):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#answerer-box").is_hidden()
    context.close()
