"""The MCP server on `briefqa serve`: streamable HTTP at /mcp, behind the same API key as /v1/*.

The SDK's session manager needs a task group for the app's lifetime: `mcp_sessions(app)` is entered
in the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.app.settings import Settings
from service.http.deps import NotReady
from service.http.schemas import ask_response
from service.http.security import MCP_PATH
from service.mcp import build_server
from service.pipeline import Engine
from service.pipeline.conversation import ask_in_context


def install_mcp(app: FastAPI, settings: Settings) -> None:
    def engine() -> Engine:
        current = app.state.slot.engine
        if current is None:
            raise NotReady(f"not ready: {app.state.slot.error}")
        return current

    server = build_server(engine, lambda answer, index: ask_response(answer, index).model_dump(), ask_in_context)
    sub = server.streamable_http_app(streamable_http_path=MCP_PATH, host=settings.host, stateless_http=True)
    app.router.routes.extend(sub.routes)  # the route itself, so /mcp is not redirected to /mcp/
    app.state.mcp = server


@asynccontextmanager
async def mcp_sessions(app: FastAPI) -> AsyncIterator[None]:
    server = getattr(app.state, "mcp", None)
    if server is None:
        yield
        return
    async with server.session_manager.run():
        yield
