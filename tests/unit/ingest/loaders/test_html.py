"""HTML loader: main content only, h1-h3 as sections."""

from __future__ import annotations

from service.ingest.corpus import load_document
from tests.conftest import BRIEF
from tests.formats import NAV_WORDS, SCRIPT_WORDS, write_html


def test_the_brief_as_a_web_page_keeps_content_and_drops_navigation_and_script(tmp_path):
    write_html(BRIEF.read_text(encoding="utf-8"), tmp_path / "brief.html")
    (tmp_path / "brief.txt").write_bytes(BRIEF.read_bytes())
    doc, txt = load_document(tmp_path / "brief.html", tmp_path), load_document(tmp_path / "brief.txt", tmp_path)
    for junk in (SCRIPT_WORDS, "font-family", "styled words", "Related: other briefs", "Cookie settings",
                 "NATO Parliamentary Assembly", *NAV_WORDS.split()):
        assert junk not in doc.text, junk
    assert [(s.title, s.level, s.path) for s in doc.sections] == [(s.title, s.level, s.path) for s in txt.sections]
    assert "The ADSE will focus on four priority areas: securing critical undersea infrastructure" in doc.text
    assert doc.page_at(0) is None


def test_article_header_entities_lists_and_breaks(tmp_path):
    page = """<html><head><title>Ignored when there are headings</title></head><body>
    <header>Site banner</header><nav>Menu</nav>
    <article><header><h1>Ministers  meet &amp; agree</h1></header>
      <p>Allies pledged   EUR&nbsp;40 billion<br>in security assistance.</p>
      <!-- a comment --><ul><li>one</li><li>two <b>bold</b><ul><li>nested</li></ul></li><li><p>three</p><p>more of three</p></li></ul>
      <h3>Details</h3><div>Plain <span>inline</span> text</div><h4>Minor</h4><p>End.</p>
      <footer>Article footnote kept</footer></article>
    <footer>Page footer</footer></body></html>"""
    (tmp_path / "p.htm").write_text(page, encoding="utf-8")
    doc = load_document(tmp_path / "p.htm", tmp_path)
    assert doc.text == ("Ministers meet & agree\n\nAllies pledged EUR 40 billion\nin security assistance."
                        "\n\n- one\n- two bold\n  - nested\n- three\n  more of three\n\nDetails\n\nPlain inline text\n\nMinor\n\nEnd.\n\nArticle footnote kept")
    assert [(s.title, s.level) for s in doc.sections] == [("Ministers meet & agree", 1), ("Details", 3)]
    assert doc.title == "Ministers meet & agree"


def test_title_element_names_a_page_without_headings(tmp_path):
    (tmp_path / "plain.html").write_bytes(
        "<html><head><meta charset='utf-8'><title>Défense – note</title></head><body><p>Text only.</p></body></html>"
        .encode("utf-8"))
    doc = load_document(tmp_path / "plain.html", tmp_path)
    assert doc.title == "Défense – note" and doc.text == "Text only."


def test_a_table_with_header_cells_is_its_caption_and_one_line_per_row_naming_the_headers():
    from service.ingest.loaders.html import HtmlLoader

    html = (b"<html><body><p>Before.</p><table><caption>Table 1: Shares</caption><thead><tr><th rowspan=2>Country</th>"
            b"<th colspan=2>Share of GDP</th></tr><tr><th>2014</th><th>2023</th></tr></thead><tbody>"
            b"<tr><td rowspan=2>Germany</td><td>1.19</td><td>1.57</td></tr><tr><td>1.2</td><td>1.6</td></tr>"
            b"<tr><td colspan=3>Europe</td></tr></tbody></table><p>After.</p></body></html>")
    assert HtmlLoader().load(html).text == (
        "Before.\n\nTable 1: Shares\n\nCountry: Germany; Share of GDP 2014: 1.19; Share of GDP 2023: 1.57\n"
        "Country: Germany; Share of GDP 2014: 1.2; Share of GDP 2023: 1.6\nEurope\n\nAfter.")


def test_a_table_without_header_cells_reads_as_before():
    from service.ingest.loaders.html import HtmlLoader

    html = b"<html><body><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table></body></html>"
    assert HtmlLoader().load(html).text == "a\n\nb\n\nc\n\nd"
