"""Integration: the table corpus (tests/data/corpora/tables: an HTML standard, a PDF of a ruled
table running over three pages, a DOCX of NATO figures) read by the real loaders and indexed with
the shipped defaults (real packaged model): each body row is one line naming its headers, one
sentence and never cut by a chunk; a factoid question about a cell is answered by its row, cited with
its headers and cells over HTTP, and every citation is document.text[start:end]."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app.runtime import load_engine
from service.http.app import create_app
from service.ingest.corpus import load_corpus
from service.text.sentences import split_sentences
from service.text.tables import row_spans
from tests.conftest import default_build

pytestmark = pytest.mark.integration
TABLES = Path(__file__).resolve().parents[2] / "data" / "corpora" / "tables"


@pytest.fixture(scope="module")
def settings(tmp_path_factory, real_embedder):
    base = tmp_path_factory.mktemp("tables")
    shutil.copytree(TABLES, base / "corpus")
    return default_build(base / "corpus", base / "index", real_embedder)


def test_rows_of_every_format_name_their_headers():
    docs = {d.doc_id: d for d in load_corpus(TABLES)}
    assert "Ally: Germany; Share of GDP 2014 (%): 1.19; Share of GDP 2023, estimate (%): 1.57\n" in \
        docs["nato-defence-expenditure-2014-2023.docx"].text
    assert "\nDirectory: boot; Description: Static files of the boot loader\n" in docs["fhs-3.0.html"].text
    teams = docs["translation-teams.pdf"].text
    assert "\nLanguage: Wolof; Code: wo; Team address: translation-team-wo@lists.sourceforge.net\n" in teams
    assert len(row_spans(teams)) == 93 and "Maltese: " not in teams  # the table goes on over three pages under its headers


def test_each_row_is_one_sentence_and_no_chunk_cuts_a_row(settings):
    engine = load_engine(settings)
    docs = {d.doc_id: d for d in engine.index.document_list()}
    for doc_id, doc in docs.items():
        rows = row_spans(doc.text)
        sentences = {(s.start, s.end) for s in split_sentences(doc_id, doc.text)}
        assert rows and all(r in sentences for r in rows)
        chunks = [c for c in engine.index.all_chunks() if c.doc_id == doc_id]
        assert chunks
        for c in chunks:
            assert doc.text[c.start:c.end] == c.text
            assert not any(s < c.start < e or s < c.end < e for s, e in rows)


@pytest.mark.parametrize("question, row", [
    ("What share of GDP did Germany spend on defence in 2023?",
     "Ally: Germany; Share of GDP 2014 (%): 1.19; Share of GDP 2023, estimate (%): 1.57"),
    ("What is the code for Mandarin Chinese?", "Language: Mandarin Chinese; Code: cmn; Team address: hant-l10n@freelists.org"),
    ("Which command is the utility to change file group ownership?",
     "Command: chgrp; Description: Utility to change file group ownership"),
])
def test_a_question_about_a_cell_gets_its_row_cited_with_headers(settings, question, row):
    with TestClient(create_app(settings)) as client:
        body = client.post("/v1/ask", json={"question": question}).json()
        assert body["sentences"][0]["text"] == row
        cited = next(c for c in body["citations"] if c["n"] == body["sentences"][0]["citations"][0])
        assert cited["table"]["rows"][0] == [cell for _, cell in (p.split(": ", 1) for p in row.split("; "))]
        for c in body["citations"]:
            text = client.get(f"/v1/documents/{c['doc_id']}").json()["text"]
            assert text[c["start"]:c["end"]] == c["text"]
