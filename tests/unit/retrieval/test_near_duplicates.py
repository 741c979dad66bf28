"""The same passage from two formats of one document is shown once (retrieval.distinct)."""

from __future__ import annotations

from service.ingest.loaders import registry
from service.retrieval.fusion import distinct, containment, shingles

TXT = "- **NATO established the Alliance Data Sharing Ecosystem (ADSE)** for defence and security."
PDF = "• NATO established the Alliance Data Sharing Ecosystem (ADSE) for defence and security."
OTHER = "Allies plan to acquire thousands of air defence and artillery systems."


def _run(rows, texts, docs, limit=10):
    return distinct(rows, lambda r: texts[r], lambda r: docs[r], limit)


def test_a_near_identical_passage_from_another_document_is_left_out_keeping_the_higher_ranked():
    texts = {0: PDF, 1: OTHER, 2: TXT}
    docs = {0: "brief.pdf", 1: "brief.pdf", 2: "brief.txt"}
    assert containment(shingles(TXT), shingles(PDF)) == 1.0
    assert _run([0, 1, 2], texts, docs) == [0, 1]
    assert _run([2, 0, 1], texts, docs) == [2, 1]


def test_passages_of_one_document_are_never_merged():
    texts = {0: TXT, 1: TXT + " More text follows here."}
    assert _run([0, 1], texts, {0: "a.txt", 1: "a.txt"}) == [0, 1]


def test_a_passage_sharing_less_than_half_is_kept_and_limit_counts_kept_rows():
    first = " ".join(f"alpha{i}" for i in range(20))
    partly = " ".join(f"alpha{i}" for i in range(8)) + " " + " ".join(f"beta{i}" for i in range(20))
    texts = {0: first, 1: partly, 2: PDF, 3: TXT}
    docs = {0: "a.txt", 1: "b.pdf", 2: "b.pdf", 3: "a.txt"}
    assert 0 < containment(shingles(first), shingles(partly)) < 0.5
    assert _run([0, 1, 2, 3], texts, docs, limit=3) == [0, 1, 2]
    assert _run([0, 3, 2, 1], texts, docs, limit=3) == [0, 3, 1]


def test_every_format_has_one_loader_by_suffix():
    kinds = {suffix: loader.kind for suffix, loader in registry().items()}
    assert kinds == {".txt": "txt", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".html": "html",
                     ".htm": "html", ".xhtml": "html", ".docx": "docx", ".png": "image", ".jpg": "image",
                     ".jpeg": "image", ".tif": "image", ".tiff": "image"}
