"""The PostgreSQL + pgvector store against a real PostgreSQL 18 server: the same rankings as the disk
store, versions written whole and flipped atomically, pruning, migrations, and clear errors."""

from __future__ import annotations

import psycopg
import pytest
from pydantic import SecretStr

from service.core.errors import ConfigError, IndexCorrupt, IndexMismatch, StoreUnavailable
from service.evaluation.testset import DEFAULT_TESTSET, evaluate, load_testset
from service.app.runtime import load_engine, open_store
from service.app.settings import Settings
from service.stores.pg.store import PgBuildOptions, PgStore
from service.stores.pg.db import PgOptions
from service.stores.pg.schema import LATEST, migrate, migrations, schema_version
from tests.conftest import add_paragraph, build_in_postgres, fake_build_into

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_engine(pg_url, real_settings, real_embedder):
    return load_engine(build_in_postgres(pg_url, real_settings, real_embedder, "pg_engine"))


def test_keyword_and_dense_rankings_match_the_disk_store(pg_engine, real_engine):
    for q in load_testset(DEFAULT_TESTSET):
        pg, disk = pg_engine.index.keyword_top(q.question, 100), real_engine.index.keyword_top(q.question, 100)
        assert pg.keys() == disk.keys(), q.qid
        assert all(abs(pg[r] - disk[r]) < 1e-4 for r in pg), q.qid
        vec = real_engine.embedder.encode([q.question])[0]
        pg_d, disk_d = pg_engine.index.dense_top(vec, 10), real_engine.index.dense_top(vec, 10)
        assert list(pg_d) == list(disk_d), q.qid
        assert all(abs(pg_d[r] - disk_d[r]) < 1e-4 for r in pg_d)


def test_test_set_scores_the_same_as_with_faiss(pg_engine, real_engine):
    pg = evaluate(pg_engine, load_testset(DEFAULT_TESTSET), ("hybrid", "dense", "bm25"))
    disk = evaluate(real_engine, load_testset(DEFAULT_TESTSET), ("hybrid", "dense", "bm25"))
    for mode in ("hybrid", "dense", "bm25"):
        assert abs(pg[mode]["hit@5"] - disk[mode]["hit@5"]) <= 0.02, mode
        assert abs(pg[mode]["mrr@10"] - disk[mode]["mrr@10"]) <= 0.02, mode
    assert pg["hybrid"]["hit@5"] >= 0.95


def test_passages_sentences_and_documents_are_exact(pg_engine):
    index = pg_engine.index
    docs = {d.doc_id: d for d in index.document_list()}
    chunks = index.all_chunks()
    assert len(chunks) == index.chunk_count
    for c in chunks:
        assert docs[c.doc_id].text[c.start:c.end] == c.text
    per_chunk, sentences, vectors = index.sentences_of([0, 1, 0])
    assert per_chunk[0] == per_chunk[2] and len(sentences) == len(vectors)
    for s in sentences:
        assert docs[s.doc_id].text[s.start:s.end] == s.text
    assert index.document("no such doc") is None


def test_versions_are_published_whole_and_old_ones_pruned(corpus, pg_database, fake):
    store = PgStore(pg_database, build=PgBuildOptions(grace_s=0))
    versions = []
    for i in range(4):
        add_paragraph(corpus, i)
        report = fake_build_into(corpus, store, fake, keep_builds=2)
        versions.append(report.version)
        assert store.current_version() == report.version
    assert store.has_version(versions[-1]) and store.has_version(versions[-2])
    assert not store.has_version(versions[0]) and not store.has_version(versions[1])
    with psycopg.connect(pg_database) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'briefqa_chunks_%'")}
    assert len(tables) == 2  # the pruned builds' partitions are gone
    again = fake_build_into(corpus, store, fake)
    assert again.up_to_date and again.version == versions[-1]
    store.close()


def test_a_build_that_dies_while_writing_leaves_nothing(corpus, pg_database, fake):
    store = PgStore(pg_database)
    first = fake_build_into(corpus, store, fake).version

    def die(point: str) -> None:
        if point == "writing":
            raise KeyboardInterrupt("killed while writing")

    add_paragraph(corpus, 1)
    with pytest.raises(KeyboardInterrupt):
        fake_build_into(corpus, store, fake, checkpoint=die)
    assert store.current_version() == first
    with psycopg.connect(pg_database) as conn:
        assert conn.execute("SELECT count(*) FROM briefqa_builds").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'briefqa_%\\_%' "
                            "AND tablename ~ '_[0-9]+$'").fetchone()[0] == 4  # one build's four partitions
    assert store.open().version == first
    store.close()


def test_migrations_apply_once_and_readers_never_migrate(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        assert schema_version(conn) == 0
    store = PgStore(pg_database)
    with pytest.raises(IndexMismatch, match="run `briefqa index`"):
        store.open()
    with psycopg.connect(pg_database, autocommit=True) as conn:
        assert len(migrate(conn)) == len(migrations())  # every migration file, applied once
        assert migrate(conn) == []
        assert schema_version(conn) == LATEST
    with pytest.raises(Exception, match="no index in the database"):
        store.open()
    store.close()


def test_bad_store_settings_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match="postgresql://"):
        open_store(Settings(index_dir=tmp_path, store=SecretStr("mysql://x")))
    unreachable = PgStore("postgresql://u:secret@127.0.0.1:1/db", PgOptions(timeout_s=0.5))
    with pytest.raises(StoreUnavailable) as err:
        unreachable.open()
    assert "secret" not in str(err.value) and "127.0.0.1:1" in str(err.value)
    unreachable.close()


def test_a_dropped_build_is_refused_when_opened(corpus, pg_database, fake):
    store = PgStore(pg_database)
    version = fake_build_into(corpus, store, fake).version
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("DELETE FROM briefqa_chunks WHERE row_no = 0")
    with pytest.raises(IndexCorrupt, match=version):
        store.open()
    store.close()


def test_migrate_command_applies_the_schema_once(pg_database, monkeypatch, capsys):
    from service.cli.main import main

    monkeypatch.setenv("BRIEFQA_STORE", pg_database)
    assert main(["migrate"]) == 0
    assert "applied 0001_initial.sql" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert f"schema {LATEST} is up to date" in capsys.readouterr().out
