import json

import numpy as np
import pytest

from service.stores.disk import files as store
from service.core.errors import IndexCorrupt, IndexMismatch, IndexNotBuilt
from service.stores.manifest import check_model
from tests.conftest import fake_build
from tests.fakes import FakeEmbedder


def test_build_writes_a_versioned_build_with_its_manifest(corpus, tmp_path, fake):
    report = fake_build(corpus, tmp_path / "index", fake)
    assert store.current_version(tmp_path / "index") == report.version
    build = store.build_dir(tmp_path / "index", report.version)
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["model"] == {"id": "fake-bow", "fingerprint": fake.fingerprint(), "dimension": 64}
    assert manifest["settings"]["chunk_size"] == 600

    assert len(manifest["corpus"]["files"]["nato-pa-defence-ministers-2024-10.txt"]) == 64
    assert manifest["counts"]["chunks"] == report.chunks > 0
    assert set(manifest["files"]) >= {"chunks.json", "vectors.npy", "dense.faiss", "documents.json"}
    assert "created_at" in manifest and "faiss-cpu" in manifest["libraries"]
    assert not list(build.rglob("*.pkl")) and not list(build.rglob("*.pickle"))


def test_unchanged_corpus_is_not_rebuilt_and_changes_reembed_only_what_changed(corpus, tmp_path, fake):
    index = tmp_path / "index"
    first = fake_build(corpus, index, fake)
    again = fake_build(corpus, index, fake)
    assert again.up_to_date and again.version == first.version
    doc = corpus / "nato-pa-defence-ministers-2024-10.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Constanta", "Constanța"), encoding="utf-8")
    fake.encoded.clear()
    changed = fake_build(corpus, index, fake)
    assert changed.version != first.version
    assert changed.embedded == len(fake.encoded) == 2  # one passage, one sentence
    assert changed.reused == changed.chunks + changed.sentences - 2


def test_loading_with_another_model_is_a_clear_error(corpus, tmp_path, fake):
    fake_build(corpus, tmp_path / "index", fake)
    loaded = store.load_build(tmp_path / "index")
    other = FakeEmbedder(seed="other")
    with pytest.raises(IndexMismatch, match="built with model"):
        check_model(loaded.manifest, other.model_id, other.fingerprint(), other.dimension)
    wide = FakeEmbedder(dimension=32)
    with pytest.raises(IndexMismatch, match="64-dimensional"):
        check_model(loaded.manifest, wide.model_id, wide.fingerprint(), wide.dimension)


def test_no_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotBuilt, match="run `briefqa index`"):
        store.load_build(tmp_path / "index")


def test_truncated_or_edited_files_are_refused(corpus, tmp_path, fake):
    index = tmp_path / "index"
    version = fake_build(corpus, index, fake).version
    faiss_file = store.build_dir(index, version) / "dense.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexCorrupt, match="dense.faiss does not match its checksum"):
        store.load_build(index)


def test_edited_manifest_is_refused(corpus, tmp_path, fake):
    index = tmp_path / "index"
    version = fake_build(corpus, index, fake).version
    path = store.build_dir(index, version) / "manifest.json"
    path.write_text(path.read_text()[:-20])
    with pytest.raises(IndexCorrupt, match="manifest.json is unreadable"):
        store.load_build(index)


def test_loaded_build_round_trips_vectors_and_texts(corpus, tmp_path, fake):
    index = tmp_path / "index"
    fake_build(corpus, index, fake)
    loaded = store.load_build(index)
    data = loaded.data
    texts = [c.text for c in data.chunks]
    from service.pipeline import passage_text

    expected = fake.encode([passage_text(c.section, c.text) for c in data.chunks])
    assert np.allclose(data.vectors, expected)
    doc = loaded.documents["nato-pa-defence-ministers-2024-10.txt"]
    assert all(doc.text[c.start:c.end] == t for c, t in zip(data.chunks, texts))
    assert all(doc.text[s.start:s.end] == s.text for s in data.sentences)


def test_old_builds_are_pruned_and_partial_builds_cleaned(corpus, tmp_path, fake):
    index = tmp_path / "index"
    doc = corpus / "nato-pa-defence-ministers-2024-10.txt"
    versions = []
    for i in range(4):
        doc.write_text(doc.read_text(encoding="utf-8") + f"\nextra line {i}.\n", encoding="utf-8")
        (index / "builds" / ".tmp-left-by-a-killed-run").mkdir(parents=True, exist_ok=True)
        report = fake_build(corpus, index, fake, keep_builds=2)
        assert report.cleaned == 1
        versions.append(report.version)
    left = sorted(p.name for p in (index / "builds").iterdir())
    assert left == versions[-2:]
    assert store.current_version(index) == versions[-1]
