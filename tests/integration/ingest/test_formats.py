"""Integration: the brief as real PDF, DOCX and HTML files, indexed with the real model, answers
as the text version does; PDF citations carry their page; a corrupt file is named and skipped."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.cli.main import main
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.evaluation.testset import TestQuestion as Question
from service.pipeline import BuildReport, Engine, build_index
from service.app.runtime import build_settings, load_engine
from service.text.sentences import clean
from service.app.settings import Settings
from tests.conftest import BRIEF
from tests.formats import PdfLayout, write_docx, write_html, write_pdf

pytestmark = pytest.mark.integration
ADSE = "what are the ADSE priority areas"
KINDS = ("pdf", "docx", "html")
WRITERS = {"pdf": write_pdf, "docx": write_docx, "html": write_html}


@dataclass
class Built:
    settings: Settings
    engine: Engine
    report: BuildReport
    layout: Any = None


def _build(corpus: Path, real_embedder) -> Built:
    settings = Settings(corpus_dir=corpus, index_dir=corpus.parent / "index")
    report = build_index(build_settings(settings), lambda: real_embedder)
    return Built(settings, load_engine(settings), report)


@pytest.fixture(scope="module")
def formats(tmp_path_factory, real_embedder) -> dict[str, Built]:
    """One index per format, each holding only the brief written in that format."""
    out = {}
    for kind in KINDS:
        corpus = tmp_path_factory.mktemp(kind) / "corpus"
        corpus.mkdir()
        layout = WRITERS[kind](BRIEF.read_text(encoding="utf-8"), corpus / f"brief.{kind}")
        out[kind] = _build(corpus, real_embedder)
        out[kind].layout = layout
    return out


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, real_embedder, formats) -> Built:
    """The brief as .txt and as .pdf, beside a corrupt PDF and a broken DOCX."""
    corpus = tmp_path_factory.mktemp("mixed") / "corpus"
    corpus.mkdir()
    shutil.copy(BRIEF, corpus / "brief.txt")
    pdf = formats["pdf"].settings.corpus_dir / "brief.pdf"
    shutil.copy(pdf, corpus / "brief.pdf")
    (corpus / "corrupt.pdf").write_bytes(pdf.read_bytes()[:4000])
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 this is not a whole zip file")
    return _build(corpus, real_embedder)


def _norm(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def _evidence(engine: Engine, questions: list[Question]) -> dict[str, set[str]]:
    """qid -> the evidence strings found in the top 5 passages."""
    out = {}
    for q in questions:
        hits, _ = engine.search(q.question, 5)
        out[q.qid] = {e for e in q.evidence if any(_norm(e) in _norm(h.chunk.text) for h in hits)}
    return out


@pytest.fixture(scope="module")
def answerable() -> list[Question]:
    return [q for q in load_testset(DEFAULT_TESTSET) if q.answerable]


@pytest.fixture(scope="module")
def text_evidence(real_engine, answerable) -> dict[str, set[str]]:
    return _evidence(real_engine, answerable)


@pytest.mark.parametrize("kind", KINDS)
def test_test_set_questions_return_the_same_evidence_as_the_text_version(formats, answerable, text_evidence, kind):
    found = _evidence(formats[kind].engine, answerable)
    same = [qid for qid in found if found[qid] == text_evidence[qid]]
    with_evidence = [qid for qid in same if found[qid]]
    print(f"{kind}: {len(same)}/{len(answerable)} questions with the same evidence in the top 5 as the text, "
          f"{len(with_evidence)} of them with evidence found")
    assert "a53" in with_evidence  # the ADSE question
    assert len(with_evidence) >= 10 and len(same) >= 0.9 * len(answerable)


@pytest.mark.parametrize("kind", KINDS)
def test_the_adse_answer_is_the_same_from_every_format(formats, real_engine, kind):
    expected = real_engine.ask(ADSE, 5)
    answer = formats[kind].engine.ask(ADSE, 5)
    assert not answer.abstained and _norm(answer.text) == _norm(expected.text)
    assert "securing critical undersea infrastructure" in answer.text
    first = answer.hits[0].chunk
    assert "The ADSE will focus on four priority areas" in first.text
    assert first.section_label == "V. ADDITIONAL NOTES > Creation of an initiative to foster secure data sharing"


def _writer_page(doc, layout: PdfLayout, offset: int) -> int:
    """The page on which the PDF writer drew the first body word at or after `offset`."""
    heads = [(s.start, s.body_start) for s in doc.sections]
    words = [m for m in re.finditer(r"\S+", doc.text)
             if m.group() != "•" and not any(a <= m.start() < b for a, b in heads)]
    assert [m.group() for m in words] == [w for w, _ in layout.words]
    return next(layout.words[i][1] for i, m in enumerate(words) if m.start() >= offset)


def _contract(client: TestClient, body: dict, kind: str) -> None:
    for c in body["citations"]:
        doc = client.get(f"/v1/documents/{c['doc_id']}").json()
        assert doc["text"][c["start"]:c["end"]] == c["text"]
        assert (c["page"] is None) == (kind != "pdf")
    for sentence, markers in re.findall(r"(.+?)\s((?:\[\d+\])+)(?:\s|$)", body["answer"]):
        cited = [body["citations"][int(n) - 1]["text"] for n in re.findall(r"\d+", markers)]
        assert any(clean(sentence) in clean(text) for text in cited), sentence


@pytest.mark.parametrize("kind", KINDS)
def test_citation_contract_holds_for_every_format_over_http(formats, kind):
    built = formats[kind]
    app = create_app(built.settings, loader=lambda s: built.engine)
    with TestClient(app) as client:
        assert [d["doc_id"] for d in client.get("/v1/documents").json()["documents"]] == [f"brief.{kind}"]
        for q in load_testset(DEFAULT_TESTSET):
            r = client.post("/v1/ask", json={"question": q.question, "top_k": 5})
            assert r.status_code == 200, q.qid
            _contract(client, r.json(), kind)


def test_pdf_citations_carry_the_page_the_span_starts_on(formats):
    built = formats["pdf"]
    doc = built.engine.index.documents["brief.pdf"]
    app = create_app(built.settings, loader=lambda s: built.engine)
    pages = set()
    with TestClient(app) as client:
        for q in load_testset(DEFAULT_TESTSET):
            for c in client.post("/v1/ask", json={"question": q.question, "top_k": 5}).json()["citations"]:
                assert c["page"] == _writer_page(doc, built.layout, c["start"]), (q.qid, c["text"][:60])
                pages.add(c["page"])
        adse = client.post("/v1/ask", json={"question": ADSE}).json()["citations"][0]
    assert len(pages) >= 5, pages
    assert adse["page"] == _writer_page(doc, built.layout, doc.text.index("The ADSE will focus"))


def _long_sentences(text: str) -> set[str]:
    parts = (" ".join(re.findall(r"\w+", s.lower())) for s in re.split(r"(?<=[.!?])\s", text))
    return {p for p in parts if len(p.split()) >= 8}


def test_the_same_brief_as_txt_and_pdf_gives_no_duplicate_passages(mixed):
    engine = mixed.engine
    chunks = engine.index.data.chunks
    adse = [c for c in chunks if "The ADSE will focus on four priority areas" in c.text]
    assert {c.doc_id for c in adse} == {"brief.txt", "brief.pdf"}  # both copies are indexed
    for q in load_testset(DEFAULT_TESTSET):
        hits, _ = engine.search(q.question, 5)
        assert len(hits) == 5
        for i, a in enumerate(hits):
            for b in hits[:i]:
                if a.chunk.doc_id != b.chunk.doc_id:
                    shared = _long_sentences(a.chunk.text) & _long_sentences(b.chunk.text)
                    assert not shared, (q.qid, shared)
    answer = engine.ask(ADSE, 5)
    assert sum("The ADSE will focus" in h.chunk.text for h in answer.hits) == 1
    assert "securing critical undersea infrastructure" in answer.text


def test_a_corrupt_pdf_beside_good_files_is_named_and_the_good_files_still_answer(mixed, capsys):
    assert mixed.report.documents == 2
    assert sorted(Path(m.split(" ")[0]).name for m in mixed.report.skipped) == ["broken.docx", "corrupt.pdf"]
    assert any(re.search(r"corrupt\.pdf is not a readable PDF \(.+\)", m) for m in mixed.report.skipped)
    args = ["--corpus-dir", str(mixed.settings.corpus_dir), "--index-dir", str(mixed.settings.index_dir)]
    assert main([*args, "index"]) == 0
    out, err = capsys.readouterr()
    warnings = [line for line in err.splitlines() if line.startswith("briefqa: warning: skipped ")]
    assert len(warnings) == 2 and "corrupt.pdf is not a readable PDF" in err
    assert "broken.docx is not a readable Word document" in err
    assert "up to date" in out and "skipped 2 unreadable file(s)" in out
    assert main([*args, "ask", ADSE, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert "securing critical undersea infrastructure" in body["answer"]
    assert {c["doc_id"] for c in body["citations"]} <= {"brief.txt", "brief.pdf"}


def test_the_cli_shows_the_page_of_a_pdf_passage(formats, capsys):
    built = formats["pdf"]
    doc = built.engine.index.documents["brief.pdf"]
    page = _writer_page(doc, built.layout, doc.text.index("The ADSE will focus"))
    args = ["--corpus-dir", str(built.settings.corpus_dir), "--index-dir", str(built.settings.index_dir)]
    assert main([*args, "ask", ADSE]) == 0
    assert f"[1] brief.pdf p. {page} · V. ADDITIONAL NOTES > Creation" in capsys.readouterr().out
