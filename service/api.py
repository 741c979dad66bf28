"""HTTP API: create_app(settings); the engine is loaded in lifespan, routes stay thin."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from service import __version__
from service.errors import BriefqaError, NotFound
from service.observability import install_metrics, metrics_of
from service.pipeline import Engine
from service.runtime import load_engine
from service.schemas import (AskRequest, AskResponse, DocumentList, DocumentOut, SearchRequest,
                             SearchResponse, ask_response, document_out, document_summary, passages)
from service.settings import Settings
from service.web import install_web

log = logging.getLogger("briefqa.api")


@dataclass
class EngineSlot:
    """The engine currently serving, or why there is none."""

    engine: Engine | None = None
    error: str | None = "starting"


def _slot(request: Request) -> EngineSlot:
    return request.app.state.slot


def get_engine(slot: Annotated[EngineSlot, Depends(_slot)]) -> Engine:
    if slot.engine is None:
        raise HTTPException(status_code=503, detail=f"not ready: {slot.error}")
    return slot.engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def create_app(settings: Settings, loader: Callable[[Settings], Engine] = load_engine) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        slot = app.state.slot
        try:
            slot.engine, slot.error = loader(settings), None
        except BriefqaError as exc:
            slot.error = str(exc)
            log.error("not serving: %s", exc)
        yield

    app = FastAPI(title="briefqa", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Ask policy documents questions; every answer sentence cites exact passages.")
    app.state.slot = EngineSlot()

    @app.exception_handler(BriefqaError)
    async def briefqa_error(request: Request, exc: BriefqaError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFound) else 503
        return JSONResponse(status_code=status, content={"detail": str(exc)})

    @app.post("/v1/ask", response_model=AskResponse, tags=["questions"])
    def ask(body: AskRequest, engine: EngineDep, request: Request) -> AskResponse:
        """Answer a question; each answer sentence ends with the [n] of the passages it comes from."""
        answer = engine.ask(body.question, body.top_k, body.mode)
        metrics_of(request).observe_steps(answer.timings_ms)
        return ask_response(answer, engine.index)

    @app.post("/v1/search", response_model=SearchResponse, tags=["questions"])
    def search(body: SearchRequest, engine: EngineDep) -> SearchResponse:
        """The passages that best match a query, best first."""
        hits, _ = engine.search(body.query, body.top_k, body.mode)
        return SearchResponse(query=body.query, results=passages(hits, engine.index), index_version=engine.version)

    @app.get("/v1/documents", response_model=DocumentList, tags=["documents"])
    def documents(engine: EngineDep) -> DocumentList:
        docs = [document_summary(d) for d in engine.index.documents.values()]
        return DocumentList(documents=docs, index_version=engine.version)

    @app.get("/v1/documents/{doc_id:path}", response_model=DocumentOut, tags=["documents"])
    def document(doc_id: str, engine: EngineDep) -> DocumentOut:
        doc = engine.index.documents.get(doc_id)
        if doc is None:
            raise NotFound(f"no document {doc_id!r}; GET /v1/documents lists them")
        return document_out(doc)

    @app.get("/livez", tags=["operations"])
    def livez() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", tags=["operations"])
    def readyz(slot: Annotated[EngineSlot, Depends(_slot)]) -> JSONResponse:
        if slot.engine is None:
            return JSONResponse(status_code=503, content={"status": "not ready", "detail": slot.error})
        return JSONResponse({"status": "ready", "index_version": slot.engine.version})

    install_web(app)
    install_metrics(app, lambda: app.state.slot.engine.index if app.state.slot.engine else None)
    return app
