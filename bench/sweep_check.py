"""Regenerate the SciFact train fusion sweep and compare it, row by row to four decimals, with the
table in docs/EVALUATION.md (the sweep runs through Engine.rankings / ServedIndex since the layered
restructure; this shows it gives the figures the earlier code published).

    python bench/sweep_check.py ../shared/benchmarks/scifact --index-dir index
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10", "map")


def published(doc: str) -> dict[str, list[str]]:
    section = doc[doc.index("## Fusion sweep on"):doc.index("Best by nDCG@10")]
    rows = re.findall(r"^\| (.+?) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", section, re.M)
    return {r[0]: list(r[1:]) for r in rows}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("beir", type=Path)
    p.add_argument("--index-dir", type=Path, default=ROOT / "index")
    p.add_argument("--doc", type=Path, default=ROOT / "docs" / "EVALUATION.md")
    args = p.parse_args()
    run = subprocess.run([sys.executable, "-m", "service", "--index-dir", str(args.index_dir), "eval", "--beir",
                          str(args.beir), "--split", "train", "--sweep", "--json"], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    rows = json.loads(run.stdout)["sweep"]["rows"]
    table = published(args.doc.read_text(encoding="utf-8"))
    differ = []
    for r in rows:
        got = [f"{r[m]:.4f}" for m in METRICS]
        if table.get(r["label"]) != got:
            differ.append(f"{r['label']}: now {got}, published {table.get(r['label'])}")
    print(f"{len(rows)} sweep rows, {len(rows) - len(differ)} identical to four decimals to {args.doc.name}")
    for line in differ:
        print("  differs:", line)
    return 1 if differ or len(rows) != len(table) else 0


if __name__ == "__main__":
    sys.exit(main())
