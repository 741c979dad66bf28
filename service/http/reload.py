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
from typing import Literal

from pydantic import BaseModel

from service.models.embedding import Embedder
from service.core.errors import BriefqaError, StoreUnavailable
from service.http.logs import log_event
from service.pipeline import Engine
from service.app.runtime import engine_of, open_store
from service.app.settings import Settings
from service.stores.base import IndexStore

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
    """load_engine that loads a query embedder once per encoder and hands it to every later Engine
    over vectors of that encoder, so a reload reads the index but not the model again. A build made
    with another encoder (say int8 after an fp32 index, when BRIEFQA_ENCODER changed) gets its own."""

    def __init__(self, embedder: Embedder | None = None, store: IndexStore | None = None) -> None:
        self.embedder = embedder  # the last one used; a given one (tests with a fake) is used for every build
        self.fixed = embedder is not None
        self.store = store  # shared too: one connection pool per process for the PostgreSQL store

    def __call__(self, settings: Settings) -> Engine:
        index = (self.store or open_store(settings)).open()
        built = index.manifest["model"].get("fingerprint")
        reuse = self.embedder if self.fixed or (self.embedder and self.embedder.fingerprint() == built) else None
        engine = engine_of(index, settings, reuse)
        self.embedder = engine.embedder
        return engine


class Reloader:
    def __init__(self, slot: EngineSlot, current: Callable[[], str | None], load: Callable[[], Engine]) -> None:
        self.slot = slot
        self.current = current  # the version the store's pointer names now
        self.load = load
        self._stop = threading.Event()

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
            target: str | None = None
            try:
                target = self.current()
                if old is not None and target == previous:
                    return ReloadOut(status="unchanged", index_version=previous, previous=previous)
                engine = self.load()
            except BriefqaError as exc:
                if old is None:
                    self.slot.error = str(exc)
                serving = f"still serving {previous}" if previous else "nothing is being served"
                what = (f"refused index build {target}" if target
                        else "cannot reach the store" if isinstance(exc, StoreUnavailable) else "nothing to load")
                raise ReloadRefused(f"{what}: {exc}; {serving}") from exc
            self.slot.engine, self.slot.error = engine, None
            return ReloadOut(status="reloaded", index_version=engine.version, previous=previous)

    def reload_logged(self, trigger: str) -> None:
        try:
            out = self.reload()
        except ReloadRefused as exc:
            log_event(log, "reload", logging.ERROR, trigger=trigger, status="refused", detail=str(exc))
        else:
            if out.status == "reloaded" or trigger != "poll":
                log_event(log, "reload", trigger=trigger, **out.model_dump())

    def watch(self, interval_s: float) -> threading.Thread:
        """Poll the store's pointer every `interval_s` and reload when it moves (or when nothing is
        served yet, e.g. the database was down at start). Stopped by `stop()`."""
        def loop() -> None:
            while not self._stop.wait(interval_s):
                engine = self.slot.engine
                try:
                    moved = engine is None or self.current() != engine.version
                except BriefqaError:
                    continue  # the store is unreachable: requests report it; keep serving what we have
                if moved:
                    self.reload_logged("poll")

        thread = threading.Thread(target=loop, name="briefqa-reload-poll", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


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
