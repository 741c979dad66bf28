"""Hot reload on a real uvicorn server: requests in flight finish on the build they started on,
pruned builds keep serving until a reload, a server started before any index becomes ready on reload.
(These use the fake embedder for speed; test_reliability_load.py does it with the real model.)"""

from __future__ import annotations

import threading

import httpx
import pytest
from pydantic import SecretStr

from service.stores.disk import files as store
from service.http.app import create_app
from service.app.runtime import load_engine
from service.app.settings import Settings
from tests.conftest import fake_build
from tests.live_server import thread_server

ADMIN = {"Authorization": "Bearer admin-key"}
QUESTION = {"question": "what are the ADSE priority areas"}


def _settings(corpus, index, **kw) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=index, admin_key=SecretStr("admin-key"), **kw)


def _change(corpus, i: int) -> None:
    doc = next(corpus.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + f"\nAddendum {i}: the committee met again.\n", encoding="utf-8")


def test_requests_in_flight_finish_on_the_build_they_started_on(corpus, tmp_path, fake):
    index = tmp_path / "index"
    first = fake_build(corpus, index, fake).version
    entered, release = threading.Event(), threading.Event()

    def loader(settings):
        engine = load_engine(settings, fake)
        if engine.version == first:  # hold questions to the first build until the test releases them
            ask = engine.ask
            engine.ask = lambda *a, **kw: (entered.set(), release.wait(30), ask(*a, **kw))[2]
        return engine

    with thread_server(create_app(_settings(corpus, index), loader=loader)) as base:
        held: dict = {}
        thread = threading.Thread(target=lambda: held.update(r=httpx.post(base + "/v1/ask", json=QUESTION, timeout=60)))
        thread.start()
        assert entered.wait(30)
        _change(corpus, 1)
        second = fake_build(corpus, index, fake).version
        reload = httpx.post(base + "/v1/admin/reload", headers=ADMIN, timeout=30)
        assert reload.status_code == 200
        assert reload.json() == {"status": "reloaded", "index_version": second, "previous": first}
        fresh = httpx.post(base + "/v1/ask", json=QUESTION, timeout=30)
        assert fresh.status_code == 200 and fresh.json()["index_version"] == second
        release.set()
        thread.join(30)
        assert held["r"].status_code == 200 and held["r"].json()["index_version"] == first
        assert held["r"].headers["x-index-version"] == first
        again = httpx.post(base + "/v1/admin/reload", headers=ADMIN, timeout=30).json()
        assert again == {"status": "unchanged", "index_version": second, "previous": second}


def test_a_pruned_build_keeps_serving_until_the_reload(corpus, tmp_path, fake):
    index = tmp_path / "index"
    first = fake_build(corpus, index, fake, keep_builds=2).version
    settings = _settings(corpus, index, keep_builds=2)
    with thread_server(create_app(settings, loader=lambda s: load_engine(s, fake))) as base:
        versions = []
        for i in range(3):
            _change(corpus, i)
            versions.append(fake_build(corpus, index, fake, keep_builds=2).version)
        assert not store.build_dir(index, first).exists()  # pruned from disk while being served
        ask = httpx.post(base + "/v1/ask", json=QUESTION, timeout=30)
        assert ask.status_code == 200 and ask.json()["index_version"] == first
        doc = httpx.get(base + "/v1/documents/nato-pa-defence-ministers-2024-10.txt", timeout=30)
        assert doc.status_code == 200 and doc.headers["x-index-version"] == first
        assert httpx.post(base + "/v1/admin/reload", headers=ADMIN).json()["index_version"] == versions[-1]
        assert httpx.post(base + "/v1/ask", json=QUESTION).json()["index_version"] == versions[-1]


def test_a_server_started_before_any_index_becomes_ready_on_reload(corpus, tmp_path, fake):
    index = tmp_path / "index"
    with thread_server(create_app(_settings(corpus, index), loader=lambda s: load_engine(s, fake)),
                       ready=False) as base:
        ready = httpx.get(base + "/readyz")
        assert ready.status_code == 503 and "run `briefqa index` first" in ready.json()["detail"]
        refused = httpx.post(base + "/v1/admin/reload", headers=ADMIN)
        assert refused.status_code == 409 and "nothing is being served" in refused.json()["detail"]
        version = fake_build(corpus, index, fake).version
        assert httpx.post(base + "/v1/admin/reload", headers=ADMIN).json()["status"] == "reloaded"
        assert httpx.get(base + "/readyz").json() == {"status": "ready", "index_version": version}


@pytest.mark.parametrize("point", ["nowhere", "x"])
def test_an_unknown_pause_point_is_a_clear_error(point):
    from service.core.checkpoints import pause_at

    with pytest.raises(Exception, match="not a build point; valid: embedded, writing, written, published"):
        pause_at(point)


@pytest.mark.integration
def test_reloads_reuse_the_loaded_embedder(real_settings, tmp_path):
    from service.http.reload import SharedEmbedderLoader

    load = SharedEmbedderLoader()
    first = load(real_settings)
    assert load.embedder is first.embedder
    second = load(real_settings)
    assert second is not first and second.embedder is first.embedder and second.version == first.version
