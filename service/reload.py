"""Hot reload: the engine serving requests lives in an EngineSlot; a reload swaps it in one assignment.

A request reads `slot.engine` once and keeps that Engine to the end, so requests in flight finish on
the build they started on while new ones get the new build. Reloads are serialised by a lock; a build
that fails its checks (checksums, counts, model) is refused and the old engine keeps serving. Each
Engine holds its whole index in memory, so pruning a build's folder on disk never disturbs a server
that is still serving it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from service.embedding import Embedder
from service.errors import BriefqaError
from service.logs import log_event
from service.pipeline import Engine
from service.runtime import load_engine
from service.settings import Settings
from service.store import current_version

log = logging.getLogger("briefqa.reload")


class ReloadRefused(BriefqaError):
    """The build CURRENT points at failed its checks; the server goes on serving the old one."""


class ReloadOut(BaseModel):
    status: Literal["reloaded", "unchanged"]
    index_version: str
    previous: str | None


@dataclass
class EngineSlot:
    """The engine currently serving, or why there is none."""

    engine: Engine | None = None
    error: str | None = "starting"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


class SharedEmbedderLoader:
    """load_engine that loads the query embedder once (with the first build that loads) and hands
    it to every later Engine, so a reload reads the index but never the model again."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def __call__(self, settings: Settings) -> Engine:
        if self.embedder is None:
            engine = load_engine(settings)
            self.embedder = engine.embedder
            return engine
        return load_engine(settings, self.embedder)


class Reloader:
    def __init__(self, slot: EngineSlot, index_dir: Path, load: Callable[[], Engine]) -> None:
        self.slot = slot
        self.index_dir = index_dir
        self.load = load

    def start(self) -> None:
        """First load; on failure the slot keeps the reason (for /readyz) and a later reload may succeed."""
        with self.slot.lock:
            try:
                self.slot.engine, self.slot.error = self.load(), None
            except BriefqaError as exc:
                self.slot.error = str(exc)
                log_event(log, "not_serving", logging.ERROR, detail=str(exc))

    def reload(self) -> ReloadOut:
        """Serve the build CURRENT names now; raise ReloadRefused (old engine kept) if it fails its checks."""
        with self.slot.lock:
            old = self.slot.engine
            previous = old.version if old is not None else None
            target = current_version(self.index_dir)
            if old is not None and target == previous:
                return ReloadOut(status="unchanged", index_version=previous, previous=previous)
            try:
                engine = self.load()
            except BriefqaError as exc:
                if old is None:
                    self.slot.error = str(exc)
                serving = f"still serving {previous}" if previous else "nothing is being served"
                what = f"refused index build {target}" if target else "nothing to load"
                raise ReloadRefused(f"{what}: {exc}; {serving}") from exc
            self.slot.engine, self.slot.error = engine, None
            return ReloadOut(status="reloaded", index_version=engine.version, previous=previous)

    def reload_logged(self, trigger: str) -> None:
        try:
            out = self.reload()
        except ReloadRefused as exc:
            log_event(log, "reload", logging.ERROR, trigger=trigger, status="refused", detail=str(exc))
        else:
            log_event(log, "reload", trigger=trigger, **out.model_dump())


def install_sighup(reloader: Reloader) -> Callable[[], None]:
    """Reload on SIGHUP (in a worker thread). Returns the undo; a no-op off the main thread."""
    loop = asyncio.get_running_loop()

    def on_hup() -> None:
        loop.run_in_executor(None, reloader.reload_logged, "SIGHUP")

    try:
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread, e.g. a TestClient
        return lambda: None
    return lambda: loop.remove_signal_handler(signal.SIGHUP)
