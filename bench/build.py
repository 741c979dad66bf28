"""Index build speed: texts per second of a build with the int8 encoder (the default) beside the same
build with torch fp32 (BRIEFQA_ENCODER=fp32, the encoder before int8), in one run; a rebuild of an
unchanged corpus, and the brief's cold start to ready.

    .venv/bin/python bench/build.py [--docs 1000] [--rounds 1]

The corpus is the first N SciFact abstracts (../shared/benchmarks/scifact), one .txt file each, in a
temporary folder. Both builds run in this process into their own index folder (the models are loaded,
and the ONNX export and int8 quantisation made, before timing starts); with --rounds > 1 they alternate
and the median is reported.
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

import statistics  # noqa: E402
import os  # noqa: E402

from service.models.embedding import SentenceTransformerEmbedder  # noqa: E402
from service.pipeline import BuildReport, build_index  # noqa: E402
from service.app.runtime import build_embedder, build_fingerprint, build_settings  # noqa: E402
from service.app.settings import Settings  # noqa: E402

# ../shared from the main checkout, ../../shared from a worktree under wt/
SCIFACT = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
               ROOT.parent / "shared") / "benchmarks" / "scifact" / "corpus.jsonl"
BRIEFQA = str(Path(sys.executable).parent / "briefqa")


def write_corpus(folder: Path, n: int, titles: str = "capitals") -> None:
    """The first `n` abstracts as `<id>.txt`: the title, a blank line, the text; `titles` is
    "capitals" (the title upper-cased) or "plain" (the title as SciFact writes it)."""
    folder.mkdir(parents=True)
    with SCIFACT.open(encoding="utf-8") as fh:
        for i, line in zip(range(n), fh):
            doc = json.loads(line)
            title = doc["title"].upper() if titles == "capitals" else doc["title"]
            (folder / f"{doc['_id']}.txt").write_text(f"{title}\n\n{doc['text']}\n", encoding="utf-8")


def timed_cli(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([BRIEFQA, *args], check=True, capture_output=True)
    return time.perf_counter() - t


def timed_build(settings: Settings, embedder) -> tuple[float, BuildReport]:
    t = time.perf_counter()
    report = build_index(build_settings(settings), lambda: embedder, fingerprint=embedder.fingerprint(), force=True)
    return time.perf_counter() - t, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_corpus(work / "corpus", args.docs)
        int8 = Settings(corpus_dir=work / "corpus", index_dir=work / "index")
        fp32 = Settings(corpus_dir=work / "corpus", index_dir=work / "index-fp32", encoder="fp32", onnx=False)
        torch_model = SentenceTransformerEmbedder(int8.model)
        fast = build_embedder(int8)  # exports to ONNX and quantises once per weights: not timed
        assert fast.fingerprint() == build_fingerprint(int8) and getattr(fast, "encoder", "") == "int8"
        torch_model.encode(["warm up"] * 8), fast.encode(["warm up"] * 8)
        times: dict[str, list[float]] = {"int8": [], "fp32": []}
        for r in range(args.rounds):
            for name, settings, embedder in (("int8", int8, fast), ("fp32", fp32, torch_model)):
                fresh = settings.model_copy(update={"index_dir": work / f"index-{name}-{r}"})  # nothing to reuse
                seconds, report = timed_build(fresh, embedder)
                times[name].append(seconds)
                load.append(os.getloadavg()[0])
                print(f"  {name}: {report.embedded} texts in {seconds:.1f}s", flush=True)
                texts = report.embedded
        int8 = int8.model_copy(update={"index_dir": work / f"index-int8-{args.rounds - 1}"})
        build_s, fp32_s = statistics.median(times["int8"]), statistics.median(times["fp32"])
        build_rate, raw_rate = texts / build_s, texts / fp32_s
        unchanged = [timed_cli("--corpus-dir", str(int8.corpus_dir), "--index-dir", str(int8.index_dir), "index", "--quiet") for _ in range(3)]
        whole = work / "whole-cli"
        t = time.perf_counter()
        subprocess.run([BRIEFQA, "--corpus-dir", str(int8.corpus_dir), "--index-dir", str(whole), "index", "--quiet"],
                       check=True, capture_output=True)
        first_cli_s = time.perf_counter() - t
        brief = work / "brief-index"
        timed_cli("--index-dir", str(brief), "index", "--quiet")
        cold = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from service.app.runtime import load_engine; from service.app.settings import Settings; "
                            f"load_engine(Settings(index_dir={str(brief)!r})).ask('warm', 1)"], check=True, cwd=ROOT)
            cold.append(time.perf_counter() - t)
    result = {
        "docs": args.docs, "passages": report.chunks, "sentences": report.sentences, "texts_embedded": texts,
        "rounds": args.rounds, "load_avg_1m": [round(x, 2) for x in load],
        "int8_build_s": [round(x, 2) for x in times["int8"]], "int8_texts_per_s": round(build_rate, 1),
        "fp32_torch_build_s": [round(x, 2) for x in times["fp32"]], "fp32_texts_per_s": round(raw_rate, 1),
        "int8_vs_fp32": round(build_rate / raw_rate, 2),
        "first_cli_index_s (new process: model load, ONNX export, int8 quantisation, build)": round(first_cli_s, 2),
        "unchanged_rebuild_s (CLI, whole process)": [round(x, 2) for x in unchanged],
        "cold_start_to_first_answer_s (new process, ONNX cached)": [round(x, 2) for x in cold],
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"build-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
