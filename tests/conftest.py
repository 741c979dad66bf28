"""Shared fixtures. Expensive ones (the real model, a built index) are made once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from service.models.embedding import SentenceTransformerEmbedder
from service.pipeline import BuildSettings, build_index
from service.app.runtime import load_engine
from service.app.settings import Settings
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "corpus" / "nato-pa-defence-ministers-2024-10.txt"
ADSE = "what are the ADSE priority areas"
ADSE_SENTENCE = ("The ADSE will focus on four priority areas: securing critical undersea infrastructure, enhancing "
                 "geospatial awareness, improving information environment assessment and strengthening maritime "
                 "situational awareness.")
DATA = Path(__file__).resolve().parent / "data"

# The session fixtures build with the torch model (real_embedder), i.e. the fp32 encoder; the CLI and the
# servers the tests start must build the same way to find those indexes up to date. The int8 default
# is tested on its own, in process and through the CLI: tests/integration/models/test_int8.py.
os.environ.setdefault("BRIEFQA_ENCODER", "fp32")


@pytest.fixture
def brief_text() -> str:
    return BRIEF.read_bytes().decode("utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(BRIEF, folder / BRIEF.name)
    return folder


@pytest.fixture
def fake() -> FakeEmbedder:
    return FakeEmbedder()


def fake_build(corpus: Path, index: Path, embedder: FakeEmbedder, **kw):
    return build_index(BuildSettings(corpus, index, embedder.model_id, **kw), lambda: embedder,
                       fingerprint=embedder.fingerprint())


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Settings:
    """The brief indexed with the real packaged model into a temporary folder."""
    base = tmp_path_factory.mktemp("real")
    shutil.copytree(BRIEF.parent, base / "corpus", ignore=shutil.ignore_patterns("README*"))
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index")
    from service.app.runtime import build_settings

    build_index(build_settings(settings), lambda: real_embedder)
    return settings


@pytest.fixture(scope="session")
def real_engine(real_settings, real_embedder):
    return load_engine(real_settings, real_embedder)


@pytest.fixture(scope="module")
def server(real_settings, real_embedder):
    """A real uvicorn server on a free loopback port serving the real index; yields its base URL."""
    from service.http.app import create_app
    from tests.live_server import thread_server

    app = create_app(real_settings, loader=lambda s: load_engine(s, real_embedder))
    with thread_server(app, ready=False) as url:
        yield url


# --- The same integration suite on both stores: disk (FAISS files) and PostgreSQL + pgvector ---

STORES = ("disk", "postgres")


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory):
    """A PostgreSQL 18 + pgvector server: BRIEFQA_TEST_PG_URL (started by .ci/run), else one of our own."""
    import os

    from tests.pgserver import PgServer, free_port

    if os.environ.get("BRIEFQA_TEST_PG_URL"):
        yield os.environ["BRIEFQA_TEST_PG_URL"]
        return
    server = PgServer(tmp_path_factory.mktemp("pg") / "data", free_port()).init().start()
    try:
        yield server.url
    finally:
        server.stop("immediate")


@pytest.fixture
def pg_database(pg_url, request) -> str:
    """A new, empty database on the test server, for one test."""
    from tests.pgserver import fresh_database

    return fresh_database(pg_url, request.node.name)


@pytest.fixture(scope="session", params=STORES)
def store_settings(request, real_settings, real_embedder) -> Settings:
    """The brief indexed with the real model in each store: the disk build of `real_settings`, and
    the same corpus built into a fresh PostgreSQL database."""
    if request.param == "disk":
        return real_settings
    return build_in_postgres(request.getfixturevalue("pg_url"), real_settings, real_embedder, "store_settings")


def build_in_postgres(pg_url: str, like: Settings, embedder, hint: str) -> Settings:
    """`like`'s corpus built with `embedder` into a new database on the server at `pg_url`."""
    from pydantic import SecretStr

    from service.app.runtime import build_settings
    from tests.pgserver import fresh_database

    settings = like.model_copy(update={"store": SecretStr(fresh_database(pg_url, hint))})
    build_index(build_settings(settings), lambda: embedder)
    return settings


def fake_build_into(corpus: Path, store, embedder: FakeEmbedder, **kw):
    """A build of `corpus` with the fake embedder into `store` (an IndexStore)."""
    return build_index(BuildSettings(corpus, corpus.parent / "unused", embedder.model_id, store=store, **kw),
                       lambda: embedder, fingerprint=embedder.fingerprint())


def add_paragraph(corpus: Path, i: int) -> None:
    """Change the corpus, so that the next build is a new version."""
    doc = next(corpus.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + f"\nAddendum {i}: the committee met again.\n", encoding="utf-8")


@pytest.fixture(scope="session")
def store_engine(store_settings, real_embedder):
    return load_engine(store_settings, real_embedder)
