"""docs/EVALUATION.md and its recall@k plot, from the figures `briefqa eval --report` gathered."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.evaluation.testset import BEIR_METRICS

PROJECT_METRICS = ("hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10", "abstain_precision", "abstain_recall")
SWEEP_METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10", "map")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(v: object) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def published_references(source_md: Path) -> list[list[str]]:
    """Rows of the 'Published ...' table of a dataset's SOURCE.md (system, figure, source)."""
    try:
        text = source_md.read_text(encoding="utf-8")
    except OSError:
        return []
    match = re.search(r"^## Published.*?\n((?:\|.*\n?)+)", text, flags=re.M)
    if not match:
        return []
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in match.group(1).splitlines()]
    return [r for r in rows[2:] if len(r) >= 3]


def plot_recall(curves: dict[str, list[float]], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for mode, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, label=mode, linewidth=1.6)
    ax.set_xscale("log")
    ax.set_xlabel("k (documents retrieved, log scale)")
    ax.set_ylabel("mean recall@k")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def _beir_section(r: dict[str, Any], plot_name: str) -> list[str]:
    rows = [[mode, *(m[k] for k in BEIR_METRICS)] for mode, m in r["modes"].items()]
    lines = [f"## {r['name']} ({r['split']} split, {r['queries']} queries, {r['documents']} documents)", "",
             *_table(["mode", *BEIR_METRICS], rows), ""]
    refs = r.get("references") or []
    if refs:
        lines += ["Published nDCG@10 on the same split (copied from the dataset's SOURCE.md):", "",
                  *_table(["system", "nDCG@10", "source"], [ref[:3] for ref in refs]), ""]
    lines += [f"![recall@k per mode]({plot_name})", ""]
    return lines


def _project_section(p: dict[str, Any]) -> list[str]:
    rows = [[mode, *(m[k] for k in PROJECT_METRICS)] for mode, m in p["modes"].items()]
    return [f"## The project's test set ({p['testset']} questions, index {p['index_version']})", "",
            *_table(["mode", *PROJECT_METRICS], rows), ""]


def _sweep_section(s: dict[str, Any]) -> list[str]:
    rows = [[r["label"], *(r[k] for k in SWEEP_METRICS)] for r in s["rows"]]
    return [f"## Fusion sweep on {s['name']} {s['split']} ({s['queries']} queries)", "",
            s.get("note", ""), "", *_table(["setting", *SWEEP_METRICS], rows), "",
            f"Best by nDCG@10: **{s['best']['label']}** ({s['best']['ndcg@10']:.4f}).", ""]


def _guard_section(rows: list[dict[str, Any]]) -> list[str]:
    table = [[r["label"], r["train_ndcg@10"], r["hit@5"], r["mrr@10"], "yes" if r["keeps"] else "no"] for r in rows]
    chosen = next((r["label"] for r in rows if r["keeps"]), "none")
    return ["### Which of the best train settings keep the project's test set", "",
            "A default must also keep the project's own test set (hybrid) at or above the foundation's figures, "
            "hit@5 0.971 and MRR@10 0.931. The best train setting that does: "
            f"**{chosen}**. The test figures above use the shipped default, named in this page's first line; "
            "settings within a few thousandths of nDCG@10 on train are within noise of each other.", "",
            *_table(["setting", "train nDCG@10", "project hit@5", "project MRR@10", "keeps"], table), ""]


def _knobs_section(k: dict[str, Any]) -> list[str]:
    rows = [[r["config"], r["best"], *(r[m] for m in ("dense", "bm25", "hybrid"))] for r in k["rows"]]
    return ["## Index knobs on train (nDCG@10)", "", k.get("note", ""), "",
            *_table(["index settings", "best fusion", "dense", "bm25", "best hybrid"], rows), ""]


def load_knobs(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def method_notes(settings: Any) -> list[str]:
    return [
        "## How BEIR documents are indexed and scored", "",
        f"- A BEIR document becomes one Document, `title + \"\\n\\n\" + text`. Title mode `section` (as a text file's heading in `corpus/`): "
        "`section` makes the title the document's one section heading, so it is left out of the chunk text and "
        "every chunk is embedded and BM25-indexed as `title + \"\\n\" + chunk`; `inline` keeps it at the start of "
        "the first chunk only; `none` drops it.",
        f"- The product's own settings: chunks of at most {settings.chunk_size} characters with {settings.chunk_overlap} of overlap "
        "(the project's recursive splitter), so a long abstract is covered by several passages instead of being cut "
        "at the model's 256 tokens.",
        f"- Each retriever passes its top {settings.candidates} chunks to fusion; after fusion the chunks are "
        "pooled to documents: a document's score is its best chunk's (max-pooling), and the first 100 documents "
        "form the run.",
        "- Metrics are trec_eval's (nDCG@10 with linear gain, recall@10/100, MRR@10, MAP over the 100-document run, "
        "i.e. BEIR's MAP@100), averaged over the queries judged in the split; tests/integration/evaluation/test_beir.py checks them "
        "against pytrec_eval and tests/unit/evaluation/test_metrics.py against ranx.",
        "- The fusion default was chosen on the train split only; the test figures above use it unchanged.",
        "- The index is cached under `INDEX_DIR/beir/<name>-<hash of corpus.jsonl and index settings>/`; a second "
        "run re-embeds nothing.", "",
    ]


def write_report(out_dir: Path, figures: dict[str, Any]) -> Path:
    """Write EVALUATION.md (and the plot) into out_dir; returns the markdown's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Retrieval evaluation", "", *figures.get("preamble", []), ""]
    beir = figures.get("beir")
    if beir:
        plot_name = f"recall-{beir['name']}-{beir['split']}.png"
        plot_recall(beir["curves"], f"{beir['name']} {beir['split']}: recall@k", out_dir / plot_name)
        lines += _beir_section(beir, plot_name)
    if figures.get("reproduction"):
        r = figures["reproduction"]
        rows = [[mode, *(m[k] for k in BEIR_METRICS)] for mode, m in r["modes"].items()]
        lines += [f"### {r['name']} {r['split']}, one passage per abstract (as MTEB embeds it)", "",
                  "The same pipeline with `title + \" \" + text` as a single passage, which the model cuts at "
                  "256 tokens: the setting behind the published all-MiniLM-L6-v2 figure.", "",
                  *_table(["mode", *BEIR_METRICS], rows), ""]
    if figures.get("project"):
        lines += _project_section(figures["project"])
    if figures.get("sweep"):
        lines += _sweep_section(figures["sweep"])
    if (figures.get("project") or {}).get("guard"):
        lines += _guard_section(figures["project"]["guard"])
    if figures.get("knobs"):
        lines += _knobs_section(figures["knobs"])
    lines += figures.get("epilogue", [])
    path = out_dir / "EVALUATION.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
