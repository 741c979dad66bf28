"""LLM answers over HTTP: POST /v1/ask/stream (server-sent events) and GET /v1/answerers.

Events of the stream, in order: `passages` (the numbered passages the prompt holds), `token` (pieces of
the model's draft as it writes, markers outside 1..k removed; none when the LLM is not asked), then one
`answer` (the checked answer, the same shape as POST /v1/ask). A failure after the stream has started
is an `error` event with a `detail`, never a broken stream.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from service.http.deps import GET_RESPONSES, POST_RESPONSES, EngineDep
from service.answering.grounding import GroundingSettings
from service.pipeline.llm import extractive, failed, finish, prepare, stream_draft
from service.models.chat import ChatModel, LlmConfig, LlmError, OpenAIChat
from service.pipeline import Engine
from service.http.schemas import AskRequest, llm_response, passages
from service.app.settings import Settings

log = logging.getLogger("briefqa")
router = APIRouter()
SSE = "text/event-stream"


class Answerers(BaseModel):
    answerers: list[str] = Field(description="Values `answerer` accepts here; `llm` only when an LLM is configured.")
    llm_model: str | None = Field(None, description="The configured LLM's model name.")


def chat_model(settings: Settings) -> ChatModel | None:
    if not settings.llm_url:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAIChat(LlmConfig(settings.llm_url, settings.llm_model, key, settings.llm_timeout_s,
                                settings.llm_max_tokens, settings.llm_temperature))


def install_llm(app: FastAPI, settings: Settings) -> None:
    """The LLM client (None when BRIEFQA_LLM_URL is unset), the grounding settings and the routes."""
    app.state.llm = chat_model(settings)
    app.state.grounding = GroundingSettings(threshold=settings.grounding_threshold)
    app.include_router(router)


def llm_of(request: Request) -> ChatModel | None:
    return getattr(request.app.state, "llm", None)


def grounding_of(request: Request) -> GroundingSettings:
    return getattr(request.app.state, "grounding", GroundingSettings())


LlmDep = Annotated[ChatModel | None, Depends(llm_of)]
GroundingDep = Annotated[GroundingSettings, Depends(grounding_of)]


def event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=True)}\n\n"


def _events(engine: Engine, model: ChatModel | None, body: AskRequest, grounding: GroundingSettings) -> Iterator[str]:
    try:
        prepared = prepare(engine, model if body.answerer == "llm" else None, body.question, body.top_k, body.mode,
                           body.min_confidence)
        cited = [p.model_dump() for p in passages(prepared.extractive.hits, engine.index)]
        yield event("passages", {"question": body.question, "citations": cited, "index_version": engine.version})
        if model is None or prepared.prompt is None:
            note = prepared.note if body.answerer == "llm" else None
            result = extractive(prepared, note)
        else:
            raw: list[str] = []
            t = time.perf_counter()
            try:
                for piece in stream_draft(model, prepared, raw.append):
                    yield event("token", {"text": piece})
                result = finish(engine, prepared, "".join(raw), grounding, (time.perf_counter() - t) * 1000)
            except LlmError as exc:
                result = failed(prepared, exc)
        yield event("answer", llm_response(result, engine.index).model_dump())
    except Exception as exc:  # the stream has started: report, do not break it
        log.exception("ask/stream failed")
        yield event("error", {"detail": f"the answer could not be completed: {type(exc).__name__}"})


EVENT_SCHEMA = {  # each server-sent event; `data` is JSON text
    "type": "object", "required": ["event", "data"],
    "properties": {"event": {"type": "string", "enum": ["passages", "token", "answer", "error"]},
                   "data": {"type": "string", "description": "passages: {question, citations, index_version}; "
                            "token: {text}; answer: the /v1/ask response; error: {detail}"}},
}


@router.post("/v1/ask/stream", tags=["questions"], response_class=StreamingResponse,
             responses={**POST_RESPONSES, 200: {"description": "Server-sent events: passages, token..., answer "
                                                "(or error).", "content": {SSE: {"schema": EVENT_SCHEMA}}}})
def ask_stream(body: AskRequest, engine: EngineDep, model: LlmDep, grounding: GroundingDep) -> StreamingResponse:
    """Like POST /v1/ask, as server-sent events: `passages`, then `token`s of the LLM's draft, then the
    checked `answer` (same shape as /v1/ask). With `answerer: extractive` there are no tokens."""
    return StreamingResponse(_events(engine, model, body, grounding), media_type=SSE,
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/v1/answerers", response_model=Answerers, tags=["questions"], responses=GET_RESPONSES)
def answerers(model: LlmDep) -> Answerers:
    """Which answerers this server offers (the page shows the LLM choice only when there is one)."""
    if model is None:
        return Answerers(answerers=["extractive"])
    return Answerers(answerers=["extractive", "llm"], llm_model=getattr(getattr(model, "config", None), "model", None))
