"""Health (/livez, /readyz) and POST /v1/admin/reload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.core.errors import StoreUnavailable
from service.http.deps import SlotDep
from service.http.middleware import GUARD_RESPONSES, ErrorOut
from service.http.reload import ReloadOut

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    index_version: str | None = None
    detail: str | None = None


@router.post("/v1/admin/reload", response_model=ReloadOut,
             responses={**GUARD_RESPONSES, 409: {"model": ErrorOut, "description": "Build refused; old one kept."}})
def reload(request: Request) -> ReloadOut:
    """Serve the build index/CURRENT points at; needs BRIEFQA_ADMIN_KEY. Also done on SIGHUP."""
    out = request.app.state.reloader.reload()
    request.state.index_version = out.index_version
    return out


@router.get("/livez", response_model=Health, response_model_exclude_none=True)
def livez() -> Health:
    return Health(status="alive")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(slot: SlotDep) -> JSONResponse:
    engine = slot.engine
    if engine is None:
        return JSONResponse(status_code=503, content={"status": "not ready", "detail": slot.error})
    try:
        engine.index.check()  # the PostgreSQL store: is the database answering now?
    except StoreUnavailable as exc:
        return JSONResponse(status_code=503, content={"status": "not ready", "index_version": engine.version,
                                                      "detail": str(exc)})
    return JSONResponse({"status": "ready", "index_version": engine.version})
