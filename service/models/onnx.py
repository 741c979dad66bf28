"""The fast query path: the embedding model exported to ONNX once per weights hash, run by onnxruntime.

Export happens at index build time (it needs torch); serving then needs only `tokenizers` and
`onnxruntime`, which start in well under a second. An export is used only if, when it was made, its
vectors agreed with the torch model's on sample texts (cosine >= MIN_COSINE).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("briefqa.onnx")
MIN_COSINE = 0.9999
META = "onnx.json"
SAMPLES = [
    "what are the ADSE priority areas",
    "How much did Allies pledge in security assistance to Ukraine, and by when?",
    "NATO established the Alliance Data Sharing Ecosystem (ADSE) for defence and security.",
    "Ünïcödé, emoji 🚀, numbers 1,000 and EUR 20.9 billion",
    "x",
    " ".join(["a long text to reach the truncation length of the model"] * 40),
]


def export_dir(cache_root: Path, fingerprint: str) -> Path:
    return cache_root / fingerprint[:32]


def verified_export(cache_root: Path, fingerprint: str) -> Path | None:
    """The export folder for these weights, if one exists and passed verification."""
    folder = export_dir(cache_root, fingerprint)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = meta.get("fingerprint") == fingerprint and meta.get("min_cosine", 0) >= MIN_COSINE
    return folder if ok and (folder / "model.onnx").is_file() else None


def _torch_wrapper(st_model: Any) -> Any:
    import torch

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = st_model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            features = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
            return self.st(features)["sentence_embedding"]

    return SentenceEmbedding().eval()


def export(st_model: Any, model_dir: Path, fingerprint: str, cache_root: Path) -> Path | None:
    """Export and verify; returns the folder, or None (with a warning) when torch must be used."""
    import torch

    done = verified_export(cache_root, fingerprint)
    if done:
        return done
    if not (model_dir / "tokenizer.json").is_file():
        log.warning("model has no tokenizer.json; queries will use torch (slower)")
        return None
    folder = export_dir(cache_root, fingerprint)
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    enc = st_model.tokenizer(SAMPLES[:2], padding=True, return_tensors="pt")
    if "token_type_ids" not in enc:
        enc["token_type_ids"] = torch.zeros_like(enc["input_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"embedding": {0: "batch"}}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_torch_wrapper(st_model), tuple(enc[n] for n in names), str(tmp / "model.onnx"),
                              input_names=names, output_names=["embedding"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
    except Exception as exc:  # export support varies by architecture; torch stays correct
        log.warning("ONNX export failed (%s); queries will use torch (slower)", exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    shutil.copy(model_dir / "tokenizer.json", tmp / "tokenizer.json")
    meta = {"fingerprint": fingerprint, "max_seq_length": int(st_model.max_seq_length),
            "dimension": int(st_model.get_embedding_dimension())}
    (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
    expected = st_model.encode(SAMPLES, normalize_embeddings=True, convert_to_numpy=True)
    got = OnnxEmbedder(tmp, "verify", fingerprint, threads=1).encode(SAMPLES)
    min_cos = float(np.min(np.sum(expected * got, axis=1)))
    if min_cos < MIN_COSINE:
        log.warning("ONNX vectors disagree with torch (min cosine %.6f); queries will use torch", min_cos)
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    (tmp / META).write_text(json.dumps({**meta, "min_cosine": min_cos}), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


class OnnxEmbedder:
    """Embedder protocol over an exported model: tokenizers + onnxruntime, no torch."""

    def __init__(self, folder: Path, model_id: str, fingerprint: str, threads: int = 1, encoder: str = "fp32") -> None:
        from tokenizers import Tokenizer

        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        self.model_id = model_id
        self.encoder = encoder  # "fp32" or "int8": recorded in an index's manifest
        self.folder = folder
        self.dimension = int(meta["dimension"])
        self._fingerprint = fingerprint
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self._tokenizer.no_padding()  # tokenizer.json pads to 128; token_inputs pads a batch to its longest text
        self._session = cpu_session(folder / "model.onnx", threads)

    def fingerprint(self) -> str:
        return self._fingerprint

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Normalised vectors; texts are batched by token count, each batch padded only to its longest."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encs = self._tokenizer.encode_batch(texts) if texts else []
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        for a in range(0, len(order), batch_size):
            rows = order[a : a + batch_size]
            vectors = self._session.run(None, token_inputs([encs[i] for i in rows]))[0]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[rows] = vectors / np.where(norms > 0, norms, 1.0)
        return out


def cpu_session(path: Path, threads: int) -> Any:
    """An onnxruntime CPU session on `threads` threads that does not busy-wait on a shared CPU."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait on a shared CPU
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def token_inputs(encs: list[Any]) -> dict[str, np.ndarray]:
    """onnxruntime inputs for tokenized texts, padded to the longest of them."""
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros((len(encs), width), dtype=np.int64)
    types = np.zeros((len(encs), width), dtype=np.int64)
    for row, e in enumerate(encs):
        n = len(e.ids)
        ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
