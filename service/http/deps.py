"""What routes share: the per-request engine, the app's slot, and the error responses they declare.

Routers import this module, never the app module, so no router depends on the app that includes it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.core.errors import BriefqaError
from service.http.middleware import BODY_RESPONSES, GUARD_RESPONSES, NOT_READY
from service.http.reload import EngineSlot
from service.pipeline import Engine


class NotReady(BriefqaError):
    """No engine is serving yet."""


# Both are async: they never block, and FastAPI runs a sync dependency in the thread pool (a hop each).
async def _slot(request: Request) -> EngineSlot:
    return request.app.state.slot


async def get_engine(request: Request, slot: Annotated[EngineSlot, Depends(_slot)]) -> Engine:
    """The engine for this whole request: read once, so a reload mid-request does not affect it."""
    engine = slot.engine
    if engine is None:
        raise NotReady(f"not ready: {slot.error}")
    request.state.index_version = engine.version
    return engine


SlotDep = Annotated[EngineSlot, Depends(_slot)]
EngineDep = Annotated[Engine, Depends(get_engine)]
POST_RESPONSES = {**GUARD_RESPONSES, **BODY_RESPONSES, **NOT_READY}
GET_RESPONSES = {**GUARD_RESPONSES, **NOT_READY}
