"""HTTP API: create_app(settings); the engine is loaded in lifespan, routes stay thin."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service import __version__
from service.errors import BriefqaError, NotFound, StoreUnavailable
from service.llm_answering import ask_llm
from service.logs import INDEX_VERSION_HEADER, REQUEST_ID_HEADER, RequestLog, configure_logging
from service.middleware import BODY_RESPONSES, GUARD_RESPONSES, NOT_READY, ErrorOut, RequestGuard
from service.observability import install_metrics, metrics_of
from service.pipeline import Engine
from service.runtime import open_store
from service.reload import EngineSlot, ReloadOut, Reloader, ReloadRefused, SharedEmbedderLoader, install_sighup
from service.schemas import (AskRequest, AskResponse, DocumentList, DocumentOut, SearchRequest,
                             SearchResponse, ask_response, document_out, document_summary, llm_response, passages)
from service.security import AccessPolicy
from service.settings import Settings
from service.web import install_web

__all__ = ["EngineSlot", "create_app", "get_engine"]


class NotReady(BriefqaError):
    """No engine is serving yet."""


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: a 422 echoes the input, which may hold lone surrogates."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class Health(BaseModel):
    status: str
    index_version: str | None = None
    detail: str | None = None


def _slot(request: Request) -> EngineSlot:
    return request.app.state.slot


def get_engine(request: Request, slot: Annotated[EngineSlot, Depends(_slot)]) -> Engine:
    """The engine for this whole request: read once, so a reload mid-request does not affect it."""
    engine = slot.engine
    if engine is None:
        raise NotReady(f"not ready: {slot.error}")
    request.state.index_version = engine.version
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
POST_RESPONSES = {**GUARD_RESPONSES, **BODY_RESPONSES, **NOT_READY}
GET_RESPONSES = {**GUARD_RESPONSES, **NOT_READY}
STATUS = {NotFound: 404, ReloadRefused: 409}


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Innermost first: guard (keys, limits), CORS (when configured), request log (outermost)."""
    app.add_middleware(RequestGuard, policy=AccessPolicy.from_keys(settings.api_key, settings.admin_key),
                       max_body_bytes=settings.max_body_bytes)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type", REQUEST_ID_HEADER],
                           expose_headers=[REQUEST_ID_HEADER, INDEX_VERSION_HEADER])
    app.add_middleware(RequestLog)


router = APIRouter()


@router.post("/v1/ask", response_model=AskResponse, tags=["questions"], responses=POST_RESPONSES)
def ask(body: AskRequest, engine: EngineDep, request: Request) -> AskResponse:
    """Answer a question; each answer sentence ends with the [n] of the passages it comes from."""
    if body.answerer == "llm":  # falls back to the extractive answer, with a note, whatever goes wrong
        result = ask_llm(engine, request.app.state.llm, body.question, body.top_k, body.mode, request.app.state.grounding)
        metrics_of(request).observe_steps(result.answer.timings_ms)
        return llm_response(result, engine.index)
    answer = engine.ask(body.question, body.top_k, body.mode)
    metrics_of(request).observe_steps(answer.timings_ms)
    return ask_response(answer, engine.index)


@router.post("/v1/search", response_model=SearchResponse, tags=["questions"], responses=POST_RESPONSES)
def search(body: SearchRequest, engine: EngineDep) -> SearchResponse:
    """The passages that best match a query, best first."""
    hits, _ = engine.search(body.query, body.top_k, body.mode)
    return SearchResponse(query=body.query, results=passages(hits, engine.index), index_version=engine.version)


@router.get("/v1/documents", response_model=DocumentList, tags=["documents"], responses=GET_RESPONSES)
def documents(engine: EngineDep) -> DocumentList:
    docs = [document_summary(d) for d in engine.index.document_list()]
    return DocumentList(documents=docs, index_version=engine.version)


@router.get("/v1/documents/{doc_id:path}", response_model=DocumentOut, tags=["documents"],
            responses={**GET_RESPONSES, 404: {"model": ErrorOut, "description": "No such document."}})
def document(doc_id: str, engine: EngineDep) -> DocumentOut:
    """One document with its full text; the X-Index-Version header names the build it came from."""
    doc = engine.index.document(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r}; GET /v1/documents lists them")
    return document_out(doc)


@router.post("/v1/admin/reload", response_model=ReloadOut, tags=["operations"],
             responses={**GUARD_RESPONSES, 409: {"model": ErrorOut, "description": "Build refused; old one kept."}})
def reload(request: Request) -> ReloadOut:
    """Serve the build index/CURRENT points at; needs BRIEFQA_ADMIN_KEY. Also done on SIGHUP."""
    out = request.app.state.reloader.reload()
    request.state.index_version = out.index_version
    return out


@router.get("/livez", response_model=Health, response_model_exclude_none=True, tags=["operations"])
def livez() -> Health:
    return Health(status="alive")


@router.get("/readyz", response_model=Health, tags=["operations"], responses={503: {"model": Health}})
def readyz(slot: Annotated[EngineSlot, Depends(_slot)]) -> JSONResponse:
    engine = slot.engine
    if engine is None:
        return JSONResponse(status_code=503, content={"status": "not ready", "detail": slot.error})
    try:
        engine.index.check()  # the PostgreSQL store: is the database answering now?
    except StoreUnavailable as exc:
        return JSONResponse(status_code=503, content={"status": "not ready", "index_version": engine.version,
                                                      "detail": str(exc)})
    return JSONResponse({"status": "ready", "index_version": engine.version})


async def briefqa_error(request: Request, exc: BriefqaError) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 503)
    return JSONResponse(status_code=status, content={"detail": str(exc)})


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, rendered ASCII-safe: the errors echo the input, which may hold lone surrogates."""
    return AsciiJSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the current build (or keep the reason it cannot be served); reload on SIGHUP."""
    reloader = app.state.reloader
    reloader.start()
    undo = install_sighup(reloader)
    if app.state.poll_s:
        reloader.watch(app.state.poll_s)
    yield
    reloader.stop()
    undo()


def create_app(settings: Settings, loader: Callable[[Settings], Engine] | None = None) -> FastAPI:
    configure_logging()
    app = FastAPI(title="briefqa", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Ask policy documents questions; every answer sentence cites exact passages.")
    app.state.slot = EngineSlot()
    store = open_store(settings)
    load = loader or SharedEmbedderLoader()
    if isinstance(load, SharedEmbedderLoader) and load.store is None:
        load.store = store  # one store (one connection pool) for the process, across reloads
    app.state.reloader = Reloader(app.state.slot, store.current_version, lambda: load(settings))
    app.state.poll_s = settings.reload_poll_s if settings.store else 0.0  # replicas follow the database's pointer
    _install_middleware(app, settings)
    app.add_exception_handler(BriefqaError, briefqa_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.include_router(router)
    from service.streaming import install_llm  # imports this module's dependencies: imported here, not above
    install_llm(app, settings)
    install_web(app)
    install_metrics(app, lambda: app.state.slot.engine.index if app.state.slot.engine else None)
    return app
