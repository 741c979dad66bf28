"""The fp32 ONNX query encoder (BRIEFQA_ENCODER=fp32, not the default): exported at build time,
verified against torch, used when serving an fp32 index. The int8 default: test_int8.py."""

import json
import logging

import numpy as np
import pytest

from service.models.embedding import CachedEmbedder
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.models.onnx import OnnxEmbedder, verified_export
from service.app.runtime import load_engine, onnx_cache, query_embedder
from service.app.settings import Settings
from tests.fakes import FakeEmbedder


@pytest.mark.integration
def test_build_exports_a_verified_onnx_model_that_serving_uses(fp32_settings, torch_embedder):
    folder = verified_export(onnx_cache(fp32_settings), torch_embedder.fingerprint())
    assert folder is not None and json.loads((folder / "onnx.json").read_text())["min_cosine"] >= 0.9999
    embedder = load_engine(fp32_settings).embedder
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, OnnxEmbedder)
    assert embedder.inner.encoder == "fp32"
    questions = [q.question for q in load_testset(DEFAULT_TESTSET)]
    fast, slow = embedder.inner.encode(questions), torch_embedder.encode(questions)
    assert np.min(np.sum(fast * slow, axis=1)) >= 0.9999


@pytest.mark.integration
def test_onnx_serving_gives_the_same_passages_and_answers_as_torch(fp32_settings, torch_embedder):
    fast = load_engine(fp32_settings)
    slow = load_engine(fp32_settings, torch_embedder)
    assert isinstance(fast.embedder, CachedEmbedder)
    for q in load_testset(DEFAULT_TESTSET):
        a, b = fast.ask(q.question, 5), slow.ask(q.question, 5)
        assert [h.chunk.chunk_id for h in a.hits] == [h.chunk.chunk_id for h in b.hits], q.qid
        assert a.text == b.text, q.qid


@pytest.mark.integration
def test_an_unverified_export_is_not_used(fp32_settings, torch_embedder, tmp_path, caplog):
    folder = verified_export(onnx_cache(fp32_settings), torch_embedder.fingerprint())
    settings = Settings(index_dir=tmp_path, onnx_cache=tmp_path / "onnx", query_cache=0)
    bad = onnx_cache(settings) / folder.name
    bad.mkdir(parents=True)
    meta = json.loads((folder / "onnx.json").read_text())
    (bad / "onnx.json").write_text(json.dumps({**meta, "min_cosine": 0.98}))
    (bad / "model.onnx").write_bytes(b"not used")
    with caplog.at_level(logging.WARNING, logger="briefqa"):
        embedder = query_embedder(settings)
    assert not isinstance(embedder, OnnxEmbedder) and "queries use torch" in caplog.text


def test_query_cache_skips_the_model_for_repeated_queries():
    inner = FakeEmbedder()
    cached = CachedEmbedder(inner, size=2)
    a = cached.encode(["alpha"])
    cached.encode(["alpha"])
    assert inner.encoded == ["alpha"]
    np.testing.assert_array_equal(a, inner.encode(["alpha"]))
    cached.encode(["beta"]), cached.encode(["gamma"]), cached.encode(["alpha"])  # alpha was evicted
    assert inner.encoded.count("alpha") == 3
    a[0, 0] = 99.0  # callers cannot corrupt the cache
    assert cached.encode(["alpha"])[0, 0] != 99.0
