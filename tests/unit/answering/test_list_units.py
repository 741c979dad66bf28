"""Structure-aware list units: a parent item's sub-items, an intro that ends in a full stop before a
bulleted list, and a section's bullet items kept whole."""

from service.answering.lists import items_after
from service.core.records import Document, Section
from service.pipeline.list_answer import _section_items

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
