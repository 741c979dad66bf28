"""Shared fixtures. Expensive ones (the real model, a built index) are made once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from service.app.encoders import build_embedder, build_fingerprint
from service.models.embedding import Embedder
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

# The suite runs the shipped defaults (what `make serve` runs): the int8 encoder, default settings. The
# one thing shared for speed is the model's ONNX export (fp32 and int8, made once per weights): every
# index folder of the session, and every CLI or server the tests start, finds it in BRIEFQA_ONNX_CACHE
# instead of exporting again. The README journey test (tests/integration/test_journey.py) unsets it and
# makes its own, as a fresh clone does. Tests about another setting (fp32, say) set it and say so.
os.environ.pop("BRIEFQA_ENCODER", None)
_OWN_CACHE = "BRIEFQA_ONNX_CACHE" not in os.environ
ONNX_CACHE = Path(os.environ.setdefault("BRIEFQA_ONNX_CACHE", tempfile.mkdtemp(prefix="briefqa-onnx-")))


def pytest_sessionfinish(session, exitstatus) -> None:
    if _OWN_CACHE:
        shutil.rmtree(ONNX_CACHE, ignore_errors=True)


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
def real_embedder() -> Embedder:
    """The shipped build encoder: `build_embedder` on default settings (int8 ONNX of the packaged
    model, exported, quantised and verified into ONNX_CACHE the first time)."""
    return build_embedder(Settings())


def default_build(corpus: Path, index: Path, embedder: Embedder, **update) -> Settings:
    """`corpus` built into `index` as `briefqa index` builds it on default settings (`update` changes
    settings for a test about another one)."""
    from service.app.runtime import build_settings

    settings = Settings(corpus_dir=corpus, index_dir=index, **update)
    build_index(build_settings(settings), lambda: embedder, fingerprint=build_fingerprint(settings))
    return settings


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Settings:
    """The brief indexed with the shipped defaults (real packaged model, int8) into a temporary folder."""
    base = tmp_path_factory.mktemp("real")
    shutil.copytree(BRIEF.parent, base / "corpus", ignore=shutil.ignore_patterns("README*"))
    return default_build(base / "corpus", base / "index", real_embedder)


@pytest.fixture(scope="session")
def torch_embedder():
    """The packaged model in torch (fp32): only for tests about the fp32 encoder, which say so."""
    from service.models.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def fp32_settings(tmp_path_factory: pytest.TempPathFactory, real_settings, torch_embedder) -> Settings:
    """The brief built with BRIEFQA_ENCODER=fp32 (torch), beside the default int8 real_settings: for
    the tests comparing the two encoders."""
    return default_build(real_settings.corpus_dir, tmp_path_factory.mktemp("fp32") / "index", torch_embedder,
                         encoder="fp32")


@pytest.fixture(scope="session")
def real_engine(real_settings):
    """The engine `briefqa serve` would load over real_settings (its own query encoder)."""
    return load_engine(real_settings)


@pytest.fixture(scope="module")
def server(real_settings):
    """A real uvicorn server on a free loopback port serving the real index as `briefqa serve` does;
    yields its base URL."""
    from service.http.app import create_app
    from tests.live_server import thread_server

    with thread_server(create_app(real_settings), ready=False) as url:
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
    build_index(build_settings(settings), lambda: embedder, fingerprint=build_fingerprint(settings))
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
def store_engine(store_settings):
    return load_engine(store_settings)
