"""The server's index-job worker: built from settings at app creation, started and stopped with the
app, and switching the served engine to each build a job publishes (the hot-reload slot)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI

from service.app.jobs import job_runner
from service.app.settings import Settings
from service.http.logs import log_event
from service.http.reload import ReloadRefused

log = logging.getLogger("briefqa.jobs")
FOLLOW_S = 30.0


def install_jobs(app: FastAPI, settings: Settings) -> None:
    reloader = app.state.reloader

    def published(version: str) -> None:
        """Serve the new build before the job says `published`; a standby gets it a moment after the primary."""
        deadline = time.monotonic() + FOLLOW_S
        while reloader.current() != version:
            if time.monotonic() > deadline:
                raise ReloadRefused(f"published {version}, but this server's store still shows "
                                    f"{reloader.current()} after {FOLLOW_S:.0f}s; it will switch when it arrives")
            time.sleep(0.02)
        reloader.reload()  # ReloadRefused fails the job with the reason; the old build keeps serving
        log_event(log, "reload", trigger="job", index_version=version)

    app.state.jobs = job_runner(settings, published, lambda event, **f: log_event(log, event, **f))
    app.state.max_upload_bytes = settings.max_upload_bytes
