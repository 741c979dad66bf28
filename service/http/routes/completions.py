"""OpenAI-compatible routes: GET /v1/models and POST /v1/chat/completions (JSON, or `stream: true` as
server-sent chunks ending `data: [DONE]`), so any OpenAI client (Open WebUI, LibreChat, the `openai`
package) can ask briefqa. Errors on these routes come in OpenAI's shape, with the right status."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from service.core.errors import BriefqaError
from service.http.answer_cache import CACHE_HEADER, AnswerCache
from service.http.deps import GET_RESPONSES, POST_RESPONSES, EngineDep
from service.http.errors import AsciiJSONResponse
from service.http.observability import metrics_of
from service.http.openai_shapes import (EXTRACTIVE_MODEL, LLM_MODEL, OPENAI_PATHS, ChatCompletion, ChatRequest,
                                        Choice, AssistantMessage, ModelCard, ModelList, OpenAIErrorOut, error_body,
                                        message_text)
from service.http.schemas import AskResponse, ask_response, llm_response
from service.pipeline import Engine
from service.pipeline.conversation import ask_in_context, resolve
from service.pipeline.llm import ask_llm

router = APIRouter(tags=["openai"])
SSE = "text/event-stream"
MAX_HISTORY = 20  # earlier user turns considered for a follow-up
STARTED = int(time.time())


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


def _error(description: str) -> dict:
    return {"model": OpenAIErrorOut, "description": description}


CHAT_RESPONSES = {**POST_RESPONSES, 400: _error("Invalid request: a bad field, or no user message with text."),
                  404: _error("Unknown model (code `model_not_found`).")}


def _models(request: Request) -> list[str]:
    return [EXTRACTIVE_MODEL] + ([LLM_MODEL] if getattr(request.app.state, "llm", None) is not None else [])


@router.get("/v1/models", response_model=ModelList, responses=GET_RESPONSES)
def models(request: Request) -> ModelList:
    """The models POST /v1/chat/completions accepts: `briefqa` (extractive), `briefqa-llm` with an LLM."""
    return ModelList(data=[ModelCard(id=m, created=STARTED) for m in _models(request)])


def _conversation(body: ChatRequest) -> tuple[str, list[str]]:
    """The question (the last user message with text) and the user turns before it."""
    users = [m.text for m in body.messages if m.role == "user" and m.text]
    if not users:
        raise OpenAIError(400, "messages holds no user message with text: the last one is the question", "messages")
    return users[-1], users[:-1][-MAX_HISTORY:]


def _answer(body: ChatRequest, engine: Engine, request: Request) -> tuple[AskResponse, str, str]:
    """The /v1/ask response for the conversation's question, the question as typed, and whether the
    answer cache had it (`hit`, `miss`; `off` for the LLM, whose answers are not kept)."""
    if body.model not in _models(request):
        hint = "" if body.model != LLM_MODEL else " (no LLM is configured on this server: BRIEFQA_LLM_URL)"
        raise OpenAIError(404, f"the model {body.model!r} does not exist{hint}; GET /v1/models lists the models",
                          "model", "model_not_found")
    question, history = _conversation(body)
    if body.model == LLM_MODEL:
        resolved = resolve(question, history)
        result = ask_llm(engine, request.app.state.llm, resolved.query, body.top_k, body.mode,
                         request.app.state.grounding, body.min_confidence)
        result = replace(result, answer=replace(result.answer, question=resolved.shown))
        metrics_of(request).observe_steps(result.answer.timings_ms)
        return llm_response(result, engine.index), question, "off"

    def fresh() -> AskResponse:
        answer = ask_in_context(engine, question, body.top_k, body.mode, history, body.min_confidence)
        metrics_of(request).observe_steps(answer.timings_ms)
        return ask_response(answer, engine.index)

    cache: AnswerCache[AskResponse] = request.app.state.answers
    key = ("chat", question, tuple(history), body.top_k, body.mode, body.min_confidence)
    out, state = cache.through(engine.version, key, fresh)
    return out, question, state


def _sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=True)}\n\n"


def _chunks(head: dict, text: str, out: AskResponse) -> list[str]:
    """Role first, the message a paragraph at a time, then finish_reason and the structured answer."""
    first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
    events = [_sse({**head, "choices": [first]})]
    events += [_sse({**head, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
               for piece in re.split(r"(?<=\n\n)", text)]
    events.append(_sse({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "briefqa": out.model_dump()}))
    return events + ["data: [DONE]\n\n"]


async def _send(events: list[str]) -> AsyncIterator[str]:
    """The answer is complete (and checked) before the first chunk: sent from the event loop, no thread hops."""
    for e in events:
        yield e


@router.post("/v1/chat/completions", response_model=ChatCompletion,
             responses={**CHAT_RESPONSES, 200: {"description": "The completion; with `stream: true`, server-sent "
                                                "chunks ending `data: [DONE]`.",
                                                "content": {SSE: {"schema": {"type": "string"}}}}})
def chat_completions(body: ChatRequest, engine: EngineDep, request: Request,
                     response: Response) -> ChatCompletion | StreamingResponse:
    """OpenAI's chat completion: the assistant message is the cited answer with its [n] markers and a
    sources list; `briefqa` holds the structured answer (citations with exact offsets)."""
    out, asked, cached = _answer(body, engine, request)
    response.headers[CACHE_HEADER] = cached
    head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
    text = message_text(out, asked)
    if body.stream:
        return StreamingResponse(_send(_chunks({**head, "object": "chat.completion.chunk"}, text, out)), media_type=SSE,
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no", CACHE_HEADER: cached})
    return ChatCompletion(**head, choices=[Choice(message=AssistantMessage(content=text))], briefqa=out)


def _param(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or None


def install_openai(app: FastAPI) -> None:
    """The routes, and OpenAI's error shape for their errors (other routes keep `{"detail"}`)."""
    app.include_router(router)
    on_invalid = app.exception_handlers[RequestValidationError]
    on_briefqa = app.exception_handlers[BriefqaError]

    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path not in OPENAI_PATHS:
            return await on_invalid(request, exc)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        param = _param(tuple(first.get("loc", ())))
        message = f"{param}: {first['msg']}" if param else str(first["msg"])
        return AsciiJSONResponse(status_code=400, content=error_body(400, message, param))

    async def briefqa_error(request: Request, exc: BriefqaError) -> JSONResponse:
        response = await on_briefqa(request, exc)
        if request.url.path not in OPENAI_PATHS:
            return response
        return JSONResponse(status_code=response.status_code, content=error_body(response.status_code, str(exc)))

    async def openai_error(request: Request, exc: OpenAIError) -> JSONResponse:
        return AsciiJSONResponse(status_code=exc.status, content=error_body(exc.status, exc.message, exc.param, exc.code))

    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(BriefqaError, briefqa_error)  # type: ignore[arg-type]
    app.add_exception_handler(OpenAIError, openai_error)  # type: ignore[arg-type]
