from service.ingest.corpus import load_document
from service.text.structure import detect_headings, sections_from_headings


def test_brief_top_sections_and_subheadings_are_found(corpus):
    doc = load_document(corpus / "nato-pa-defence-ministers-2024-10.txt", corpus)
    paths = {" > ".join(s.path) for s in doc.sections}
    for top in ("I. ALLIED DETERRENCE AND DEFENCE", "II. SUPPORT FOR UKRAINE",
                "III. DEEPENING NATO’S RELATIONS WITH INDO-PACIFIC PARTNERS",
                "IV. REVIEW OF NATO OPERATIONS IN IRAQ AND KOSOVO", "V. ADDITIONAL NOTES"):
        assert top in paths
    assert "II. SUPPORT FOR UKRAINE > Financial pledge for military assistance" in paths
    assert "I. ALLIED DETERRENCE AND DEFENCE > Strengthening air and missile defence" in paths


def test_section_spans_cover_their_heading_and_stop_at_the_next(corpus):
    doc = load_document(corpus / "nato-pa-defence-ministers-2024-10.txt", corpus)
    ukraine = next(s for s in doc.sections if s.title == "II. SUPPORT FOR UKRAINE")
    assert doc.text[ukraine.start:].startswith("II. SUPPORT FOR UKRAINE")
    assert doc.text[ukraine.end:].startswith("III. ")
    assert doc.section_path_at(doc.text.index("EUR 40 billion")) == (
        "II. SUPPORT FOR UKRAINE", "Financial pledge for military assistance")


def test_markdown_headings_nest_and_ignore_code_fences():
    text = "# Title\n\nintro\n\n## Part A\n\ntext\n\n```\n# not a heading\n```\n\n## Part B\n\nmore\n"
    sections = sections_from_headings(detect_headings(text, "md"), len(text))
    assert [s.path for s in sections] == [("Title",), ("Title", "Part A"), ("Title", "Part B")]
    part_a = sections[1]
    assert text[part_a.start:part_a.end].startswith("## Part A") and "Part B" not in text[part_a.start:part_a.end]


def test_bullets_and_sentences_are_not_headings():
    text = "INTRO HEADING\n\n- a bullet line\n\nA sentence that ends with a period.\n\nShort heading\n\nbody text here.\n"
    titles = [h.title for h in detect_headings(text, "txt")]
    assert titles == ["INTRO HEADING", "Short heading"]


def test_a_copyright_notice_is_body_text_not_a_heading():
    # read as a heading, the notice's names could never be an answer to "who wrote the menu policy?"
    text = ("The Debian Menu sub-policy\n\n   Copyright © 1999 Chris Waters, Joey Hess\n\n"
            "   These are the copyright dates.\n\nCopyright (C) 2004 Jane Doe\n\nMore body text here.\n")
    titles = [h.title for h in detect_headings(text, "txt")]
    assert titles == ["The Debian Menu sub-policy"]


def test_a_title_blocks_author_lines_are_not_sections():
    text = ("Debian Perl Policy\n\n  Raphael Hertzog\n\n  Brendan O'Dea\n\n  The Debian Policy Mailing List\n\n"
            "   <debian-policy@lists.debian.org>\n\n   Copyright © 1999 Raphael Hertzog\n\nAbstract\n\n   Body.\n\n"
            "Applications\n\nGames\n\n   Games and recreations.\n")
    titles = [h.title for h in detect_headings(text, "txt")]
    assert titles == ["Debian Perl Policy", "Abstract", "Applications", "Games"]  # stacked lines after body stay


SETEXT = """Autopkgtest - Defining tests
============================

Overview
--------

Tests are run.

Table of Contents

   3.1. Template information

   4. Frontends

3.1.  Template information

   So, what do we need to store? A name.

Table 1. Available data types

   string, boolean.
"""


def test_underlined_and_numbered_headings_of_plain_text_and_no_contents_entries():
    heads = detect_headings(SETEXT, "txt")
    titles = [(h.level, h.title) for h in heads]
    assert (1, "Autopkgtest - Defining tests") in titles and (2, "Overview") in titles
    numbered = [h for h in heads if "Template information" in h.title]
    assert len(numbered) == 1 and SETEXT.index("3.1.  Template") == numbered[0].start  # the contents entry is gone
    assert numbered[0].level == 2
    assert not any(h.title.startswith("Table 1") for h in heads)  # a caption is not a heading
    over = [h for h in heads if h.title == "Overview"][0]
    assert SETEXT[over.start:over.body].endswith("--------")
