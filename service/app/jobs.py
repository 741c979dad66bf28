"""Settings -> the index-job runner of a server: where uploaded files and job records live (the
corpus folder and index/jobs/ on disk), the build settings, and the model that embeds."""

from __future__ import annotations

from collections.abc import Callable

from service.app.runtime import build_settings, default_embedder
from service.app.settings import Settings
from service.models.embedding import Embedder, model_fingerprint
from service.pipeline.jobs import Events, JobRunner, JobSettings, Publish
from service.core.checkpoints import pause_at
from service.stores.disk.corpus import DiskFiles
from service.stores.disk.jobs import DiskJobLog


def job_runner(settings: Settings, on_published: Publish, events: Events,
               embedder_factory: Callable[[], Embedder] | None = None) -> JobRunner:
    from dataclasses import replace

    build = replace(build_settings(settings), checkpoint=pause_at(settings.test_pause_at))
    files, jobs = DiskFiles(settings.corpus_dir, settings.index_dir), DiskJobLog(settings.index_dir)
    factory = embedder_factory or (lambda: default_embedder(settings))
    limits = JobSettings(max_file_bytes=settings.max_upload_bytes, keep_copies=max(20, settings.keep_builds))
    return JobRunner(build, files, jobs, factory, model_fingerprint(settings.model), on_published, events, limits)
