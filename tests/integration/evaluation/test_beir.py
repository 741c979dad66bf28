"""BEIR plumbing on a tiny hand-made dataset: loader, documents, cached index, pooling, scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.evaluation.beir import BeirIndexSettings, build_beir_index, load_beir, to_document
from service.ingest.chunking import ChunkSettings, split_document
from service.models.embedding import model_fingerprint
from service.core.errors import BriefqaError
from service.evaluation.testset import recall_curve, score_run
from service.answering.extractive import AnswerSettings
from service.pipeline import Engine, RetrievalSettings, passage_text
from service.core.records import Chunk
from service.evaluation.sweep import doc_ranking, document_run, for_mode, gather
from service.stores.disk.files import load_build
from service.evaluation.testset import DEFAULT_TESTSET

CORPUS = [
    {"_id": "d1", "title": "Penguins of Antarctica",
     "text": "Emperor penguins breed on sea ice during the polar winter. " * 6, "metadata": {}},
    {"_id": "d2", "title": "Volcanic soils",
     "text": "Basalt weathers into fertile soil rich in iron and magnesium.", "metadata": {}},
    {"_id": "d3", "title": "Insulin signalling",
     "text": "Insulin binds its receptor and triggers glucose uptake in muscle cells.", "metadata": {}},
    {"_id": "d4", "title": "", "text": "Tidal forces slowly lengthen the day on Earth.", "metadata": {}},
]
QUERIES = [
    {"_id": "1", "text": "where do emperor penguins breed", "metadata": {}},
    {"_id": "2", "text": "how does insulin trigger glucose uptake", "metadata": {}},
    {"_id": "3", "text": "what makes basalt soil fertile", "metadata": {}},
    {"_id": "9", "text": "a query nobody judged", "metadata": {}},
]


def write_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in CORPUS))
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUERIES))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n2\td3\t1\n")
    (folder / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\n3\td2\t1\n3\td4\t0\n")
    return folder


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    return write_beir(tmp_path / "tiny")


def test_loader_keeps_only_judged_queries_and_positive_grades(beir_dir):
    test = load_beir(beir_dir, "test")
    assert test.name == "tiny" and list(test.corpus) == ["d1", "d2", "d3", "d4"]
    assert test.queries == {"1": "where do emperor penguins breed", "2": "how does insulin trigger glucose uptake"}
    assert test.qrels == {"1": {"d1": 1}, "2": {"d3": 1}}
    assert load_beir(beir_dir, "train").qrels == {"3": {"d2": 1}}
    assert len(test.content_hash) == 64


def test_loader_errors_are_one_sentence(beir_dir, tmp_path):
    with pytest.raises(BriefqaError, match="dev.tsv is missing"):
        load_beir(beir_dir, "dev")
    with pytest.raises(BriefqaError, match="corpus.jsonl is missing"):
        load_beir(tmp_path, "test")
    (beir_dir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\n")
    with pytest.raises(BriefqaError, match="test.tsv:2"):
        load_beir(beir_dir, "test")


def test_title_is_the_section_heading_of_every_chunk():
    doc = to_document("d1", CORPUS[0]["title"], CORPUS[0]["text"], "section", "beir:tiny")
    assert doc.text.startswith("Penguins of Antarctica\n\nEmperor")
    chunks = split_document(doc, ChunkSettings(120, 20))
    assert len(chunks) > 2
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text and "Antarctica" not in c.text
        assert passage_text(c.section, c.text).startswith("Penguins of Antarctica\n")
    inline = to_document("d1", "T", "body", "inline", "s")
    assert inline.text == "T\n\nbody" and inline.sections == ()
    assert to_document("d1", "T", "body", "none", "s").text == "body"
    assert to_document("d4", "", "body", "section", "s").sections == ()


def test_a_document_scores_as_its_best_chunk():
    chunks = [Chunk(f"c{i}", doc, 0, 1, "x", ()) for i, doc in enumerate("abacb")]
    scores = {0: 0.9, 1: 0.8, 2: 0.7, 3: 0.5, 4: 0.4}  # rows of `chunks`
    assert doc_ranking(scores, chunks) == ["a", "b", "c"]
    assert doc_ranking(scores, chunks, n=2) == ["a", "b"]
    assert doc_ranking({2: 0.95, 1: 0.3, 3: 0.2}, chunks) == ["a", "b", "c"]


def test_index_is_cached_and_vectors_are_shared_between_settings(beir_dir, tmp_path, real_embedder):
    data = load_beir(beir_dir, "test")
    fp = real_embedder.fingerprint()  # the shipped encoder's (int8)
    small = BeirIndexSettings(ChunkSettings(120, 20))
    folder, first = build_beir_index(data, tmp_path / "idx", "all-MiniLM-L6-v2", small, lambda: real_embedder, fp)
    assert folder.parent == tmp_path / "idx" / "beir" and folder.name.startswith("tiny-")
    assert first.embedded == first.chunks > 4 and first.sentences == 0

    def no_model():
        raise AssertionError("a cached index must not load the model")

    same, again = build_beir_index(data, tmp_path / "idx", "all-MiniLM-L6-v2", small, no_model, fp)
    assert same == folder and again.up_to_date and again.embedded == 0

    big = BeirIndexSettings(ChunkSettings(1000, 100))  # short documents give the same chunks
    other, third = build_beir_index(data, tmp_path / "idx", "all-MiniLM-L6-v2", big, lambda: real_embedder, fp)
    assert other != folder and third.chunks == 4
    assert third.reused == 3 and third.embedded == 1  # only d1, now one chunk, is new


def test_every_mode_ranks_documents_and_scores_them(beir_dir, tmp_path, real_embedder):
    data = load_beir(beir_dir, "test")
    settings = BeirIndexSettings(ChunkSettings(120, 20))
    folder, _ = build_beir_index(data, tmp_path / "idx", "all-MiniLM-L6-v2", settings,
                                 lambda: real_embedder, None)
    index = load_build(folder)
    engine = Engine(index, real_embedder, RetrievalSettings(candidates=1000), AnswerSettings())
    rankings = gather(engine, data.queries)
    assert len(rankings["1"].dense) == len(index.data.chunks)  # fewer chunks than candidates: all of them
    for mode in ("dense", "bm25", "hybrid"):
        ranking = document_run(engine, rankings, for_mode(mode, RetrievalSettings()))
        assert all(len(set(r)) == len(r) for r in ranking.values())  # one entry per document
        assert ranking["1"][0] == "d1" and ranking["2"][0] == "d3", mode
        scores = score_run(ranking, data.qrels)
        assert scores["ndcg@10"] == scores["mrr@10"] == scores["recall@10"] == 1.0
        assert recall_curve(ranking, data.qrels, 3) == [1.0, 1.0, 1.0]


PT_QRELS = {"q1": {"d1": 1, "d4": 1, "d30": 1}, "q2": {"d9": 1}, "q3": {"d2": 2, "d3": 1}, "q4": {"d5": 1}}
PT_RUN = {
    "q1": ["d3", "d1", "d2"] + [f"d{i}" for i in range(10, 40)] + ["d4"],  # d4 at 34, d30 inside
    "q2": ["d1", "d2", "d3"],  # nothing relevant
    "q3": ["d3", "d7", "d2", "d8"],
    "q4": [f"x{i}" for i in range(11)] + ["d5"],  # first relevant at rank 12: MRR@10 = 0
}


@pytest.mark.parametrize("ours,theirs", [("ndcg@10", "ndcg_cut_10"), ("recall@10", "recall_10"),
                                         ("recall@100", "recall_100"), ("map", "map"), ("mrr@10", "recip_rank")])
def test_beir_scores_agree_with_trec_eval(ours, theirs):
    import pytrec_eval

    run = PT_RUN if theirs != "recip_rank" else {q: r[:10] for q, r in PT_RUN.items()}  # trec_eval's RR has no cut
    scored = {q: {d: float(len(r) - i) for i, d in enumerate(r)} for q, r in run.items()}
    per_query = pytrec_eval.RelevanceEvaluator(PT_QRELS, {theirs}).evaluate(scored)
    expected = sum(v[theirs] for v in per_query.values()) / len(per_query)
    assert score_run(PT_RUN, PT_QRELS)[ours] == pytest.approx(expected, abs=1e-4)  # ours rounds to 4 places
    assert 0 < expected < 1


@pytest.mark.integration
def test_eval_beir_cli_writes_the_report_and_reuses_its_index(beir_dir, tmp_path, real_settings, capsys):
    from service.cli.main import main

    out = tmp_path / "docs"
    testset = tmp_path / "questions.jsonl"  # two questions keep the project part of the report quick
    testset.write_text("\n".join(DEFAULT_TESTSET.read_text().splitlines()[:2]) + "\n")
    argv = ["--index-dir", str(real_settings.index_dir), "eval", "--beir", str(beir_dir), "-m", "hybrid",
            "--testset", str(testset), "--report", str(out), "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    first = json.loads(capsys.readouterr().out)
    assert not first["beir"]["index"]["cached"] and first["beir"]["index"]["embedded"] > 0
    assert first["beir"]["modes"]["hybrid"]["ndcg@10"] == 1.0
    assert first["sweep"]["split"] == "train" and len(first["sweep"]["rows"]) == 28
    report = (out / "EVALUATION.md").read_text()
    assert "## tiny (test split, 2 queries, 4 documents)" in report and "| hybrid | 1.0000 |" in report
    assert "## Fusion sweep on tiny train (1 queries)" in report and "max-pooling" in report
    assert "## The project's test set (2 questions" in report and "keep the project's test set" in report
    assert "one passage per abstract" in report
    assert (out / "recall-tiny-test.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(argv[:-5] + ["--json"]) == 0  # no report: BEIR only, from the cached index
    again = json.loads(capsys.readouterr().out)
    assert again["beir"]["index"]["cached"] and again["beir"]["index"]["embedded"] == 0
    assert again["beir"]["modes"] == first["beir"]["modes"] and "project" not in again


def test_eval_beir_cli_errors_are_one_line(tmp_path, capsys):
    from service.cli.main import main

    assert main(["--index-dir", str(tmp_path), "eval", "--beir", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefqa: error:") and "corpus.jsonl is missing" in err and err.count("\n") == 1


@pytest.mark.integration
def test_a_report_without_the_projects_index_fails_before_the_beir_runs(beir_dir, tmp_path, capsys):
    from service.cli.main import main

    index = tmp_path / "index"
    argv = ["--index-dir", str(index), "eval", "--beir", str(beir_dir), "--report", str(tmp_path / "docs")]
    assert main(argv) != 0
    assert "run `briefqa index`" in capsys.readouterr().err
    assert not (index / "beir").exists()  # nothing was built or embedded for the BEIR part
