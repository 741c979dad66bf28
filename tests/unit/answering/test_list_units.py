"""Structure-aware list units: a parent item's sub-items, an intro that ends in a full stop before a
bulleted list, and a section's bullet items kept whole."""

from service.answering.extractive import Candidate
from service.answering.lists import enclosing_indent, items_after
from service.core.records import Document, Section, Sentence
from service.answering.list_answer import _introduces, _section_items, _whole

FOCUS = """Focus of the Meetings

- **Allied deterrence and defence**
 - Implementation of defence plans
 - Strengthening of air defence
- **Progress on support for Ukraine**
 - Establishing NSATU
"""


def test_a_parent_items_sub_items_end_at_the_next_item_of_its_level():
    at = FOCUS.index("defence**") + len("defence**")
    items = [FOCUS[i.start:i.end] for i in items_after(FOCUS, at)]
    assert items == ["Implementation of defence plans", "Strengthening of air defence"]
    whole = items_after(FOCUS, len("Focus of the Meetings"))
    assert [i.depth for i in whole] == [1, 2, 2, 1, 2]


RESTRICTIONS = """Reboot during a test
--------------------

The particular steps are:

1. The test calls `autopkgtest-reboot`.
2. The test needs to check the mark and jump to the appropriate point. A
   nonexisting variable means "start from the beginning".

Some testbeds support rebooting.
"""


def test_a_sections_bullet_items_are_whole_and_its_sentences_in_order():
    body = RESTRICTIONS.index("The particular")
    doc = Document("d", "t", "t", RESTRICTIONS, "x",
                   (Section("Reboot during a test", 1, 0, len(RESTRICTIONS), ("Reboot during a test",), body),))
    items = [(i.depth, " ".join(RESTRICTIONS[i.start:i.end].split())) for i in _section_items(doc, doc.sections[0])]
    assert items[0] == (0, "The particular steps are:")
    assert (1, 'The test needs to check the mark and jump to the appropriate point. A nonexisting variable means '
               '"start from the beginning".') in items
    assert items[-1] == (0, "Some testbeds support rebooting.")


FIELDS = """The fields which may appear in a stanza are:

- Restrictions: *restriction-name*

  Declares some restrictions or problems with the tests. See below for
  the defined restrictions.

- Features: *feature-name*
- Depends: *dpkg dependency field syntax*
  - @ stands for the package's own binaries
  - @builddeps@ stands for its build dependencies

The end.
"""


def test_a_sentence_inside_an_item_belongs_to_that_item_across_its_blank_lines():
    assert enclosing_indent(FIELDS, FIELDS.index("See below")) == 0
    assert enclosing_indent(FIELDS, FIELDS.index("Restrictions:")) == 0
    assert enclosing_indent(FIELDS, FIELDS.index("@builddeps@")) == 2
    assert enclosing_indent(FIELDS, FIELDS.index("The fields")) is None
    assert enclosing_indent(FIELDS, FIELDS.index("The end")) is None


def _candidate(text: str, sentence: str) -> Candidate:
    a = text.index(sentence)
    return Candidate(Sentence("d", a, a + len(sentence), sentence), 0, (1,), (0, 0))


def test_a_full_stop_inside_an_item_does_not_introduce_the_items_after_it():
    doc = Document("d", "t", "t", FIELDS, "x", ())
    assert not _introduces(doc, _candidate(FIELDS, "See below for\n  the defined restrictions."))
    assert _introduces(doc, _candidate(FIELDS, "The fields which may appear in a stanza are:"))


def test_the_section_of_a_documents_title_is_not_a_section_answer():
    doc = Document("d", "t", "t", FIELDS, "x", (Section("Title", 1, 0, len(FIELDS), ("Title",), 6),
                                                 Section("Depends", 2, 120, 200, ("Title", "Depends"), 130)))
    assert _whole(doc, doc.sections[0]) and not _whole(doc, doc.sections[1])


def test_a_short_title_section_is_front_matter_not_a_section_answer():
    """Apache-2.0's title heads only its version and address lines; "What does the Apache License say
    about trademarks?" was answered with them, as the section titled like the question."""
    text = "Apache License\nVersion 2.0, January 2004\n\nTERMS AND CONDITIONS\n\n" + "Body text. " * 40
    doc = Document("d", "Apache License", "apache.txt", text, "x",
                   (Section("Apache License", 1, 0, 40, ("Apache License",), 15),
                    Section("TERMS AND CONDITIONS", 1, 40, len(text), ("TERMS AND CONDITIONS",), 61)))
    assert _whole(doc, doc.sections[0]) and not _whole(doc, Section("Trademarks", 2, 60, 120, ("Trademarks",), 72))


def test_a_footnote_mark_after_a_full_stop_still_ends_the_intro_line():
    text = "Check these points in your review. [1]\n\n- Verify the upstream tarball.\n- Run lintian on it.\n"
    doc = Document("d", "t", "t", text, "x", ())
    assert _introduces(doc, _candidate(text, "Check these points in your review."))
    assert not _introduces(doc, _candidate(text, "Verify the upstream tarball."))
