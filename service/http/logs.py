"""One structured JSON log line per request, and the request id that ties a response to its line.

The line holds: request id, method, path, route template, status, latency in ms and the index version
the request was answered from. Never headers, bodies or query strings, so keys cannot leak into logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOG = logging.getLogger("briefqa.access")
REQUEST_ID_HEADER = "X-Request-ID"
INDEX_VERSION_HEADER = "X-Index-Version"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging() -> None:
    """Send briefqa's JSON lines to stderr, once per process."""
    logger = logging.getLogger("briefqa")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    record = {"ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "event": event, **fields}
    logger.log(level, json.dumps(record, ensure_ascii=False, default=str))


def request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is a sane token, else a new one."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-request-id":
            given = value.decode("latin-1")
            if _SAFE_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


UNMATCHED = "<unmatched>"


def route_template(scope: Scope, root: str) -> str:
    """The matched route's template; for a mount (static files), the mount's prefix; `root` is the
    scope's root_path as it was before routing."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return path
    mounted = scope.get("root_path", "")
    return mounted[len(root):] if mounted.startswith(root) and mounted != root else UNMATCHED


class RequestLog:
    """Outermost app middleware: request id in and out, one JSON line when the request ends."""

    def __init__(self, app: ASGIApp, logger: logging.Logger = ACCESS_LOG) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = {"code": 500}
        t0, root = time.perf_counter(), scope.get("root_path", "")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = rid
                if state.get("index_version"):
                    headers[INDEX_VERSION_HEADER] = state["index_version"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_event(self.logger, "request", request_id=rid, method=scope["method"], path=scope["path"],
                      route=route_template(scope, root), status=status["code"],
                      latency_ms=round((time.perf_counter() - t0) * 1000, 2),
                      index_version=state.get("index_version"))
