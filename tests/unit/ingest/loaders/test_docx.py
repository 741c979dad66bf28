"""DOCX loader on real Word files written by python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from service.ingest.corpus import load_document
from service.core.errors import CorpusError
from tests.conftest import BRIEF
from tests.formats import write_docx


def test_the_brief_as_docx_has_the_text_versions_sections(tmp_path):
    write_docx(BRIEF.read_text(encoding="utf-8"), tmp_path / "brief.docx")
    (tmp_path / "brief.txt").write_bytes(BRIEF.read_bytes())
    doc, txt = load_document(tmp_path / "brief.docx", tmp_path), load_document(tmp_path / "brief.txt", tmp_path)
    assert [(s.title, s.level, s.path) for s in doc.sections] == [(s.title, s.level, s.path) for s in txt.sections]
    for s in doc.sections:
        assert doc.text[s.start:s.body_start] == s.title
    assert "The ADSE will focus on four priority areas: securing critical undersea infrastructure" in doc.text
    assert "**" not in doc.text and doc.page_at(100) is None


def test_paragraphs_list_items_and_tables_in_reading_order(tmp_path):
    d = docx.Document()
    d.core_properties.title = "Air defence note"
    d.add_paragraph("Note title", style="Title")
    d.add_heading("Context", level=1)
    d.add_paragraph("First   paragraph\twith odd  spacing.")
    d.add_paragraph("one item", style="List Bullet")
    d.add_paragraph("another item", style="List Number")
    d.add_paragraph("a nested item", style="List Bullet 2")
    d.add_heading("Figures", level=2)
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate([["Ally", "Patriots"], ["Romania", "1"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("After the table.")
    d.save(tmp_path / "note.docx")
    doc = load_document(tmp_path / "note.docx", tmp_path)
    assert doc.text == ("Note title\n\nContext\n\nFirst paragraph with odd spacing.\n\n- one item\n- another item\n  - a nested item"
                        "\n\nFigures\n\nAlly: Romania; Patriots: 1\n\nAfter the table.")
    assert doc.title == "Air defence note"
    assert [(s.title, s.level, s.path) for s in doc.sections] == [
        ("Context", 1, ("Context",)), ("Figures", 2, ("Context", "Figures"))]


@pytest.mark.parametrize("damage", ["not-a-zip", "zip-without-document", "truncated"])
def test_a_broken_docx_is_named_with_the_reason(tmp_path, damage):
    good = io.BytesIO()
    docx.Document().save(good)
    if damage == "not-a-zip":
        data = b"this is not a word file"
    elif damage == "truncated":
        data = good.getvalue()[:2000]
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "no word document here")
        data = buf.getvalue()
    (tmp_path / "broken.docx").write_bytes(data)
    with pytest.raises(CorpusError, match=r"broken\.docx is not a readable Word document \(.+\)"):
        load_document(tmp_path / "broken.docx", tmp_path)
