"""Calibrate the grounding threshold and measure the grounding check on the project's test set.

1. Calibration (no LLM): support scores of sentences against passages that do say them (each answerable
   question's evidence strings vs the retrieved passage holding them) and against passages that do not
   (the same evidence vs another question's top passage that holds none of it), without the rule on
   numbers and names (which alone would reject most of them). The threshold is midway between the score that lets
   through 1% of the unsupported pairs and the lowest supported pair.
2. The LLM pass: every answerable question goes to SmolLM2-135M (llama-cpp-python's server, started here
   on a free port unless --llm-url is given) through the service's own LLM answerer, and every generated
   sentence is checked. Prints kept/dropped counts by reason, the score distribution and how many would be
   kept at other thresholds; writes a random sample of kept sentences with their cited passages (for
   checking by hand) to bench/results/grounding_sample.md and every row to bench/results/grounding-*.json.

    .venv/bin/python bench/grounding.py --index-dir index [--llm-url http://127.0.0.1:8080/v1] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.evaluation.testset import DEFAULT_TESTSET, load_testset  # noqa: E402
from service.answering.grounding import GroundingSettings, check, passage_sentences, support_scores  # noqa: E402
from service.pipeline.llm import prepare  # noqa: E402
from service.models.chat import LlmConfig, LlmError, OpenAIChat  # noqa: E402
from service.app.runtime import load_engine  # noqa: E402
from service.text.sentences import clean  # noqa: E402
from service.app.settings import Settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
NEGATIVE_PASS = 0.01  # share of unsupported reference pairs the threshold may let through


def reference_pairs(engine, questions) -> tuple[list[float], list[float]]:
    """Support scores of (evidence, passage holding it) and of (evidence, another question's top passage)."""
    tops = {q.qid: engine.search(q.question, 5)[0] for q in questions}
    pos, neg = [], []
    w = GroundingSettings().semantic_weight
    for q in questions:
        for ev in q.evidence:
            holding = [h for h in tops[q.qid] if ev in clean(h.chunk.text)]
            others = [tops[o.qid][0] for o in questions if o.qid != q.qid
                      and not any(e in clean(tops[o.qid][0].chunk.text) for e in q.evidence)]
            hits = holding[:1] + others
            scores = support_scores([ev], [clean(h.chunk.text) for h in hits], [passage_sentences(h) for h in hits],
                                    engine.embedder, w, facts=False)[0]
            pos += [float(s) for s in scores[: len(holding[:1])]]
            neg += [float(s) for s in scores[len(holding[:1]):]]
    return pos, neg


def calibrate(pos: list[float], neg: list[float], setting: float) -> float:
    """Midway between the score that lets through NEGATIVE_PASS of the unsupported pairs and the lowest
    supported pair (so both kinds of error have the same margin), rounded to 0.05."""
    t = round(round((float(np.quantile(neg, 1 - NEGATIVE_PASS)) + min(pos)) / 2 / 0.05) * 0.05, 2)
    print(f"calibration: {len(pos)} supported pairs, {len(neg)} unsupported pairs")
    for name, xs in (("supported", pos), ("unsupported", neg)):
        q = np.quantile(xs, [0, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1])
        print(f"  {name:>11}: " + "  ".join(f"{p}={v:.3f}" for p, v in zip(("min", "p5", "p25", "p50", "p75", "p95", "p99", "max"), q)))
    print(f"  unsupported pairs' {1 - NEGATIVE_PASS:.0%} quantile {np.quantile(neg, 1 - NEGATIVE_PASS):.3f}, lowest "
          f"supported pair {min(pos):.3f}: calibrated threshold {t:.2f}")
    for x in sorted({t, setting}):
        print(f"  at {x:.2f}: supported pairs passing {np.mean(np.array(pos) >= x):.1%}, "
              f"unsupported pairs passing {np.mean(np.array(neg) >= x):.2%}")
    return t


def llm_pass(engine, model, questions, grounding: GroundingSettings, top_k: int,
             stored: dict[tuple[str, int], str]) -> list[dict]:
    """`stored` drafts (from an earlier run's JSON, same model at temperature 0) are checked again
    instead of being generated again."""
    rows = []
    for i, q in enumerate(questions, 1):
        prepared = prepare(engine, model, q.question, top_k, None)
        row = {"qid": q.qid, "question": q.question, "top_k": top_k, "kept": [], "dropped": [], "note": prepared.note}
        if prepared.prompt is not None and (q.qid, top_k) in stored:
            row["draft"] = stored[(q.qid, top_k)]
        elif prepared.prompt is not None:
            t = time.perf_counter()
            try:
                row["draft"] = model.complete(prepared.prompt)
            except LlmError as exc:
                row["note"] = str(exc)
            row["generate_s"] = round(time.perf_counter() - t, 2)
        if "draft" in row:
            hits = prepared.extractive.hits
            checked = check(row["draft"], hits, engine.embedder, grounding)
            row["kept"] = [{"text": k.text, "citations": list(k.citations), "score": k.score,
                            "passages": [_passage(hits[n - 1]) for n in k.citations]} for k in checked.kept]
            row["dropped"] = [{"text": d.text, "reason": d.reason, "score": d.score} for d in checked.dropped]
        print(f"[{i}/{len(questions)} top_k={top_k}] {q.qid} kept {len(row['kept'])} dropped {len(row['dropped'])}"
              f"{' (' + row['note'] + ')' if row['note'] else ''}", flush=True)
        rows.append(row)
    return rows


def _passage(hit) -> dict:
    c = hit.chunk
    return {"doc_id": c.doc_id, "start": c.start, "end": c.end, "section": c.section_label, "text": c.text}


def report(rows: list[dict], threshold: float) -> None:
    kept = [k for r in rows for k in r["kept"]]
    dropped = [d for r in rows for d in r["dropped"]]
    reasons: dict[str, int] = {}
    for d in dropped:
        reasons[d["reason"]] = reasons.get(d["reason"], 0) + 1
    asked = sum("draft" in r for r in rows)
    answered = sum(bool(r["kept"]) for r in rows)
    print(f"\nquestions: {len(rows)}; sent to the LLM: {asked}; answered by the LLM (>= 1 sentence kept): {answered}; "
          f"fell back to extractive: {len(rows) - answered}")
    print(f"generated sentences: {len(kept) + len(dropped)}; kept: {len(kept)}; dropped: {len(dropped)}")
    for reason, n in sorted(reasons.items(), key=lambda x: -x[1]):
        print(f"  dropped, {reason}: {n}")
    scored = [k["score"] for k in kept] + [d["score"] for d in dropped if d["score"] is not None]
    edges = np.round(np.arange(0, 1.01, 0.1), 1)
    hist, _ = np.histogram(scored, bins=edges)
    print("support scores of cited sentences: " + "  ".join(f"[{a:.1f},{b:.1f}):{n}" for a, b, n in zip(edges, edges[1:], hist)))
    print("kept at other thresholds: " + "  ".join(f"{t:.2f}:{sum(s >= t for s in scored)}"
                                                  for t in (0.3, 0.4, 0.5, threshold, 0.7, 0.8)))


def write_sample(rows: list[dict], n: int, seed: int, threshold: float, path: Path) -> None:
    kept = [(r, k) for r in rows for k in r["kept"]]
    sample = random.Random(seed).sample(kept, min(n, len(kept)))
    lines = [f"# Grounding check: {len(sample)} kept sentences sampled at random (seed {seed})", "",
             f"SmolLM2-135M-Instruct via llama-cpp-python, threshold {threshold}. Written by `bench/grounding.py`; "
             "each row is a sentence the check kept, with the passage(s) it cites, for checking by hand.", ""]
    for i, (r, k) in enumerate(sample, 1):
        lines += [f"## {i}. {r['qid']} (top_k {r['top_k']}): {r['question']}", "", f"**Kept** (score {k['score']}, cites "
                  f"{', '.join(f'[{c}]' for c in k['citations'])}): {k['text']}", ""]
        for c, p in zip(k["citations"], k["passages"]):
            lines += [f"> [{c}] {p['doc_id']} {p['start']}-{p['end']} ({p['section']}): {clean(p['text'])}", ""]
        lines += ["**Hand check:** ", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=None)
    ap.add_argument("--llm-url", default=None, help="an OpenAI-compatible endpoint; default: start SmolLM2 here")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=None, help="default: the setting's value")
    ap.add_argument("--limit", type=int, default=None, help="only the first N answerable questions")
    ap.add_argument("--top-k", type=int, nargs="+", default=[5], help="one pass over the questions per value")
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--drafts", type=Path, default=None, help="re-check the drafts of an earlier run's JSON")
    ap.add_argument("--skip-calibration", action="store_true")
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    engine = load_engine(settings)
    questions = [q for q in load_testset(DEFAULT_TESTSET) if q.answerable][: args.limit]
    if not args.skip_calibration:
        calibrate(*reference_pairs(engine, questions), settings.grounding_threshold)
    threshold = args.threshold if args.threshold is not None else settings.grounding_threshold
    print(f"checking with threshold {threshold}")
    grounding = GroundingSettings(threshold=threshold)
    log = Path(tempfile.mkdtemp()) / "llama.log"
    if args.llm_url:
        server = nullcontext((args.llm_url, None))
    else:
        from tests.llm_server import llama_server
        server = llama_server(log)
    with server as (url, _):
        model = OpenAIChat(LlmConfig(url, "smollm2-135m", timeout_s=300, max_tokens=args.max_tokens))
        stored = {(r["qid"], r.get("top_k", 5)): r["draft"] for r in json.loads(args.drafts.read_text())
                  if "draft" in r} if args.drafts else {}
        rows = [r for k in args.top_k for r in llm_pass(engine, model, questions, grounding, k, stored)]
    for k in args.top_k:
        print(f"\n== top_k {k}")
        report([r for r in rows if r["top_k"] == k], threshold)
    if len(args.top_k) > 1:
        print(f"\n== all passes ({', '.join(map(str, args.top_k))})")
        report(rows, threshold)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS / f"grounding-{stamp}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    write_sample(rows, args.sample, args.seed, threshold, RESULTS / "grounding_sample.md")


if __name__ == "__main__":
    main()
