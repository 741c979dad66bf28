"""Index knobs on a BEIR train split: chunking, title handling, BM25 k1/b, candidates.

Each configuration gets its own cached index under INDEX_DIR/beir/ (vectors shared between them
by text hash, so only new passages are embedded); every configuration is scored with dense, BM25
and a grid of fusion settings, on the train split only. Writes OUT (JSON) that
`briefqa eval --report` folds into EVALUATION.md when it sits in the report folder.

    python bench/beir_knobs.py ../shared/benchmarks/scifact --index-dir index --out docs/beir-knobs-train.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from service.answering.extractive import AnswerSettings
from service.evaluation import sweep
from service.pipeline import Engine, RetrievalSettings
from service.evaluation.beir import BeirIndexSettings, build_beir_index, load_beir
from service.retrieval.bm25 import Bm25Params
from service.ingest.chunking import ChunkSettings
from service.models.embedding import SentenceTransformerEmbedder, model_fingerprint
from service.stores.disk.files import load_build

MODEL = "all-MiniLM-L6-v2"
# (label, chunk size, overlap, title mode, k1, b, candidates); 100000 chars = one passage per abstract,
# which the model truncates at 256 tokens, as MTEB does ("inline": title + " " + text)
CONFIGS = [
    ("whole abstract, title inline (MTEB-like)", 100000, 0, "inline", 0.9, 0.4, 1000),
    ("whole abstract, BM25 k1=1.2 b=0.75", 100000, 0, "inline", 1.2, 0.75, 1000),
    ("whole abstract, BM25 k1=1.5 b=0.75", 100000, 0, "inline", 1.5, 0.75, 1000),
    ("whole abstract, 100 candidates", 100000, 0, "inline", 0.9, 0.4, 100),
    ("chunks 1000/200, title on every chunk", 1000, 200, "section", 0.9, 0.4, 1000),
    ("chunks 1000/200, title on the first chunk", 1000, 200, "inline", 0.9, 0.4, 1000),
]
SETTINGS = [sweep.FusionSetting("dense"), sweep.FusionSetting("bm25"),
            *(sweep.FusionSetting("convex", n, a) for n in ("minmax", "zscore") for a in (0.3, 0.4, 0.5, 0.6, 0.7)),
            *(sweep.FusionSetting("rrf", rrf_k=k) for k in (10, 60))]


def score(config: tuple, data, base: Path, embedder) -> dict[str, object]:
    label, size, overlap, title, k1, b, candidates = config
    settings = BeirIndexSettings(ChunkSettings(size, overlap), title, Bm25Params(k1, b))
    t0 = time.perf_counter()
    folder, report = build_beir_index(data, base, MODEL, settings, lambda: embedder, model_fingerprint(MODEL))
    index = load_build(folder)
    engine = Engine(index, embedder, RetrievalSettings(candidates=candidates), AnswerSettings())
    rows = sweep.evaluate_settings(engine, sweep.gather(engine, data.queries), data.qrels, SETTINGS)
    by = {r["label"]: r for r in rows}
    top = sweep.best(rows)
    return {"config": label, "chunks": report.chunks, "embedded": report.embedded,
            "dense": by["dense"]["ndcg@10"], "bm25": by["bm25"]["ndcg@10"], "hybrid": top["ndcg@10"],
            "best": top["label"], "seconds": round(time.perf_counter() - t0, 1),
            "settings": {r["label"]: r["ndcg@10"] for r in rows}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("beir", type=Path)
    p.add_argument("--index-dir", type=Path, default=Path("index"))
    p.add_argument("--out", type=Path, default=Path("docs/beir-knobs-train.json"))
    p.add_argument("--only", type=int, action="append", help="run only these CONFIGS rows (0-based)")
    args = p.parse_args()
    data = load_beir(args.beir, "train")
    embedder = SentenceTransformerEmbedder(MODEL)
    done = json.loads(args.out.read_text()) if args.out.is_file() else {"rows": []}
    rows = {r["config"]: r for r in done["rows"]}
    for i, config in enumerate(CONFIGS):
        if args.only and i not in args.only:
            continue
        row = score(config, data, args.index_dir, embedder)
        print(json.dumps({k: v for k, v in row.items() if k != "settings"}), flush=True)
        rows[row["config"]] = row
    note = (f"{data.name} train ({len(data.qrels)} queries), nDCG@10. Each row is its own cached index; "
            "'best hybrid' is the best of convex minmax/zscore α 0.3..0.7 and rrf k 10/60 for that index.")
    ordered = [rows[c[0]] for c in CONFIGS if c[0] in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"note": note, "rows": ordered}, indent=1) + "\n")


if __name__ == "__main__":
    main()
