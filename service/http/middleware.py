"""RequestGuard: the checks every request passes before a route sees it, as pure ASGI middleware.

In order: access (keys, see security.py), declared body size (Content-Length), the body as actually
streamed (chunked bodies have no Content-Length), then the content type of bodies sent to /v1/.
The body is read here, at most `max_body_bytes` of it, and replayed to the app.
"""

from __future__ import annotations

import json

from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.security import API_PREFIX, DOCUMENTS, AccessPolicy, Denial

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorOut(BaseModel):
    detail: str


def _error(description: str) -> dict:
    return {"model": ErrorOut, "description": description}


# What the guard (and the engine slot) can answer on any /v1 route, for the OpenAPI schema.
GUARD_RESPONSES = {401: _error("No key sent (when keys are configured)."),
                   403: _error("Wrong key, or admin routes disabled."),
                   413: _error("Request body over the size limit.")}
BODY_RESPONSES = {400: _error("Body that cannot be parsed."),
                  415: _error("Body sent with a content type other than JSON.")}
NOT_READY = {503: _error("No index is being served yet, with the reason.")}


UPLOAD_OVERHEAD = 1024 * 1024  # multipart boundaries and headers around the files


def is_upload(scope: Scope) -> bool:
    return scope["method"] == "POST" and scope["path"].rstrip("/") == DOCUMENTS


def header_map(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


OPENAI_PATHS = ("/v1/models", "/v1/chat/completions")  # OpenAI clients expect {"error": {...}}


def error_content(path: str, denial: Denial) -> dict:
    """`{"detail"}`; on the OpenAI-compatible routes also OpenAI's `{"error": {message, type, param, code}}`."""
    if path not in OPENAI_PATHS:
        return {"detail": denial.detail}
    kind = {401: "authentication_error", 403: "permission_error"}.get(denial.status, "invalid_request_error")
    return {"error": {"message": denial.detail, "type": kind, "param": None, "code": None}, "detail": denial.detail}


async def send_error(send: Send, denial: Denial, path: str = "") -> None:
    body = json.dumps(error_content(path, denial)).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in denial.headers.items()]
    await send({"type": "http.response.start", "status": denial.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    def __init__(self, app: ASGIApp, policy: AccessPolicy, max_body_bytes: int,
                 max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.policy = policy
        self.limit = max_body_bytes
        self.upload_limit = max_upload_bytes  # POST /v1/documents (multipart files); None: uploads off

    def _limit(self, scope: Scope) -> int:
        if self.upload_limit is not None and is_upload(scope):
            return self.upload_limit + UPLOAD_OVERHEAD
        return self.limit

    def _too_large(self, scope: Scope) -> Denial:
        if self.upload_limit is not None and is_upload(scope):
            return Denial(413, f"the upload is over the {self.upload_limit}-byte limit (BRIEFQA_MAX_UPLOAD_BYTES); "
                               "send fewer or smaller files")
        return Denial(413, f"request body is over the {self.limit}-byte limit")

    def _precheck(self, scope: Scope) -> Denial | None:
        headers = header_map(scope)
        denial = self.policy.check(scope["path"], headers, scope["method"])
        if denial is not None:
            return denial
        length = headers.get(b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                return Denial(400, "Content-Length is not a number")
            if int(length) > self._limit(scope):
                return self._too_large(scope)
        return None

    def _body_checks(self, scope: Scope, body: bytes) -> Denial | None:
        if not body or scope["method"] not in BODY_METHODS or not scope["path"].startswith(API_PREFIX):
            return None
        content_type = header_map(scope).get(b"content-type")
        if self.upload_limit is not None and is_upload(scope):
            media = (content_type or b"").split(b";", 1)[0].strip().lower()
            if media == b"multipart/form-data":
                return None
            return Denial(415, "send documents as multipart/form-data, one `files` part per file")
        if content_type is not None and _is_json(content_type):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return Denial(400, f"the body is not UTF-8 (bad byte at offset {exc.start}); JSON must be UTF-8")
            return None
        shown = repr(content_type.decode("latin-1")[:80]) if content_type is not None else "none"
        return Denial(415, f"send the body as JSON with `Content-Type: application/json` (got {shown})")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        denial = self._precheck(scope)
        if denial is not None:
            await send_error(send, denial, scope["path"])
            return
        body, complete = await self._read_body(receive, self._limit(scope))
        if body is None:
            await send_error(send, self._too_large(scope), scope["path"])
            return
        if not complete:  # the client went away before sending its whole body
            return
        denial = self._body_checks(scope, body)
        if denial is not None:
            await send_error(send, denial, scope["path"])
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive, limit: int) -> tuple[bytes | None, bool]:
        """The whole body, or (None, True) as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None, True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
