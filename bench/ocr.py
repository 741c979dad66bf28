"""OCR figures on the scanned fixture (tests/data/corpora/scanned-policy): three pages of Debian's
Policy Manual, rendered with `pdftoppm -r 200 -mono` and put back together with `img2pdf`, beside the
same pages with their text layer.

For each engine installed: character error rate against the text layer, pages per second; then, with
the default engine and the shipped defaults (Settings(), build_settings), hit@5 of the hand-written
questions (tests/data/scanned-policy.jsonl, per split) on the scanned copy and on the text copy, each
indexed alone. A hit is a passage in the top k on the page the question is about that holds its
evidence string (compared without whitespace or case, for the reason below); hit@1 beside hit@5,
since three pages make page-level hits easy.

The CER compares non-whitespace characters (edit distance between both texts with all whitespace
removed, over the text layer's length): the PDF is justified LaTeX output placing words without space
characters, so where a word space falls is the loader's reading (bench/pdf_words.py), not OCR's.

    python bench/ocr.py [--engines tesseract rapidocr] [--no-hits]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from service.app.runtime import build_embedder, build_settings, engine_of  # noqa: E402
from service.app.settings import Settings  # noqa: E402
from service.ingest.loaders.pdf import PdfLoader  # noqa: E402
from service.ingest.ocr import NoOcr, resolve  # noqa: E402
from service.pipeline import build_index  # noqa: E402
from service.stores.disk.store import DiskStore  # noqa: E402

FIXTURE = ROOT / "tests/data/corpora/scanned-policy"
SCAN, TEXT = "policy-pages-scan.pdf", "policy-pages-text.pdf"
QUESTIONS = ROOT / "tests/data/scanned-policy.jsonl"


def cer(got: str, ref: str) -> float:
    a, b = re.sub(r"\s", "", got), re.sub(r"\s", "", ref)
    return Levenshtein.distance(a, b) / max(1, len(b))


def engine_figures(name: str) -> dict:
    engine = resolve(name)
    if isinstance(engine, NoOcr):
        return {"engine": name, "missing": engine.reason}
    ref = PdfLoader().load((FIXTURE / TEXT).read_bytes()).text
    t0 = time.perf_counter()
    got = PdfLoader().load((FIXTURE / SCAN).read_bytes(), ocr=engine)
    seconds = time.perf_counter() - t0
    pages = len(got.pages)
    return {"engine": name, "cer": round(cer(got.text, ref), 4), "pages": pages, "seconds": round(seconds, 1),
            "pages_per_s": round(pages / seconds, 3), "confidence": [c for _, c in got.ocr_pages]}


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text).lower()


def hits(copy: str, questions: list[dict], work: Path) -> dict[str, dict[str, float]]:
    corpus, index = work / copy / "corpus", work / copy / "index"
    corpus.mkdir(parents=True)
    (corpus / copy).write_bytes((FIXTURE / copy).read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=index)
    build_index(build_settings(settings), lambda: build_embedder(settings))
    engine = engine_of(DiskStore(index).open(), settings)
    out: dict[str, dict[str, list[int]]] = {"hit@1": {}, "hit@5": {}}
    for q in questions:
        found, _ = engine.search(q["question"], 5)
        good = [h.chunk.page == q["page"] and any(_squash(e) in _squash(h.chunk.text) for e in q["evidence"])
                for h in found]
        for k, name in ((1, "hit@1"), (5, "hit@5")):
            for split in (q["split"], "all"):
                out[name].setdefault(split, []).append(int(any(good[:k])))
    return {name: {split: round(sum(v) / len(v), 3) for split, v in sorted(rows.items())} for name, rows in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", nargs="+", default=["tesseract", "rapidocr"])
    parser.add_argument("--no-hits", action="store_true", help="only CER and speed")
    args = parser.parse_args()
    report = {"engines": [engine_figures(name) for name in args.engines]}
    for row in report["engines"]:
        print(json.dumps(row), flush=True)
    if not args.no_hits:
        questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            report["hits"] = {"scan": hits(SCAN, questions, Path(tmp)), "text": hits(TEXT, questions, Path(tmp))}
        print(json.dumps({"hits": report["hits"], "engine": resolve("auto").name}), flush=True)


if __name__ == "__main__":
    main()
