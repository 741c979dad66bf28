"""Index build speed: passages per second beside raw SentenceTransformer.encode on the same texts,
a rebuild of an unchanged corpus, and the brief's cold start to ready.

    .venv/bin/python bench/build.py [--docs 1000]

The corpus is the first N SciFact abstracts (../shared/benchmarks/scifact), one .txt file each, in a
temporary folder. The build runs in this process (the model is loaded once, before timing starts, and
the ONNX export is made beforehand so it is not counted); the raw baseline encodes exactly the texts the
build embedded (passages and sentences), with the same model object, in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.models.embedding import SentenceTransformerEmbedder, model_fingerprint  # noqa: E402
from service.pipeline import build_index  # noqa: E402
from service.pipeline.query import passage_text  # noqa: E402
from service.app.runtime import build_settings  # noqa: E402
from service.text.sentences import clean  # noqa: E402
from service.app.settings import Settings  # noqa: E402
from service.stores.disk.files import load_build  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact" / "corpus.jsonl"
BRIEFQA = str(Path(sys.executable).parent / "briefqa")


def write_corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    with SCIFACT.open(encoding="utf-8") as fh:
        for i, line in zip(range(n), fh):
            doc = json.loads(line)
            (folder / f"{doc['_id']}.txt").write_text(f"{doc['title'].upper()}\n\n{doc['text']}\n", encoding="utf-8")


def timed_cli(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([BRIEFQA, *args], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_corpus(work / "corpus", args.docs)
        settings = Settings(corpus_dir=work / "corpus", index_dir=work / "index")
        embedder = SentenceTransformerEmbedder(settings.model)
        embedder.export_onnx(work / "index" / "onnx")  # once per weights: not part of the timed build
        embedder.encode(["warm up"] * 8)
        t = time.perf_counter()
        report = build_index(build_settings(settings), lambda: embedder, fingerprint=model_fingerprint(settings.model))
        build_s = time.perf_counter() - t
        data = load_build(settings.index_dir).data
        texts = [passage_text(c.section, c.text) for c in data.chunks] + [clean(s.text) for s in data.sentences]
        t = time.perf_counter()
        embedder.encode(texts)
        raw_s = time.perf_counter() - t
        build_rate, raw_rate = len(texts) / build_s, len(texts) / raw_s
        unchanged = [timed_cli("--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir), "index", "--quiet") for _ in range(3)]
        brief = work / "brief-index"
        timed_cli("--index-dir", str(brief), "index", "--quiet")
        cold = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from service.app.runtime import load_engine; from service.app.settings import Settings; "
                            f"load_engine(Settings(index_dir={str(brief)!r})).ask('warm', 1)"], check=True, cwd=ROOT)
            cold.append(time.perf_counter() - t)
    result = {
        "docs": args.docs, "passages": report.chunks, "sentences": report.sentences, "texts_embedded": len(texts),
        "build_s": round(build_s, 2), "build_texts_per_s": round(build_rate, 1),
        "raw_encode_s": round(raw_s, 2), "raw_texts_per_s": round(raw_rate, 1),
        "build_vs_raw": round(build_rate / raw_rate, 3),
        "unchanged_rebuild_s (CLI, whole process)": [round(x, 2) for x in unchanged],
        "cold_start_to_first_answer_s (new process, ONNX cached)": [round(x, 2) for x in cold],
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"build-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
