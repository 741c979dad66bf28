"""Real documents for the loader tests, written by real writers from the brief's text:
a PDF laid out on several pages (reportlab), a DOCX with heading styles (python-docx) and an
HTML page with navigation, a script and a style. Each writer keeps what it put where."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from service.text.structure import detect_headings

_BULLET = re.compile(r"^(\s*)[-*]\s+(.*)$")
HEADER = "NATO PA Policy Brief 182 SPE 24 E · Meeting of NATO Ministers of Defence"
NAV_WORDS = "Home Publications Sessions Committees Contact"
SCRIPT_WORDS = "trackVisitorSecretToken"


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" or "para"
    lines: tuple[str, ...]  # a heading's original lines; a paragraph has one
    level: int = 0
    bullet: int = -1  # -1: not a list item; else nesting depth
    gap: bool = False  # a blank line came before it


def brief_blocks(text: str) -> list[Block]:
    """The brief as headings and paragraphs (Markdown emphasis removed), in reading order."""
    heads = {h.start: h for h in detect_headings(text, "txt")}
    blocks: list[Block] = []
    pos, gap = 0, False
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line, start = lines[i].rstrip("\r\n"), pos
        pos += len(lines[i])
        i += 1
        if not line.strip():
            gap = True
            continue
        if start in heads:
            head = heads[start]
            parts = [line.strip()]
            while pos < head.body:
                parts.append(lines[i].strip())
                pos += len(lines[i])
                i += 1
            blocks.append(Block("heading", tuple(parts), head.level, gap=gap))
        else:
            m = _BULLET.match(line)
            body = (m.group(2) if m else line.strip()).replace("**", "")
            blocks.append(Block("para", (body,), bullet=(1 if m.group(1) else 0) if m else -1, gap=gap))
        gap = False
    return blocks


@dataclass
class PdfLayout:
    """What the PDF writer drew: body words with the 1-based page each starts on."""

    words: list[tuple[str, int]] = field(default_factory=list)
    pages: int = 0
    hyphenated: list[tuple[str, str]] = field(default_factory=list)  # (line end "prefix-", next line's "rest")


def _vera() -> tuple[str, str]:
    import os

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont("Vera", os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(folder, "VeraBd.ttf")))
    return "Vera", "VeraBd"


def _wrap(words: list[str], width: float, measure) -> list[list[str]]:
    """Greedy lines; a long word that does not fit is hyphenated: 'prefix-' then the rest."""
    lines: list[list[str]] = [[]]
    queue = list(words)
    while queue:
        word = queue.pop(0)
        trial = " ".join(lines[-1] + [word])
        if measure(trial) <= width or not lines[-1]:
            lines[-1].append(word)
            continue
        if word.isalpha() and word.islower() and len(word) >= 8:
            for cut in range(len(word) - 3, 3, -1):
                if measure(" ".join(lines[-1] + [word[:cut] + "-"])) <= width:
                    lines[-1].append(word[:cut] + "-")
                    queue.insert(0, word[cut:])
                    break
        lines.append([])
        if not lines[-2] or not lines[-2][-1].endswith("-") or lines[-2][-1][:-1] + queue[0] != word:
            queue.insert(0, word)
    return [ln for ln in lines if ln]


class _Pdf:
    SIZES = {1: 15.0, 2: 12.5, 0: 10.5}
    LEAD = 1.3

    def __init__(self, path: Path, layout: PdfLayout, title: str | None, outline: bool = False,
                 flat: bool = False) -> None:
        from reportlab.lib.pagesizes import A5
        from reportlab.pdfgen.canvas import Canvas

        self.regular, self.bold = _vera()
        self.width, self.height = A5
        self.canvas = Canvas(str(path), pagesize=A5)
        if title:
            self.canvas.setTitle(title)
        self.layout = layout
        self.outline, self.flat = outline, flat  # bookmarks per heading; headings in the body's font
        self.page = 0
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.layout.pages = self.page
        self.y = 56.0
        c = self.canvas
        if self.page > 1:
            c.setFont(self.regular, 7)
            c.drawString(40, self.height - 26, HEADER)
        c.setFont(self.regular, 8)
        c.drawCentredString(self.width / 2, 24, f"Page {self.page}")

    def block(self, b: Block) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        heading = b.kind == "heading" and not self.flat
        size = self.SIZES[b.level if heading else 0]
        font = self.bold if heading else self.regular
        if b.kind == "heading" and self.outline:
            key = f"h{len(self.layout.words)}-{b.lines[0]}"
            self.canvas.bookmarkPage(key)
            self.canvas.addOutlineEntry(" ".join(b.lines), key, level=b.level - 1)
        self.y += size * (0.9 if b.gap else 0.3)
        indent = 40 + (14 * (b.bullet + 1) if b.bullet >= 0 else 0)
        width = self.width - 40 - indent
        for k, original in enumerate(b.lines):
            words = original.split()
            if b.bullet >= 0 and k == 0:
                words = ["•", *words]
            wrapped = _wrap(words, width, lambda s: stringWidth(s, font, size))
            for n, line in enumerate(wrapped):
                self._draw(" ".join(line), font, size, indent, record=b.kind == "para",
                           continues=n > 0 and wrapped[n - 1][-1].endswith("-"))

    def _draw(self, line: str, font: str, size: float, x: float, record: bool, continues: bool) -> None:
        if self.y + size * self.LEAD > self.height - 48:
            self._new_page()
        self.y += size * self.LEAD
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, self.height - self.y, line.replace("fi", "\ufb01").replace("fl", "\ufb02"))
        words = line.split() if record else []
        if words and words[0] == "•":
            words = words[1:]
        for j, word in enumerate(words):
            if j == 0 and continues:
                prev, page = self.layout.words[-1]
                self.layout.words[-1] = (prev[:-1] + word, page)
                self.layout.hyphenated.append((prev, word))
            else:
                self.layout.words.append((word, self.page))

    def save(self) -> None:
        self.canvas.save()


def write_pdf(text: str, path: Path, title: str | None = None, outline: bool = False,
              flat: bool = False) -> PdfLayout:
    layout = PdfLayout()
    pdf = _Pdf(path, layout, title, outline, flat)
    for b in brief_blocks(text):
        pdf.block(b)
    pdf.save()
    return layout


def write_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for b in brief_blocks(text):
        if b.kind == "heading":
            document.add_heading(" ".join(b.lines), level=b.level)
        else:
            style = None if b.bullet < 0 else ("List Bullet" if b.bullet == 0 else "List Bullet 2")
            document.add_paragraph(b.lines[0], style=style)
    document.save(str(path))


def write_html(text: str, path: Path) -> None:
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>Brief | NATO PA</title>",
           "<style>body { font-family: serif } .x::before { content: 'styled words' }</style>",
           f"<script>var {SCRIPT_WORDS} = 'ADSE priority areas';</script></head><body>",
           f"<header><a href='/'>NATO Parliamentary Assembly</a></header><nav><ul>"
           + "".join(f"<li><a href='#'>{w}</a></li>" for w in NAV_WORDS.split()) + "</ul></nav><main><article>"]
    in_list = False
    for b in brief_blocks(text):
        if b.kind == "para" and b.bullet >= 0:
            out.append(("" if in_list else "<ul>") + f"<li>{html.escape(b.lines[0])}</li>")
            in_list = True
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if b.kind == "heading":
            out.append(f"<h{b.level}>{'<br>'.join(html.escape(x) for x in b.lines)}</h{b.level}>")
        else:
            out.append(f"<p>{html.escape(b.lines[0])}</p>")
    out.append(("</ul>" if in_list else "") + "</article></main><aside>Related: other briefs</aside>"
               "<footer>© NATO PA · Cookie settings</footer></body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
