"""POST /v1/ask and POST /v1/search."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from service.http.answer_cache import CACHE_HEADER, AnswerCache
from service.http.deps import POST_RESPONSES, EngineDep
from service.http.observability import metrics_of
from service.http.schemas import AskRequest, AskResponse, SearchRequest, SearchResponse, ask_response, llm_response, passages
from service.pipeline.llm import ask_llm

router = APIRouter(tags=["questions"])


def json_response(model: BaseModel) -> Response:
    """The model as JSON, serialised once by pydantic-core in the worker thread. A Response is returned
    as it is, so FastAPI does not validate and encode the response model a second time; the schema
    still comes from `response_model`."""
    return Response(model.model_dump_json().encode(), media_type="application/json")


@router.post("/v1/ask", response_model=AskResponse, responses=POST_RESPONSES)
def ask(body: AskRequest, engine: EngineDep, request: Request) -> Response:
    """Answer a question; each answer sentence ends with the [n] of the passages it comes from."""
    if body.answerer == "llm":  # falls back to the extractive answer, with a note, whatever goes wrong
        result = ask_llm(engine, request.app.state.llm, body.question, body.top_k, body.mode, request.app.state.grounding,
                         body.min_confidence)
        metrics_of(request).observe_steps(result.answer.timings_ms)
        return json_response(llm_response(result, engine.index))
    def fresh() -> bytes:
        answer = engine.ask(body.question, body.top_k, body.mode, min_confidence=body.min_confidence)
        metrics_of(request).observe_steps(answer.timings_ms)
        return ask_response(answer, engine.index).model_dump_json().encode()

    cache: AnswerCache[bytes] = request.app.state.answers
    key = (body.question, body.top_k, body.mode, body.answerer, body.min_confidence)
    data, state = cache.through(engine.version, key, fresh)
    return Response(data, media_type="application/json", headers={CACHE_HEADER: state})


@router.post("/v1/search", response_model=SearchResponse, responses=POST_RESPONSES)
def search(body: SearchRequest, engine: EngineDep) -> Response:
    """The passages that best match a query, best first."""
    hits, _ = engine.search(body.query, body.top_k, body.mode)
    return json_response(SearchResponse(query=body.query, results=passages(hits, engine.index), index_version=engine.version))
