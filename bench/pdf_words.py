"""Are a PDF's words read as words? briefqa's PDF loader beside poppler's `pdftotext` on the PDFs that
Debian's documentation packages install (TeX, DocBook/FOP, Chromium's Skia and PDFium output).

For each PDF (its first `--pages` pages): the F1 of the multisets of lower-cased words (runs of
letters) of pdfplumber's text lines against `pdftotext`'s, for pdfplumber's default word gap (3 pt)
and for gaps that are a share of the font size (`x_tolerance_ratio`), and for the shipped loader
(`PdfLoader().load`, tables and headings included; tables become rows naming their column headers, so
a PDF of tables scores lower by design) with its word gap and with the old fixed 3 pt. Justified TeX output places words without space
characters: a fixed 3 pt gap glues them ("TheDebianchangelog,in/usr/share/doc"), which neither BM25
nor the embedder can match.

    python bench/pdf_words.py [--pages 25] [--json]     # needs pdftotext (`make ocr` installs poppler-utils)
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.ingest.loaders import pdf as pdf_loader  # noqa: E402
from service.ingest.loaders.pdf import WORD_GAP, PdfLoader  # noqa: E402

SOURCES = [  # Debian packages' PDFs (gzipped or not); the two fixtures of the project's tests
    "/usr/share/doc/debian/FAQ/debian-faq.en.pdf.gz",
    "/usr/share/doc/debian-policy/policy.pdf.gz",
    "/usr/share/doc/debian-policy/fhs/fhs-3.0.pdf.gz",
    "/usr/share/developers-reference/developers-reference.pdf",
    "/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz",
    "/usr/share/doc/nettle-dev/nettle.pdf.gz",
    "/usr/share/doc/fontconfig/fontconfig-user.pdf.gz",
    "/usr/share/doc/valgrind/valgrind_manual.pdf.gz",
    "/usr/share/doc/bzip2/manual.pdf.gz",
    "/usr/share/doc/libtasn1-doc/libtasn1.pdf",
    "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
    str(ROOT / "tests/data/corpora/tables/translation-teams.pdf"),
    str(ROOT / "tests/data/corpora/scanned-policy/policy-pages-text.pdf"),
]
RATIOS = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))


def f1(got: Counter[str], ref: Counter[str]) -> float:
    both = sum((got & ref).values())
    return 2 * both / max(1, sum(got.values()) + sum(ref.values()))


def first_pages(data: bytes, pages: int) -> bytes:
    """The PDF cut to its first pages, by pypdfium2 (a dependency of the loader's OCR)."""
    import pypdfium2

    src, out = pypdfium2.PdfDocument(data), pypdfium2.PdfDocument.new()
    out.import_pages(src, list(range(min(pages, len(src)))))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def measure(data: bytes, pages: int) -> dict[str, float]:
    import pdfplumber

    cut = first_pages(data, pages) if pages else data
    ref = words(subprocess.run(["pdftotext", "-q", "-", "-"], input=cut, check=True,
                               capture_output=True).stdout.decode("utf-8", "replace"))
    row: dict[str, float] = {}
    with pdfplumber.open(io.BytesIO(cut)) as pdf:
        for name, kw in [("3pt", {})] + [(f"{r:g}", {"x_tolerance_ratio": r}) for r in RATIOS]:
            got: Counter[str] = Counter()
            for page in pdf.pages:
                for line in page.extract_text_lines(**kw):
                    got += words(line["text"])
            row[name] = round(f1(got, ref), 4)
    row["loader"] = round(f1(words(PdfLoader().load(cut).text), ref), 4)
    shipped, pdf_loader.WORD_GAP = pdf_loader.WORD_GAP, None  # None: pdfplumber's fixed 3 pt, as before
    try:
        row["loader 3pt"] = round(f1(words(PdfLoader().load(cut).text), ref), 4)
    finally:
        pdf_loader.WORD_GAP = shipped
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=25, help="first pages of each PDF (0: all)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = {}
    for src in SOURCES:
        path = Path(src)
        if not path.is_file():
            print(f"skipped (not installed): {src}", file=sys.stderr)
            continue
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        rows[path.name.removesuffix(".gz")] = measure(data, args.pages)
    if args.json:
        print(json.dumps({"word_gap": WORD_GAP, "pages": args.pages, "rows": rows}, indent=2))
        return
    cols = ["3pt"] + [f"{r:g}" for r in RATIOS] + ["loader 3pt", "loader"]
    print(f"word F1 against pdftotext; shipped loader: x_tolerance_ratio {WORD_GAP}")
    print("| PDF | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.4f}" for c in cols) + " |")
    for c in cols:
        values = [row[c] for row in rows.values()]
        print(f"{c}: min {min(values):.4f} mean {sum(values) / len(values):.4f}")


if __name__ == "__main__":
    main()
