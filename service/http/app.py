"""HTTP API: create_app(settings); the engine is loaded in lifespan, routes stay thin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service import __version__
from service.app.runtime import open_store
from service.app.settings import Settings
from service.http.answer_cache import AnswerCache
from service.http.errors import install_error_handlers
from service.http.mcp_mount import install_mcp, mcp_sessions
from service.http.jobs import install_jobs
from service.http.logs import INDEX_VERSION_HEADER, REQUEST_ID_HEADER, RequestLog, configure_logging
from service.http.middleware import RequestGuard
from service.http.observability import install_metrics
from service.http.reload import EngineSlot, Reloader, SharedEmbedderLoader, install_sighup
from service.http.routes import api_router
from service.http.routes.completions import install_openai
from service.http.routes.llm import install_llm
from service.http.security import AccessPolicy
from service.http.web import install_web
from service.pipeline import Engine

__all__ = ["EngineSlot", "create_app"]


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Innermost first: guard (keys, limits), CORS (when configured), request log (outermost)."""
    app.add_middleware(RequestGuard, policy=AccessPolicy.from_keys(settings.api_key, settings.admin_key),
                       max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type", REQUEST_ID_HEADER],
                           expose_headers=[REQUEST_ID_HEADER, INDEX_VERSION_HEADER])
    app.add_middleware(RequestLog)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the current build (or keep the reason it cannot be served); reload on SIGHUP."""
    reloader = app.state.reloader
    reloader.start()
    undo = install_sighup(reloader)
    if app.state.poll_s:
        reloader.watch(app.state.poll_s)
    app.state.jobs.start()
    async with mcp_sessions(app):
        yield
    app.state.jobs.stop()
    reloader.stop()
    undo()


def create_app(settings: Settings, loader: Callable[[Settings], Engine] | None = None) -> FastAPI:
    """`loader` opens the engine of the current build (default: `SharedEmbedderLoader`, what `briefqa
    serve` runs). Index jobs always build with `build_embedder(settings)`, as `briefqa index` does."""
    configure_logging()
    app = FastAPI(title="briefqa", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Ask policy documents questions; every answer sentence cites exact passages.")
    app.state.slot = EngineSlot()
    # A PostgreSQL replica cannot tell, with the database down, whether its version is still the current
    # one, so it answers every question from the database (an outage stays a visible 503); the embedded
    # index is this process's own, and a reload empties the cache.
    app.state.answers = AnswerCache(0 if settings.store else settings.answer_cache)
    store = open_store(settings)
    load = loader or SharedEmbedderLoader()
    if isinstance(load, SharedEmbedderLoader) and load.store is None:
        load.store = store  # one store (one connection pool) for the process, across reloads
    app.state.reloader = Reloader(app.state.slot, store.current_version, lambda: load(settings))
    app.state.poll_s = settings.reload_poll_s if settings.store else 0.0  # replicas follow the database's pointer
    install_jobs(app, settings)
    _install_middleware(app, settings)
    install_error_handlers(app)
    app.include_router(api_router)
    install_llm(app, settings)
    install_openai(app)
    install_mcp(app, settings)
    install_web(app)
    install_metrics(app, lambda: app.state.slot.engine.index if app.state.slot.engine else None)
    return app
