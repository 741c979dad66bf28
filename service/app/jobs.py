"""Settings -> the index-job runner of a server: where uploaded files and job records live (the
corpus folder and index/jobs/ on disk, or tables of the PostgreSQL primary), the build settings,
and the encoder that embeds: `build_embedder`, the one `briefqa index` uses, so a job's build is
the build `briefqa index` would make and the server can serve it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from service.app.encoders import build_embedder, build_fingerprint
from service.app.runtime import build_settings
from service.app.settings import Settings
from service.pipeline.jobs import Events, JobRunner, JobSettings, Publish
from service.core.checkpoints import pause_at
from service.ingest.corpus import MAX_FILE_BYTES
from service.stores.disk.corpus import DiskFiles
from service.stores.disk.jobs import DiskJobLog
from service.stores.sources import DocumentFiles, JobLog


def _sources(settings: Settings) -> tuple[DocumentFiles, JobLog]:
    """The corpus folder and index/jobs/ on disk, or the database's tables with the PostgreSQL store."""
    if settings.store is None:
        return DiskFiles(settings.corpus_dir, settings.index_dir), DiskJobLog(settings.index_dir)
    from service.stores.pg.files import PgFiles
    from service.stores.pg.jobs import PgJobLog
    from service.stores.pg.db import PgOptions

    url = settings.store.get_secret_value()
    options = PgOptions(pool_size=2, timeout_s=settings.pg_timeout_s, statement_timeout_ms=max(settings.pg_statement_timeout_ms, 60_000))
    return PgFiles(url, settings.corpus_dir, options), PgJobLog(url, options)


def job_runner(settings: Settings, on_published: Publish, events: Events) -> JobRunner:
    primary = settings.store_primary or settings.store  # builds and job records go to the primary
    writer = settings.model_copy(update={"store": primary})
    build = replace(build_settings(writer), checkpoint=pause_at(settings.test_pause_at))
    files, jobs = _sources(writer)
    limits = JobSettings(max_file_bytes=max(MAX_FILE_BYTES, settings.max_upload_bytes),
                         keep_copies=max(20, settings.keep_builds))
    return JobRunner(build, files, jobs, lambda: build_embedder(settings), build_fingerprint(settings), on_published, events, limits)
