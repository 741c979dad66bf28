"""Table questions (the tables half of the issue on tables): per split of tests/data/tables.jsonl,
asked of an index of tests/data/corpora/tables/ (an HTML standard with tables, a PDF of a ruled
table, a DOCX of NATO figures) built with the shipped defaults:

- row answer: the first answer sentence is exactly the row holding the answer (factoid questions);
- rows listed: of list questions over a column, the expected rows among the answer sentences;
- short answer: the cell under the asked column, exact, of the questions that name one;
- citation contract: citations and short answers whose text is not document.text[start:end], and
  answer sentences that are not copied from a passage they cite (all must be 0).

    .venv/bin/python bench/tables.py [--index-root DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from service.app.runtime import answer_settings, build_embedder, retrieval_settings
from service.app.settings import Settings
from service.evaluation.answer_run import AnswerJob, corpus_engine
from service.evaluation.answer_sets import SPLITS
from service.text.sentences import clean
from service.text.tables import is_row

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "data" / "tables.jsonl"


def contract_failures(answer, docs) -> int:
    bad = sum(docs[h.chunk.doc_id].text[h.chunk.start:h.chunk.end] != h.chunk.text for h in answer.hits)
    short = answer.short_answer
    bad += short is not None and docs[short.doc_id].text[short.start:short.end] != short.text
    for s in answer.sentences:
        passages = [answer.hits[n - 1].chunk.text for n in s.citations]
        bad += not any(clean(s.text) in clean(p) for p in passages)
    return bad


def run(engine, rows: list[dict]) -> dict[str, dict]:
    docs = {d.doc_id: d for d in engine.index.document_list()}
    out: dict[str, dict] = {}
    for split in SPLITS:
        factoid = [r for r in rows if r["split"] == split and r["kind"] == "factoid"]
        lists = [r for r in rows if r["split"] == split and r["kind"] == "list"]
        hits, misses, failures, listed, expected, shorts = 0, [], 0, 0, 0, 0
        for r in factoid:
            answer = engine.ask(r["question"], 5, "hybrid")
            failures += contract_failures(answer, docs)
            first = answer.sentences[0].text if answer.sentences and not answer.abstained else ""
            ok = first == r["evidence"][0]
            hits += ok
            shorts += bool(r["short_answer"]) and answer.short_answer is not None and answer.short_answer.text in r["short_answer"]
            if not ok:
                misses.append({"id": r["id"], "first": first[:120], "row": is_row(first)})
        for r in lists:
            answer = engine.ask(r["question"], 5, "hybrid")
            failures += contract_failures(answer, docs)
            said = {s.text for s in answer.sentences}
            listed += sum(item in said for item in r["items"])
            expected += len(r["items"])
        out[split] = {"factoid": len(factoid), "row_answer": round(hits / len(factoid), 4) if factoid else None,
                      "short_exact": f"{shorts}/{sum(bool(r['short_answer']) for r in factoid)}",
                      "lists": len(lists), "rows_listed": f"{listed}/{expected}",
                      "contract_failures": failures, "misses": misses}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-root", type=Path, help="where to build the index (default: a temporary folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    settings = Settings()
    rows = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        job = AnswerJob(ROOT / "tests" / "data", ROOT / "corpus", args.index_root or Path(tmp), settings.model,
                        retrieval_settings(settings), answer_settings(settings))
        engine = corpus_engine(job, "tables", build_embedder(settings))
        figures = run(engine, rows)
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for split, f in figures.items():
        print(f"{split}: row answer {f['row_answer']} of {f['factoid']} factoid questions (short answer exact "
              f"{f['short_exact']}); rows listed "
              f"{f['rows_listed']} over {f['lists']} list questions; citation contract failures {f['contract_failures']}")
        for m in f["misses"]:
            print(f"   miss {m['id']}: {m['first']!r}")


if __name__ == "__main__":
    main()
