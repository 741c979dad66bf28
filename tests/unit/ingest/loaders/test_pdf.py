"""PDF loader on a real PDF of the brief laid out on several pages by reportlab: words and their
pages as the writer drew them, running header/footer and page numbers left out, hyphenation
joined, ligatures expanded, sections from font sizes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from service.ingest.chunking import ChunkSettings, split_document
from service.ingest.corpus import load_document
from service.core.errors import CorpusError
from service.ingest.loaders._pdf_layout import Line, assemble
from tests.conftest import BRIEF
from tests.formats import HEADER, PdfLayout, write_pdf


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, PdfLayout]:
    folder = tmp_path_factory.mktemp("pdf")
    layout = write_pdf(BRIEF.read_text(encoding="utf-8"), folder / "brief.pdf")
    shutil.copy(BRIEF, folder / "brief.txt")
    return folder, layout


@pytest.fixture(scope="module")
def doc(written):
    folder, _ = written
    return load_document(folder / "brief.pdf", folder)


def body_words(doc) -> list[tuple[str, int, int]]:
    """(word, offset, page) of the text outside headings, list bullets left out."""
    heads = [(s.start, s.body_start) for s in doc.sections]
    return [(m.group(), m.start(), doc.page_at(m.start())) for m in re.finditer(r"\S+", doc.text)
            if m.group() != "•" and not any(a <= m.start() < b for a, b in heads)]


def test_every_word_is_on_the_page_the_writer_put_it(doc, written):
    _, layout = written
    assert layout.pages >= 5 and len(doc.pages) == layout.pages
    assert [(w, p) for w, _, p in body_words(doc)] == layout.words


def test_running_header_footer_and_page_numbers_are_left_out(doc, written):
    folder, layout = written
    with pdfplumber.open(folder / "brief.pdf") as pdf:
        raw = "\n".join(page.extract_text() for page in pdf.pages)
    assert raw.count(HEADER) == layout.pages - 1 and "Page 3" in raw  # the writer drew them
    assert HEADER not in doc.text and not re.search(r"Page \d", doc.text)


def test_hyphenation_at_line_ends_is_joined(doc, written):
    _, layout = written
    assert len(layout.hyphenated) >= 5
    for prefix, rest in layout.hyphenated:
        assert re.search(rf"\b{prefix[:-1]}{rest}\b", doc.text), prefix + rest
        assert prefix + " " + rest not in doc.text and prefix + "\n" not in doc.text


def test_ligatures_are_expanded(doc, written):
    folder, _ = written
    with pdfplumber.open(folder / "brief.pdf") as pdf:
        glyphs = sum(c["text"] in "\ufb01\ufb02" for page in pdf.pages for c in page.chars)
    assert glyphs >= 10  # the PDF holds real fi/fl ligature glyphs
    assert not re.search("[\ufb00-\ufb06]", doc.text)
    words = set(re.findall(r"\w*f[il]\w*", BRIEF.read_text(encoding="utf-8")))
    assert len(words) >= 10 and all(w in doc.text for w in words)


def test_sections_from_font_sizes_match_the_text_version(doc, written):
    folder, _ = written
    txt = load_document(folder / "brief.txt", folder)
    assert [(s.title, s.level, s.path) for s in doc.sections] == [(s.title, s.level, s.path) for s in txt.sections]
    for s in doc.sections:
        assert " ".join(doc.text[s.start:s.body_start].split()) == s.title
    assert doc.title == "MEETING OF NATO MINISTERS OF DEFENCE"


def test_a_chunk_carries_the_page_where_it_starts(doc, written):
    words = body_words(doc)
    chunks = split_document(doc, ChunkSettings(300, 40))
    pages = set()
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start:chunk.end]
        first = next(w for w in words if w[1] >= chunk.start)
        assert chunk.page == first[2], chunk.text[:60]
        pages.add(chunk.page)
    assert pages == set(range(1, len(doc.pages) + 1))


def test_pdf_title_comes_from_its_metadata(tmp_path):
    write_pdf(BRIEF.read_text(encoding="utf-8"), tmp_path / "b.pdf", title="Defence ministers, October 2024")
    assert load_document(tmp_path / "b.pdf", tmp_path).title == "Defence ministers, October 2024"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "header-only"])
def test_a_corrupt_pdf_is_named_with_the_reason(written, tmp_path, damage):
    good = (written[0] / "brief.pdf").read_bytes()
    data = {"truncated": good[: len(good) // 3], "garbage": b"\x00\x13 not a pdf at all" * 50,
            "header-only": b"%PDF-1.7\n%%EOF\n"}[damage]
    (tmp_path / "broken.pdf").write_bytes(data)
    with pytest.raises(CorpusError, match=r"broken\.pdf is not a readable PDF \(.+\)$"):
        load_document(tmp_path / "broken.pdf", tmp_path)


def test_an_encrypted_pdf_is_named(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp_path / "locked.pdf"), encrypt=StandardEncryption("user-secret", "owner-secret"))
    canvas.drawString(72, 720, "Confidential defence planning text.")
    canvas.save()
    with pytest.raises(CorpusError, match=r"locked\.pdf is an encrypted PDF that needs a password"):
        load_document(tmp_path / "locked.pdf", tmp_path)


def test_a_pdf_without_a_text_layer_says_so(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp_path / "scan.pdf"))
    canvas.rect(72, 72, 300, 400, fill=1)
    canvas.save()
    with pytest.raises(CorpusError, match=r"scan\.pdf has no text layer"):
        load_document(tmp_path / "scan.pdf", tmp_path)


def _line(text: str, top: float, page: int = 0, x1: float = 500.0) -> Line:
    return Line(text, page, top, top + 10, x1, 10.0, 800.0)


def test_only_lower_case_continuations_undo_a_line_end_hyphen():
    lines = [_line("a well-", 100), _line("known fact and the force-", 113), _line("Contributing nations", 126)]
    assert assemble([lines]).text == "a wellknown fact and the force- Contributing nations"


def test_a_paragraph_running_over_a_page_break_is_one_paragraph():
    page1 = [_line("The first line of a long paragraph that", 100), _line("runs on to the next page", 113)]
    page2 = [_line("and ends there.", 100, 1, 200), _line("A new paragraph.", 130, 1, 180)]
    loaded = assemble([page1, page2])
    assert loaded.text == ("The first line of a long paragraph that runs on to the next page and ends there."
                           "\n\nA new paragraph.")
    assert loaded.pages == (0, loaded.text.index("and ends"))


def test_sections_come_from_the_outline_when_headings_are_not_set_larger(written, tmp_path):
    folder, _ = written
    txt = load_document(folder / "brief.txt", folder)
    text = BRIEF.read_text(encoding="utf-8")
    write_pdf(text, tmp_path / "outlined.pdf", outline=True, flat=True)
    write_pdf(text, tmp_path / "plain.pdf", flat=True)
    outlined = load_document(tmp_path / "outlined.pdf", tmp_path)
    assert [(s.title, s.level, s.path) for s in outlined.sections] == [(s.title, s.level, s.path) for s in txt.sections]
    assert load_document(tmp_path / "plain.pdf", tmp_path).sections == ()  # no outline, no larger fonts


def test_the_words_of_a_pdf_without_space_characters_are_read_apart():
    """Justified TeX output places words without space characters; a fixed 3 pt gap glued them
    ("Therequiredpackagesarecalledbuild-essential"), which neither BM25 nor the embedder matches."""
    fixture = Path(__file__).parents[3] / "data/corpora/scanned-policy/policy-pages-text.pdf"
    text = load_document(fixture, fixture.parent).text
    assert "The required packages are called build-essential" in text
    assert "build-time dependencies depends on them" in text
    words = re.findall(r"[A-Za-z]+", text)
    assert len(words) > 1000
    assert [w for w in words if len(w) >= 22] == []


def test_a_running_header_whose_text_changes_with_the_chapter_is_left_out():
    """TeX books put the chapter and section in the header ("CHAPTER 7. BASICS OF ..."): no two pages
    repeat it, but it sits set apart at the same place on most pages."""
    pages = []
    for p in range(4):
        header = [] if p == 0 else [Line(f"CHAPTER {p}. {['', 'SCOPE', 'DUTIES', 'RESOURCES'][p]} OF THIS DOCUMENT", p, 38.0, 47.0, 500.0, 10.0, 842.0)]
        body = [Line(f"{'Alpha Bravo Charlie Delta'.split()[p]} {'abcde'[i]} says something long enough here.", p, 80.0 + 14 * i,
                     90.0 + 14 * i, 500.0, 10.0, 842.0) for i in range(5)]
        pages.append(header + body)
    text = assemble(pages, None).text
    assert "CHAPTER" not in text
    assert all(f"{word} a says" in text for word in "Alpha Bravo Charlie Delta".split())
