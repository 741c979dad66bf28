"""How errors become responses: a BriefqaError's status by its kind, and an ASCII-safe 422."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.core.errors import BriefqaError, NotFound
from service.http.reload import ReloadRefused

STATUS = {NotFound: 404, ReloadRefused: 409}


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: a 422 echoes the input, which may hold lone surrogates."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


async def briefqa_error(request: Request, exc: BriefqaError) -> JSONResponse:
    status = getattr(exc, "status", None) or next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 503)
    return JSONResponse(status_code=status, content={"detail": str(exc)})


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, rendered ASCII-safe: the errors echo the input, which may hold lone surrogates."""
    return AsciiJSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BriefqaError, briefqa_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
