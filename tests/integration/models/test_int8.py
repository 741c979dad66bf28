"""The int8 encoder: quantised from the fp32 export, verified by rank agreement, used for builds and
queries alike, recorded in the manifest, refused when an index's encoder is not what queries would use."""

import json
import shutil

import numpy as np
import pytest

from service.cli.main import main
from tests.conftest import DATA
from service.app.encoders import build_embedder, build_fingerprint, verification_texts
from service.app.runtime import build_settings, load_engine, onnx_cache
from service.app.settings import Settings
from service.core.errors import IndexMismatch
from service.evaluation.testset import DEFAULT_TESTSET, evaluate_mode, load_testset
from service.models.int8 import MIN_OVERLAP, MIN_TOP1, rank_agreement, verified_int8
from service.models.onnx import OnnxEmbedder, verified_export
from service.pipeline import build_index
from service.stores.disk.files import load_build


@pytest.fixture(scope="module")
def int8_settings(real_settings) -> Settings:
    """The brief indexed the way `briefqa index` does it by default (int8): the suite's own build."""
    assert real_settings.encoder == "int8"
    return real_settings


@pytest.mark.integration
def test_an_int8_build_records_its_encoder_and_serving_queries_with_it(int8_settings):
    model = load_build(int8_settings.index_dir).manifest["model"]
    assert model["encoder"] == "int8" and model["fingerprint"] == build_fingerprint(int8_settings)
    engine = load_engine(int8_settings)
    inner = engine.embedder.inner
    assert isinstance(inner, OnnxEmbedder) and inner.encoder == "int8"
    assert engine.ask("Where did the defence ministers meet?", 3).hits


@pytest.mark.integration
def test_the_int8_model_ranks_the_test_set_like_fp32(int8_settings, torch_embedder):
    weights = torch_embedder.fingerprint()
    folder = verified_int8(onnx_cache(int8_settings), weights)
    fp32 = OnnxEmbedder(verified_export(onnx_cache(int8_settings), weights), "m", weights)
    agreement = rank_agreement(fp32, OnnxEmbedder(folder, "m", weights), *verification_texts())
    assert agreement.top1 >= MIN_TOP1 and agreement.overlap_at_10 >= MIN_OVERLAP and agreement.min_cosine > 0.95
    assert json.loads((folder / "onnx.json").read_text())["agreement"] == agreement.__dict__


@pytest.mark.integration
def test_int8_keeps_the_test_set_figures_of_fp32(int8_settings, fp32_settings):
    questions = load_testset(DEFAULT_TESTSET)
    fast = evaluate_mode(load_engine(int8_settings), questions, "hybrid")
    slow = evaluate_mode(load_engine(fp32_settings), questions, "hybrid")
    for name in ("hit@5", "mrr@10"):
        assert abs(fast[name] - slow[name]) <= 0.005, (name, fast[name], slow[name])


@pytest.mark.integration
def test_an_index_is_refused_with_another_encoders_queries(int8_settings, fp32_settings, torch_embedder):
    with pytest.raises(IndexMismatch, match="int8 encoder"):
        load_engine(int8_settings, torch_embedder)  # torch fp32 queries on int8 vectors
    fast = load_engine(int8_settings).embedder
    with pytest.raises(IndexMismatch, match="encoder"):
        load_engine(fp32_settings, fast)  # int8 queries on fp32 vectors


@pytest.mark.integration
def test_an_int8_index_copied_without_its_int8_model_is_served_after_making_it(int8_settings, tmp_path):
    copy = Settings(corpus_dir=int8_settings.corpus_dir, index_dir=tmp_path / "index", onnx_cache=tmp_path / "onnx")
    shutil.copytree(int8_settings.index_dir, copy.index_dir)  # the build, without the session's ONNX cache
    assert not copy.onnx_cache.exists()
    engine = load_engine(copy)  # what `briefqa serve` does in a new folder: the int8 model is made once
    inner = engine.embedder.inner
    assert isinstance(inner, OnnxEmbedder) and inner.encoder == "int8"
    assert str(inner.folder).startswith(str(copy.onnx_cache))
    assert engine.ask("Where did the defence ministers meet?", 3).hits


@pytest.mark.integration
def test_an_int8_index_is_refused_with_the_fix_when_no_int8_model_can_be_made(int8_settings, tmp_path):
    copy = Settings(corpus_dir=int8_settings.corpus_dir, index_dir=tmp_path / "index", onnx=False)
    shutil.copytree(int8_settings.index_dir, copy.index_dir)
    with pytest.raises(IndexMismatch, match="run `briefqa index`"):
        load_engine(copy)


@pytest.mark.integration
def test_changing_the_encoder_makes_the_index_stale(int8_settings):
    fp32 = Settings(corpus_dir=int8_settings.corpus_dir, index_dir=int8_settings.index_dir, encoder="fp32")
    assert build_fingerprint(fp32) != build_fingerprint(int8_settings)
    again = build_index(build_settings(int8_settings), lambda: build_embedder(int8_settings),
                        fingerprint=build_fingerprint(int8_settings))
    assert again.up_to_date


@pytest.mark.integration
def test_batches_are_padded_per_batch_without_changing_vectors(real_settings, torch_embedder):
    weights = torch_embedder.fingerprint()
    fp32 = OnnxEmbedder(verified_export(onnx_cache(real_settings), weights), "m", weights)
    texts = ["x", "a much longer text about the Alliance Data Sharing Ecosystem and its priority areas " * 4, "ADSE"]
    together = fp32.encode(texts, batch_size=2)
    alone = np.vstack([fp32.encode([t]) for t in texts])
    assert np.min(np.sum(together * alone, axis=1)) >= 0.9999


@pytest.mark.integration
def test_briefqa_index_builds_int8_by_default_and_serves_it(int8_settings, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("BRIEFQA_ENCODER", raising=False)  # the shipped default
    index = tmp_path / "index"
    args = ["--corpus-dir", str(int8_settings.corpus_dir), "--index-dir", str(index)]
    assert main([*args, "index", "--quiet"]) == 0
    assert load_build(index).manifest["model"]["encoder"] == "int8"
    assert main([*args, "index"]) == 0 and "up to date" in capsys.readouterr().out
    assert main([*args, "ask", "what are the ADSE priority areas", "--json"]) == 0
    assert "undersea infrastructure" in json.loads(capsys.readouterr().out)["answer"]
    # the answer figures of README run on the index `briefqa index` made, with its encoder
    assert main([*args, "eval", "--answers", "brief", "--data", str(DATA), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["answers"]["brief"]
    assert figures["heldout"]["questions"] > 0 and figures["dev"]["abstain_recall"] is not None
