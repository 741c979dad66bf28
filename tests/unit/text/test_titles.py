import pytest

from service.ingest.corpus import parse_document
from service.text.structure import detect_headings
from service.text.titles import MAX_TITLE_WORDS, title_line, titled

ABSTRACT = "Induction of myelodysplasia by myeloid-derived suppressor cells.\n\nMyelodysplastic syndromes are ...\n"


def test_a_short_first_line_before_a_blank_line_is_the_title():
    head = title_line(ABSTRACT)
    assert head is not None and head.level == 1
    assert head.title == "Induction of myelodysplasia by myeloid-derived suppressor cells."
    assert ABSTRACT[head.start:head.body] == head.title


def test_leading_blank_lines_and_indentation_keep_offsets_exact():
    text = "\n\n     The Debian Menu sub-policy\r\n\r\nBody text follows here.\n"
    head = title_line(text)
    assert head is not None and head.title == "The Debian Menu sub-policy"
    assert text[head.start:head.body].strip() == head.title and text[:head.start].strip() == ""


def test_a_centred_title_over_its_version_and_address_lines_is_the_title():
    """Debian's /usr/share/common-licenses/Apache-2.0 opens so: the title had been missed, and no passage
    of the licence was about the "Apache License" a question names."""
    text = ("\n                                 Apache License\n                           Version 2.0, January 2004\n"
            "                        http://www.apache.org/licenses/\n\n   TERMS AND CONDITIONS FOR USE\n\n   Body.\n")
    head = title_line(text)
    assert head is not None and head.title == "Apache License" and text[head.start:head.body].strip() == head.title
    # a wrapped paragraph is not a title block: its lines are not indented, or not short
    assert title_line("A first line\nwith no blank line after it\n\nBody.\n") is None
    assert title_line("    " + "word " * 14 + "\n    " + "word " * 14 + "\n\nBody.\n") is None
    assert title_line("    Apache License\n    Version 2.0\n") is None  # nothing after the block


@pytest.mark.parametrize("text", [
    " ".join(["word"] * (MAX_TITLE_WORDS + 1)) + "\n\nBody.\n",  # too many words
    "A" * 201 + "\n\nBody.\n",  # too long
    "A first line\nwith no blank line after it\n\nBody.\n",  # a paragraph, not a line on its own
    "- a list item\n\nBody.\n",
    "1. a numbered item\n\nBody.\n",
    "1.  Introduction\n\nBody.\n",  # a numbered section heading, not the document's title
    "| a | b |\n\nBody.\n",  # a table row
    "Dear colleagues,\n\nBody.\n",  # leads into what follows
    "Corresponding author:\n\nBody.\n",
    "This is one sentence. This is another one.\n\nBody.\n",  # two sentences: a paragraph
    "## not markdown here\n\nBody.\n",  # starts with markup
    "A one-line document\n",
    "A title and nothing after it\n\n\n",
    "12 34\n\nBody.\n",  # fewer than two letters
])
def test_lines_that_are_not_titles(text):
    assert title_line(text) is None


def test_abbreviations_do_not_split_the_title_into_sentences():
    assert title_line("Effects of e.g. caffeine on U.S. adults\n\nBody.\n") is not None


def test_the_title_heads_the_first_section_and_later_headings_nest_under_it():
    text = "Widget policy\n\nIntro text.\n\nScope\n\nWho it covers.\n\nGENERAL RULES\n\nThe rules.\n"
    doc = parse_document("w.txt", text.encode())
    assert doc.title == "Widget policy"
    assert [(s.title, s.level) for s in doc.sections] == [("Widget policy", 1), ("Scope", 2), ("GENERAL RULES", 1)]
    assert doc.section_path_at(text.index("Who it")) == ("Widget policy", "Scope")
    assert doc.section_path_at(text.index("The rules")) == ("GENERAL RULES",)


def test_a_first_line_already_a_top_heading_is_left_as_it_is():
    text = "NATO PARLIAMENTARY ASSEMBLY\n\nMEETING OF NATO MINISTERS OF DEFENCE\n\nText.\n"
    headings = detect_headings(text, "txt")
    assert titled(headings, text) == (headings, None)
    assert parse_document("b.txt", text.encode()).title == "MEETING OF NATO MINISTERS OF DEFENCE"


def test_markdown_without_a_hash_title_takes_its_first_line_and_a_hash_title_is_unchanged():
    plain = parse_document("a.md", b"Release notes\n\nWhat changed.\n\n## Fixes\n\nOne fix.\n")
    assert plain.title == "Release notes" and [s.path for s in plain.sections] == [
        ("Release notes",), ("Release notes", "Fixes")]
    hashed = parse_document("b.md", b"# Release notes\n\nWhat changed.\n")
    assert hashed.title == "Release notes" and hashed.sections[0].start == 0


def test_the_title_line_is_left_out_of_chunks_as_a_heading_line_is():
    from service.ingest.chunking import ChunkSettings, split_document

    doc = parse_document("a.txt", ABSTRACT.encode())
    [chunk] = split_document(doc, ChunkSettings())
    assert chunk.text == "Myelodysplastic syndromes are ..." and chunk.section == (doc.title,)
    assert doc.text[chunk.start:chunk.end] == chunk.text
