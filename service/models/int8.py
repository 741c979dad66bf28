"""The int8 encoder: the verified fp32 ONNX export, quantised with onnxruntime's dynamic quantisation.

Weights are int8 per output channel (activations are quantised on the fly), which keeps the vectors
within a cosine of ~0.99 of fp32 and runs about 3x faster on a CPU. Before an int8 model is used it is
checked against fp32 on a verification set (queries ranked against passages): the top hit must agree
for at least MIN_TOP1 of the queries and the top 10 must overlap by at least MIN_OVERLAP. Vectors from
the int8 model and from fp32 are never mixed: their fingerprints differ (FINGERPRINT_SUFFIX).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from service.models.onnx import META, OnnxEmbedder, verified_export

log = logging.getLogger("briefqa.onnx")
FINGERPRINT_SUFFIX = "+onnx-int8"
SUBDIR = "int8"
MIN_TOP1 = 0.9
MIN_OVERLAP = 0.85


@dataclass(frozen=True)
class Agreement:
    """How closely a candidate encoder ranks passages like a reference one, per query on average."""

    queries: int
    top1: float  # share of queries whose best passage is the same
    overlap_at_10: float  # mean share of the top 10 passages in common
    min_cosine: float  # lowest cosine between the two encoders' query vectors

    def passes(self) -> bool:
        return self.top1 >= MIN_TOP1 and self.overlap_at_10 >= MIN_OVERLAP


def rank_agreement(reference: OnnxEmbedder, candidate: OnnxEmbedder, queries: list[str],
                   passages: list[str], k: int = 10) -> Agreement:
    ref_q, ref_p = reference.encode(queries), reference.encode(passages)
    cand_q, cand_p = candidate.encode(queries), candidate.encode(passages)
    ref_s, cand_s = ref_q @ ref_p.T, cand_q @ cand_p.T
    k = min(k, len(passages))
    ref_top, cand_top = np.argsort(-ref_s, axis=1)[:, :k], np.argsort(-cand_s, axis=1)[:, :k]
    overlap = [len(set(a) & set(b)) / k for a, b in zip(ref_top.tolist(), cand_top.tolist())]
    return Agreement(len(queries), round(float(np.mean(ref_top[:, 0] == cand_top[:, 0])), 4),
                     round(float(np.mean(overlap)), 4), round(float(np.min(np.sum(ref_q * cand_q, axis=1))), 4))


def int8_fingerprint(weights: str) -> str:
    return weights + FINGERPRINT_SUFFIX


def weights_of(fingerprint: str | None) -> str | None:
    """The weights hash inside a vectors fingerprint (int8 or fp32)."""
    return fingerprint.removesuffix(FINGERPRINT_SUFFIX) if fingerprint else fingerprint


def verified_int8(cache_root: Path, weights: str) -> Path | None:
    """The int8 model of these weights, if it exists and passed verification."""
    fp32 = verified_export(cache_root, weights)
    if fp32 is None:
        return None
    folder = fp32 / SUBDIR
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = meta.get("fingerprint") == weights and Agreement(**meta.get("agreement", {})).passes()
    return folder if ok and (folder / "model.onnx").is_file() else None


def quantize(cache_root: Path, weights: str, queries: list[str], passages: list[str]) -> Path | None:
    """Quantise the verified fp32 export and check it; returns the folder, or None (with a warning)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    done = verified_int8(cache_root, weights)
    if done:
        return done
    fp32 = verified_export(cache_root, weights)
    if fp32 is None:
        return None
    folder = fp32 / SUBDIR
    tmp = folder.with_name(f"{SUBDIR}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    root = logging.getLogger()
    level, _ = root.level, root.setLevel(logging.ERROR)  # quantize_dynamic advises pre-processing on the root logger
    try:
        quantize_dynamic(str(fp32 / "model.onnx"), str(tmp / "model.onnx"), weight_type=QuantType.QInt8,
                         per_channel=True)
    finally:
        root.setLevel(level)
    shutil.copy(fp32 / "tokenizer.json", tmp / "tokenizer.json")
    meta = json.loads((fp32 / META).read_text(encoding="utf-8"))
    (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
    agreement = rank_agreement(OnnxEmbedder(fp32, "verify", weights), OnnxEmbedder(tmp, "verify", weights),
                               queries, passages)
    if not agreement.passes():
        log.warning("int8 model ranks unlike fp32 (%s); the fp32 encoder is used", agreement)
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    (tmp / META).write_text(json.dumps({**meta, "agreement": asdict(agreement)}), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder
