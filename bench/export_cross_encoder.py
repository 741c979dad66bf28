"""Export the joint reader trained by bench/train_cross_encoder.py to ONNX and int8, check int8, time it.

    .venv/bin/python bench/export_cross_encoder.py /tmp/ce-reader [--results bench/results/cross_encoder_reader.json]

Writes model.onnx (fp32) and model.int8.onnx (onnxruntime `quantize_dynamic`, QInt8, per channel, as
service/models/int8.py quantises the encoder) into the model's folder; checks fp32 ONNX against torch
(max |score difference| on a VALIDATION sample), then int8 against fp32 on all VALIDATION questions (top-1,
no-answer accuracy with each one's own VALIDATION threshold, and how often they pick the same sentence);
then times one question at a time on 2 onnxruntime threads: tokenising and scoring its top 3 and top 5
sentences by cosine as one batch (the cosines come from vectors the service already has). TEST is only
used for the latency sample. Adds an "onnx" entry to the results JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cross_encoder_model import load  # noqa: E402
from squad_sentences import (Question, bi_vectors, choose_threshold, cosine_scores, load_questions,  # noqa: E402
                             no_answer_accuracy, top1)
from train_cross_encoder import RESULTS, SEED, encode  # noqa: E402

NAMES = ["input_ids", "attention_mask", "token_type_ids", "cosine"]


def export(folder: Path) -> tuple[Path, Path]:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer

    model, meta = load(folder)
    tok = AutoTokenizer.from_pretrained(folder)
    enc = encode(tok, [("what is it?", "It is a test."), ("who?", "Nobody at all, said the man.")], meta["max_length"])
    args = (*[enc[n] for n in NAMES[:3]], torch.tensor([0.5, 0.2]))
    axes = {n: {0: "pairs", 1: "tokens"} for n in NAMES[:3]} | {"cosine": {0: "pairs"}, "score": {0: "pairs"}}
    fp32, int8 = folder / "model.onnx", folder / "model.int8.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, str(fp32), input_names=NAMES, output_names=["score"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    return fp32, int8


class OnnxReader:
    """tokenizers + onnxruntime: scores of (question, sentence) pairs given their cosines."""

    def __init__(self, model: Path, tokenizer: Path, max_length: int, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(tokenizer))
        self.tok.enable_truncation(max_length=max_length, strategy="longest_first")
        self.tok.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def scores(self, question: str, sentences: list[str], cosines: np.ndarray) -> np.ndarray:
        enc = self.tok.encode_batch([(question, s) for s in sentences])
        feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
                "cosine": np.asarray(cosines, dtype=np.float32)}
        return self.session.run(["score"], feed)[0].astype(np.float64)


def figures(questions: list[Question], scores: list[np.ndarray]) -> dict[str, float]:
    return {"top1": round(top1(questions, scores), 4),
            **no_answer_accuracy(questions, scores, choose_threshold(questions, scores))}


def latency(reader: OnnxReader, questions: list[Question], cos: list[np.ndarray], k: int) -> dict[str, float]:
    """Wall ms per question: tokenise and score its k best sentences by cosine, one batch."""
    jobs = []
    for q, c in zip(questions, cos):
        top = np.argsort(-c)[:k]
        jobs.append((q.text, [q.sentences[i] for i in top], c[top]))
    for job in jobs[:10]:
        reader.scores(*job)  # warm-up
    times = []
    for job in jobs:
        t = time.perf_counter()
        reader.scores(*job)
        times.append(1000 * (time.perf_counter() - t))
    return {"questions": len(times), "mean_pairs": round(statistics.mean(len(j[1]) for j in jobs), 2),
            "p50_ms": round(statistics.median(times), 3), "p90_ms": round(float(np.percentile(times, 90)), 3),
            "mean_ms": round(statistics.mean(times), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path, help="folder written by bench/train_cross_encoder.py --out")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--cache", default="/tmp/ce-work")
    ap.add_argument("--latency-questions", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(2)
    fp32, int8 = export(args.model)
    meta = json.loads((args.model / "joint_reader.json").read_text(encoding="utf-8"))
    splits = load_questions()
    val, test = splits["validation"], splits["test"]
    vec = bi_vectors([t for qs in splits.values() for q in qs for t in (q.text, *q.sentences)], Path(args.cache))
    val_cos = cosine_scores(val, vec)
    readers = {name: OnnxReader(path, args.model / "tokenizer.json", meta["max_length"])
               for name, path in (("fp32", fp32), ("int8", int8))}
    model, _ = load(args.model)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.model)
    diffs = []
    with torch.no_grad():
        for q, c in list(zip(val, val_cos))[:50]:
            ref = model(**encode(tok, [(q.text, s) for s in q.sentences], meta["max_length"]),
                        cosine=torch.tensor(c, dtype=torch.float32)).numpy()
            diffs.append(float(np.abs(ref - readers["fp32"].scores(q.text, list(q.sentences), c)).max()))
    scored = {name: [r.scores(q.text, list(q.sentences), c) for q, c in zip(val, val_cos)]
              for name, r in readers.items()}
    same = np.mean([int(np.argmax(a)) == int(np.argmax(b)) for a, b in zip(scored["fp32"], scored["int8"])])
    sample = random.Random(SEED).sample(test, min(args.latency_questions, len(test)))
    sample_cos = cosine_scores(sample, vec)
    onnx = {
        "fp32_vs_torch_max_abs_score_diff_50_validation_questions": round(max(diffs), 6),
        "validation_fp32": figures(val, scored["fp32"]), "validation_int8": figures(val, scored["int8"]),
        "validation_same_top_sentence_share": round(float(same), 4),
        "bytes": {"fp32": fp32.stat().st_size, "int8": int8.stat().st_size},
        "latency_2_threads_test_sample": {f"{name}_top{k}": latency(r, sample, sample_cos, k)
                                          for name, r in readers.items() for k in (3, 5)},
        "load_average_at_end": list(os.getloadavg()),
        "at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(onnx, indent=2))
    if args.results.is_file():
        result = json.loads(args.results.read_text(encoding="utf-8"))
        result["onnx"] = onnx
        args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
