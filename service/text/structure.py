"""Headings and sections of plain text and Markdown, with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.core.records import Section

_ROMAN = re.compile(r"^(?:[IVXLC]+|[A-Z]|\d+)\.\s+\S")
_MD = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s")
_MAX_HEADING = 120
_CAPTION = re.compile(r"^(?:Table|Figure|Example|Listing)[\s\xa0]*\d", re.I)  # a caption, not a heading
# a copyright notice ("Copyright © 1999 Chris Waters, Joey Hess") is a statement of who holds the rights,
# not the title of what follows: read as a heading, its names could never be an answer sentence
_NOTICE = re.compile(r"^(?:Copyright\b|\(C\)\s*\d)|©", re.I)
_UNDERLINE = re.compile(r"^\s*([=\-~^*#+`'])\1{2,}\s*$")  # a setext / reStructuredText underline
# "3.1. Template information", "1.  Introduction" (two spaces: a list item has one)
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+[A-Z]|^(\d{1,2})\.(?:\s{2,}|\xa0)\s*[A-Z]")


@dataclass(frozen=True)
class Heading:
    title: str
    level: int
    start: int  # offset of the heading's first character
    body: int  # offset just after the heading's last line


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def is_list_item(line: str) -> bool:
    return bool(_BULLET.match(line))


def is_numbered_heading(line: str) -> bool:
    """A numbered section heading: "3.1. Template information", "1.  Introduction"."""
    return bool(_NUMBERED.match(line.strip()))


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and len(line.split()) >= 2


def _is_subheading(line: str) -> bool:
    s = line.strip()
    return (
        0 < len(s) <= 100
        and s[0].isupper()
        and not _BULLET.match(line)
        and s[-1] not in ".,;:!?”\"'"
        and "**" not in s
        and not _CAPTION.match(s)
        and not _NOTICE.search(s)
    )


def _text_headings(text: str) -> list[Heading]:
    """Plain text: all-caps or numbered lines are level 1, short standalone lines level 2."""
    lines = _lines(text)
    blank = [not line.strip() for _, line in lines]
    heads: list[Heading] = []
    standalone: set[int] = set()  # indices in heads of the short standalone lines (the weakest evidence)
    styles: list[str] = []  # underline characters in order of first use: the first marks level 1
    i = 0
    while i < len(lines):
        start, line = lines[i]
        before_blank = i == 0 or blank[i - 1]
        s = line.strip()
        under = _UNDERLINE.match(lines[i + 1][1]) if i + 1 < len(lines) and s else None
        if under and not _UNDERLINE.match(line) and len(lines[i + 1][1].strip()) >= 0.5 * len(s) \
                and len(s) <= _MAX_HEADING and not _BULLET.match(line):
            if under.group(1) not in styles:
                styles.append(under.group(1))
            body = lines[i + 1][0] + len(lines[i + 1][1])
            heads.append(Heading(s, styles.index(under.group(1)) + 1, start, body))
            i += 2
            continue
        numbered = _NUMBERED.match(s)
        if numbered and before_blank and (i + 1 >= len(lines) or blank[i + 1]) and len(s) <= 100 \
                and s[-1] not in ".,;:!?":
            heads.append(Heading(s, (numbered.group(1) or numbered.group(2)).count(".") + 1, start, start + len(line)))
            i += 1
            continue
        if not s or not before_blank or len(s) > _MAX_HEADING or _BULLET.match(line):
            i += 1
            continue
        if _is_caps(s) or (_ROMAN.match(s) and _is_caps(s.split(None, 1)[1])):
            j = i + 1  # consecutive caps lines form one heading
            while j < len(lines) and lines[j][1].strip() and _is_caps(lines[j][1].strip()):
                j += 1
            title = " ".join(lines[k][1].strip() for k in range(i, j))
            heads.append(Heading(title, 1, start, lines[j - 1][0] + len(lines[j - 1][1])))
            i = j
            continue
        after_blank = i + 1 >= len(lines) or blank[i + 1]
        if after_blank and _is_subheading(line) and i + 1 < len(lines):
            heads.append(Heading(s, 2, start, start + len(line)))
            standalone.add(len(heads) - 1)
        i += 1
    return _without_contents(_without_title_block(heads, standalone, text), text)


def _without_title_block(heads: list[Heading], standalone: set[int], text: str) -> list[Heading]:
    """Drop the short standalone lines stacked under the document's first heading with nothing but blank
    lines between them: a title block's authors and publisher ("Chris Waters", "Joey Hess", "The Debian
    Policy Mailing List"), not sections. The title stays; so does everything after the first body text."""
    n = 1
    while n < len(heads) and n in standalone and not text[heads[n - 1].body:heads[n].start].strip():
        n += 1
    return heads[:1] + heads[n:]


def _without_contents(heads: list[Heading], text: str) -> list[Heading]:
    """Drop the entries of a table of contents: a heading whose title comes again later and whose
    text up to the next heading has no line ending a sentence."""
    out = []
    for i, h in enumerate(heads):
        nxt = heads[i + 1].start if i + 1 < len(heads) else len(text)
        again = any(_key(later.title) == _key(h.title) for later in heads[i + 1:])
        if again and not any(line.rstrip()[-1:] in ".!?:" for line in text[h.body:nxt].splitlines() if line.strip()):
            continue
        out.append(h)
    return out


def _key(title: str) -> str:
    return " ".join(title.lower().split())


def _markdown_headings(text: str) -> list[Heading]:
    heads, fenced = [], False
    for start, line in _lines(text):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        m = None if fenced else _MD.match(line)
        if m:
            heads.append(Heading(m.group(2).strip(), len(m.group(1)), start, start + len(line)))
    return heads


def detect_headings(text: str, kind: str) -> list[Heading]:
    return _markdown_headings(text) if kind == "md" else _text_headings(text)


def sections_from_headings(headings: list[Heading], text_length: int) -> tuple[Section, ...]:
    """Each heading governs text up to the next heading of the same or a higher level."""
    sections: list[Section] = []
    stack: list[Heading] = []
    for i, head in enumerate(headings):
        while stack and stack[-1].level >= head.level:
            stack.pop()
        stack.append(head)
        end = text_length
        for later in headings[i + 1 :]:
            if later.level <= head.level:
                end = later.start
                break
        path = tuple(h.title for h in stack)
        sections.append(Section(head.title, head.level, head.start, end, path, head.body))
    return tuple(sections)


def title_from_headings(headings: list[Heading], fallback: str) -> str:
    top = [h for h in headings if h.level == min((h.level for h in headings), default=1)]
    for head in top:
        if len(head.title.split()) >= 4:
            return head.title
    return top[0].title if top else fallback
