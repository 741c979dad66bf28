"""Integrity: each kind of damaged or mismatched build is refused with its own clear message, by the
loader, the CLI (one line, exit 1), a starting server (/readyz 503 with the reason) and a running
server asked to reload (409, old build kept). No pickle is ever loaded."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.stores.disk import files as store
from service.http.app import create_app
from service.cli.main import main
from service.stores.manifest import MANIFEST, MANIFEST_SUM, manifest_sum_line
from service.app.runtime import load_engine
from tests.conftest import fake_build
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.integration
SERVICE = Path(__file__).resolve().parents[3] / "service"


def _copy_current(index: Path) -> Path:
    """A byte copy of the current build under a new version name, as the next build would be."""
    version = store.current_version(index)
    new = f"{version}-copy{uuid.uuid4().hex[:6]}"
    shutil.copytree(store.build_dir(index, version), store.build_dir(index, new))
    return store.build_dir(index, new)


def _rewrite_manifest(build: Path, edit: Callable[[dict], None]) -> None:
    """Edit the manifest AND recompute its checksums, as someone covering their tracks would."""
    manifest = json.loads((build / MANIFEST).read_text())
    edit(manifest)
    (build / MANIFEST).write_text(json.dumps(manifest))
    (build / MANIFEST_SUM).write_text(manifest_sum_line((build / MANIFEST).read_bytes()))


def truncated_faiss(index: Path, corpus: Path) -> None:
    build = _copy_current(index)
    (build / "dense.faiss").write_bytes((build / "dense.faiss").read_bytes()[:200])
    store.publish(index, build.name)


def edited_manifest(index: Path, corpus: Path) -> None:
    build = _copy_current(index)
    manifest = json.loads((build / MANIFEST).read_text())
    manifest["counts"]["chunks"] += 1
    (build / MANIFEST).write_text(json.dumps(manifest))
    store.publish(index, build.name)


def wrong_dimension_in_files(index: Path, corpus: Path) -> None:
    build = _copy_current(index)
    _rewrite_manifest(build, lambda m: m["model"].update(dimension=m["model"]["dimension"] * 2))
    store.publish(index, build.name)


def pickled_vectors(index: Path, corpus: Path) -> None:
    build = _copy_current(index)
    vectors = np.empty(3, dtype=object)
    vectors[:] = [{"payload": 1}, "x", 2]
    np.save(build / "vectors.npy", vectors, allow_pickle=True)
    digest = hashlib.sha256((build / "vectors.npy").read_bytes()).hexdigest()
    _rewrite_manifest(build, lambda m: m["files"].update({"vectors.npy": digest}))
    store.publish(index, build.name)


def built_with_smaller_model(index: Path, corpus: Path) -> None:
    fake_build(corpus, index, FakeEmbedder(dimension=64), keep_builds=50)


def built_with_other_model(index: Path, corpus: Path) -> None:
    fake_build(corpus, index, FakeEmbedder(dimension=384, model_id="other-model"), keep_builds=50)


CORRUPTIONS = {
    "truncated FAISS": (truncated_faiss, r"dense\.faiss does not match its checksum \(truncated or edited\)"),
    "edited manifest": (edited_manifest, r"manifest\.json does not match its checksum in manifest\.sha256"),
    "wrong dimension in the files": (wrong_dimension_in_files, r"vectors are 384-dimensional, manifest says 768"),
    "pickle in a .npy": (pickled_vectors, r"cannot be read: .*allow_pickle=False"),
    "wrong model dimension": (built_with_smaller_model, r"built with 64-dimensional vectors but model .* makes 384"),
    "different model": (built_with_other_model, r"built with model 'other-model' .* not the configured"),
}


@pytest.fixture
def real_copy(real_settings, tmp_path):
    """A private copy of the real index and corpus, safe to damage."""
    shutil.copytree(real_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    shutil.copytree(real_settings.corpus_dir, tmp_path / "corpus")
    return real_settings.model_copy(update={"index_dir": tmp_path / "index", "corpus_dir": tmp_path / "corpus"})


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_each_corruption_is_refused_by_loader_cli_and_starting_server(name, real_copy, real_embedder, capsys):
    damage, message = CORRUPTIONS[name]
    damage(real_copy.index_dir, real_copy.corpus_dir)
    with pytest.raises(Exception, match=message):
        load_engine(real_copy)
    code = main(["--index-dir", str(real_copy.index_dir), "search", "air defence"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith("briefqa: error: ") and re.search(message, err)
    with TestClient(create_app(real_copy)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and re.search(message, ready.json()["detail"])
        asked = client.post("/v1/ask", json={"question": "what are the ADSE priority areas"})
        assert asked.status_code == 503 and re.search(message, asked.json()["detail"])


def test_a_running_server_refuses_each_corrupt_build_and_keeps_serving(real_copy, real_embedder):
    settings = real_copy.model_copy(update={"admin_key": "admin"})
    good = store.current_version(settings.index_dir)
    with TestClient(create_app(settings)) as client:
        for name, (damage, message) in CORRUPTIONS.items():
            damage(settings.index_dir, settings.corpus_dir)
            r = client.post("/v1/admin/reload", headers={"X-API-Key": "admin"})
            assert r.status_code == 409, name
            detail = r.json()["detail"]
            assert re.search(message, detail) and f"still serving {good}" in detail, detail
            ask = client.post("/v1/ask", json={"question": "what are the ADSE priority areas"})
            assert ask.status_code == 200 and ask.json()["index_version"] == good
            assert client.get("/readyz").json() == {"status": "ready", "index_version": good}
            store.publish(settings.index_dir, good)


def test_missing_build_and_missing_file_are_named(real_copy, real_embedder):
    build = _copy_current(real_copy.index_dir)
    (build / "vectors.npy").unlink()
    store.publish(real_copy.index_dir, build.name)
    with pytest.raises(Exception, match=r"vectors\.npy is missing"):
        load_engine(real_copy)
    store.publish(real_copy.index_dir, "20990101T000000Z-gone")
    with pytest.raises(Exception, match=r"names build 20990101T000000Z-gone, which does not exist"):
        load_engine(real_copy)


def test_no_pickle_anywhere_in_the_service():
    for path in SERVICE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|joblib|dill)\b", source, re.M), path
        for call in re.findall(r"np\.load\([^)]*\)", source):
            assert "allow_pickle=False" in call, (path, call)
        assert "allow_pickle=True" not in source, path
