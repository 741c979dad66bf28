"""Integration: plain-text documents whose title is a first line followed by a blank line, indexed by
`briefqa index` with the shipped defaults (real packaged model) and searched over HTTP: the title is
the document's title and the section of its passages, and citations are still the text at [start, end)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.cli.main import main
from service.http.app import create_app
from service.app.settings import Settings

pytestmark = pytest.mark.integration

ABSTRACTS = {
    "myelo.txt": "Induction of myelodysplasia by myeloid-derived suppressor cells.\n\n"
                 "Myelodysplastic syndromes are age-dependent stem cell malignancies that share biological "
                 "features of activated adaptive immune response and ineffective hematopoiesis.\n",
    "menu.txt": "   The Debian Menu sub-policy\n\nPackages that provide a program a user may start put a menu "
                "entry file in /usr/share/menu.\n\nSECTION NAMES\n\nThe section of a menu entry is one of "
                "the sections listed here.\n",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory, real_embedder):
    base = tmp_path_factory.mktemp("titles")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in ABSTRACTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    assert main(["--corpus-dir", str(corpus), "--index-dir", str(base / "index"), "index"]) == 0
    with TestClient(create_app(Settings(corpus_dir=corpus, index_dir=base / "index"))) as c:
        yield c


def test_a_plain_title_is_the_title_and_section_of_the_search_results(client):
    r = client.post("/v1/search", json={"query": "myelodysplastic syndromes stem cells", "top_k": 1})
    [hit] = r.json()["results"]
    assert hit["doc_id"] == "myelo.txt"
    assert hit["title"] == hit["section"] == "Induction of myelodysplasia by myeloid-derived suppressor cells."
    text = client.get("/v1/documents/myelo.txt").json()["text"]
    assert text[hit["start"]:hit["end"]] == hit["text"] and hit["text"].startswith("Myelodysplastic")


def test_later_headings_sit_under_the_title(client):
    r = client.post("/v1/search", json={"query": "which section does a menu entry have", "top_k": 3, "mode": "bm25"})
    sections = {h["section"] for h in r.json()["results"] if h["doc_id"] == "menu.txt"}
    assert "The Debian Menu sub-policy" in sections and "SECTION NAMES" in sections
    doc = client.get("/v1/documents/menu.txt").json()
    assert doc["title"] == "The Debian Menu sub-policy"
    assert [(s["title"], s["level"]) for s in doc["sections"]] == [("The Debian Menu sub-policy", 1), ("SECTION NAMES", 1)]
    first = doc["sections"][0]
    assert doc["text"][first["start"]:first["end"]].strip().startswith("The Debian Menu sub-policy")
