"""A text document's title: its first line, when short and followed by a blank line.

Markdown marks a title with `# `; plain text writes it as a first line on its own. That line becomes
the document's title and a level-1 heading over the first section, as a Markdown `# title` is, with
exact offsets (the heading line is the document's own text, nothing is rewritten)."""

from __future__ import annotations

import re

from service.text.sentences import sentence_count
from service.text.structure import Heading, is_list_item, is_numbered_heading
from service.text.tables import is_row

MAX_TITLE_CHARS = 200  # a long scientific title runs to about 25 words; a paragraph rarely this short
MAX_TITLE_WORDS = 25
_LEADS_ON = ",;:"  # a line ending so introduces what follows: "Dear colleagues,", "Corresponding author:"
_OPENS = "\"'“‘(`"  # a title may open with a quote or a parenthesis; other marks are markup or bullets
_LETTERS = re.compile(r"[^\W\d_]")
MAX_BLOCK_LINES, MAX_BLOCK_CHARS, MIN_INDENT = 4, 60, 4  # a centred title block (see _centred_block)


def title_line(text: str) -> Heading | None:
    """The first non-blank line as a level-1 heading when it reads as a title, else None.

    A title is followed by a blank line (or heads a centred title block, `_centred_block`) and then more
    text (a one-line document has no title line), is at most one sentence of at most MAX_TITLE_WORDS
    words and MAX_TITLE_CHARS characters, has at least two letters, and is not a list item, a numbered
    section heading or a table row, does not start with markup, and does not end in a comma, semicolon
    or colon."""
    pos, lines = 0, text.splitlines(keepends=True)
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if line.strip():
            after = lines[i + 1:]
            block = _centred_block(lines[i:])
            if block:  # "Apache License" over its centred "Version 2.0, January 2004" and URL lines
                after = lines[i + block:]
            elif not after or after[0].strip():
                return None
            if not any(x.strip() for x in after[1:]):
                return None
            return Heading(line.strip(), 1, pos, pos + len(line)) if _reads_as_title(line) else None
        pos += len(raw)
    return None


def _centred_block(lines: list[str]) -> int:
    """How many lines the centred title block opening `lines` has (0: none): two to four indented short
    lines with no blank line between them, then a blank line, as plain-text licences and RFCs set a title
    over its version, date and address."""
    n = 0
    while n < len(lines) and lines[n].strip() and n <= MAX_BLOCK_LINES:
        line = lines[n].rstrip("\r\n")
        if len(line.strip()) > MAX_BLOCK_CHARS or len(line) - len(line.lstrip()) < MIN_INDENT:
            return 0
        n += 1
    return n if 2 <= n <= MAX_BLOCK_LINES and n < len(lines) else 0


def _reads_as_title(line: str) -> bool:
    s = line.strip()
    return (
        len(s) <= MAX_TITLE_CHARS
        and len(s.split()) <= MAX_TITLE_WORDS
        and len(_LETTERS.findall(s)) >= 2
        and (s[0].isalnum() or s[0] in _OPENS)
        and s[-1] not in _LEADS_ON
        and not is_list_item(line)
        and not is_numbered_heading(s)
        and not is_row(s)
        and sentence_count(s) == 1
    )


def titled(headings: list[Heading], text: str) -> tuple[list[Heading], str | None]:
    """`headings` with the title line as their first, level-1 heading, and the title (None: no title line).

    A first line that is already a level-1 heading (in capitals, underlined, `# ` in Markdown) is
    left as it is and the title is chosen among the top headings as before; a first line taken as
    a lower heading (a short standalone line) is raised to level 1."""
    head = title_line(text)
    if head is None or any(h.start == head.start and h.level == 1 for h in headings):
        return headings, None
    return [head, *(h for h in headings if h.start != head.start)], head.title
