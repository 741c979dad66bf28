"""Which encoder makes an index's vectors, and the matching one for its queries.

`BRIEFQA_ENCODER=int8` (the default): builds and queries use the int8 ONNX model (service/models/int8.py),
made once per weights hash by the first `briefqa index` and verified against fp32 on the project test
set. `fp32`: builds use torch, queries the fp32 ONNX export, as before. An index records its encoder
(manifest `model.encoder`, and in `model.fingerprint`); a server always queries it with that encoder,
and refuses the index when that encoder is not available.
"""

from __future__ import annotations

import logging
from pathlib import Path

from service.app.settings import Settings
from service.core.errors import IndexMismatch
from service.evaluation.testset import DEFAULT_TESTSET, load_testset
from service.models.embedding import Embedder, SentenceTransformerEmbedder, model_fingerprint
from service.models.int8 import FINGERPRINT_SUFFIX, int8_fingerprint, quantize, verified_int8, weights_of
from service.models.onnx import OnnxEmbedder, verified_export

log = logging.getLogger("briefqa")


def onnx_cache(settings: Settings) -> Path | None:
    """Where the model's ONNX exports live (None when ONNX is off)."""
    if not settings.onnx:
        return None
    return settings.onnx_cache or settings.index_dir / "onnx"


def encoder_of(fingerprint: str | None) -> str:
    """'int8' or 'fp32', from the fingerprint an index's vectors were recorded with."""
    return "int8" if fingerprint and fingerprint.endswith(FINGERPRINT_SUFFIX) else "fp32"


def verification_texts() -> tuple[list[str], list[str]]:
    """The project test set: its questions, ranked against every evidence passage it quotes."""
    questions = load_testset(DEFAULT_TESTSET)
    passages = sorted({e for q in questions for e in q.evidence})
    return [q.question for q in questions], passages


def build_fingerprint(settings: Settings) -> str | None:
    """The fingerprint the next build's vectors will carry (None when the model is not a local folder)."""
    weights = model_fingerprint(settings.model)
    if weights and settings.encoder == "int8" and settings.onnx:
        return int8_fingerprint(weights)
    return weights


def _int8_folder(settings: Settings, cache: Path) -> tuple[Path | None, str | None, Embedder | None]:
    """The verified int8 model of the configured weights, made (exported from torch, quantised and
    verified) when the cache lacks it; with the weights hash, and the torch model if one was loaded."""
    weights = model_fingerprint(settings.model)
    folder = verified_int8(cache, weights) if weights else None
    torch_model = None
    if folder is None:
        torch_model = SentenceTransformerEmbedder(settings.model, settings.device)
        weights = torch_model.fingerprint()
        if torch_model.export_onnx(cache) is not None:
            folder = quantize(cache, weights, *verification_texts())
    return folder, weights, torch_model


def build_embedder(settings: Settings) -> Embedder:
    """The encoder of every index build, whichever route makes it (`briefqa index`, a server's index
    jobs, eval, benches): int8 ONNX (quantised and verified on first use), else torch fp32. Its
    fingerprint is `build_fingerprint(settings)` whenever the model is a local folder."""
    cache = onnx_cache(settings)
    if settings.encoder != "int8" or cache is None:
        return SentenceTransformerEmbedder(settings.model, settings.device)
    folder, weights, torch_model = _int8_folder(settings, cache)
    if folder is None or weights is None:
        log.warning("no verified int8 model of %s; the index is built with torch fp32", settings.model)
        return torch_model or SentenceTransformerEmbedder(settings.model, settings.device)
    return OnnxEmbedder(folder, settings.model, int8_fingerprint(weights), settings.build_threads, "int8")


def int8_query_embedder(settings: Settings, weights: str) -> Embedder:
    """The int8 query encoder an int8 index needs: made from the configured weights when the cache
    lacks it (as a build would), refused with the fix when it cannot be made or the weights differ."""
    cache = onnx_cache(settings)
    folder = verified_int8(cache, weights) if cache else None
    if folder is None and cache is not None and model_fingerprint(settings.model) == weights:
        log.info("no int8 model of %s in %s; making it (once per weights)", settings.model, cache)
        folder = _int8_folder(settings, cache)[0]
    if folder is None:
        where = f"in {cache}" if cache else "while BRIEFQA_ONNX is off"
        raise IndexMismatch(f"the index was built with the int8 encoder and no verified int8 model is available "
                            f"{where}; run `briefqa index` (it makes one) or set BRIEFQA_ENCODER=fp32 and rebuild")
    return OnnxEmbedder(folder, settings.model, int8_fingerprint(weights), settings.onnx_threads, "int8")


def fp32_export(settings: Settings, weights: str | None) -> OnnxEmbedder | None:
    cache = onnx_cache(settings)
    folder = verified_export(cache, weights) if cache and weights else None
    return OnnxEmbedder(folder, settings.model, weights, settings.onnx_threads) if folder and weights else None
