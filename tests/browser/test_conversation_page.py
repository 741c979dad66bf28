"""The page keeps the conversation: a follow-up is answered in the context of the earlier question and
says which question it answered; "New conversation" forgets the earlier questions. Headless Chromium
against a real uvicorn server with the real model and index."""

from __future__ import annotations

import pytest

from tests.browser.test_page import _open, _wait_for_context, browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.integration


def _ask_and_wait(page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_function("q => document.getElementById('status').textContent === '' && "
                           "!document.getElementById('ask-button').disabled", arg=question)
    _wait_for_context(page)


def test_a_follow_up_on_the_page_uses_the_earlier_question(browser, server):  # noqa: F811
    context, page, seen = _open(browser, server, 1000, 900)
    _ask_and_wait(page, "What is NSATU?")
    assert page.locator("#answered").is_hidden()
    assert page.inner_text("#earlier") == "What is NSATU?"
    _ask_and_wait(page, "When will it be fully operational?")
    assert "fully operational in the coming months" in page.inner_text("#answer")
    assert page.inner_text("#answered") == ("Answered as: When will it be fully operational? "
                                            "(follow-up to: What is NSATU?)")
    assert any(u.endswith("/v1/chat/completions") for u in seen["requests"])
    page.click("#new-conversation")
    assert page.locator("#conversation").is_hidden() and page.locator("#answered").is_hidden()
    _ask_and_wait(page, "what are the ADSE priority areas")
    assert page.locator("#answered").is_hidden() and "undersea infrastructure" in page.inner_text("#answer")
    assert seen["errors"] == []
    context.close()
