"""Build metadata that lives with each index build, and its checks."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from service.core.errors import IndexCorrupt, IndexMismatch

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"  # sha256sum format: "<hex>  manifest.json"
LIBRARIES = ("sentence-transformers", "transformers", "torch", "faiss-cpu", "bm25s", "langchain-text-splitters", "numpy")


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def new_manifest(*, version: str, model: dict[str, Any], settings: dict[str, Any],
                 corpus_files: dict[str, str], counts: dict[str, int]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "version": version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model,
        "settings": settings,
        "corpus": {"files": corpus_files, "hash": corpus_hash(corpus_files)},
        "counts": counts,
        "libraries": library_versions(),
        "files": {},
    }


def read_manifest(build: Path) -> dict[str, Any]:
    path = build / MANIFEST
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorrupt(f"index build {build.name} has no {MANIFEST}") from exc
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"index build {build.name}: {MANIFEST} is unreadable ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(
            f"index build {build.name} has format {manifest.get('format_version') if isinstance(manifest, dict) else '?'}, "
            f"this briefqa reads format {FORMAT_VERSION}; run `briefqa index` to rebuild"
        )
    _verify_manifest_sum(build, raw)
    return manifest


def manifest_sum_line(manifest_bytes: bytes) -> str:
    return f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST}\n"


def _verify_manifest_sum(build: Path, raw: bytes) -> None:
    """The manifest itself is checked against manifest.sha256, written last by the build."""
    try:
        expected = (build / MANIFEST_SUM).read_text(encoding="ascii").split()[0]
    except (OSError, ValueError, IndexError) as exc:
        raise IndexCorrupt(f"index build {build.name} has no readable {MANIFEST_SUM}; "
                           f"run `briefqa index` to rebuild") from exc
    if hashlib.sha256(raw).hexdigest() != expected:
        raise IndexCorrupt(f"index build {build.name}: {MANIFEST} does not match its checksum in {MANIFEST_SUM} "
                           f"(edited after the build); run `briefqa index --force` to rebuild")


def verify_files(build: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists exists with its recorded checksum."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexCorrupt(f"index build {build.name}: manifest lists no files")
    for name, expected in files.items():
        path = build / name
        if not path.is_file():
            raise IndexCorrupt(f"index build {build.name}: {name} is missing")
        if sha256_file(path) != expected:
            raise IndexCorrupt(
                f"index build {build.name}: {name} does not match its checksum (truncated or edited)"
            )


def check_model(manifest: dict[str, Any], model_id: str, fingerprint: str, dimension: int) -> None:
    built = manifest.get("model", {})
    if built.get("dimension") != dimension:
        raise IndexMismatch(
            f"index was built with {built.get('dimension')}-dimensional vectors but model "
            f"{model_id!r} makes {dimension}; run `briefqa index` to rebuild"
        )
    if built.get("fingerprint") != fingerprint and str(built.get("fingerprint"))[:64] == fingerprint[:64]:
        raise IndexMismatch(
            f"index was built with the {built.get('encoder', 'fp32')} encoder of model {built.get('id')!r}, but "
            f"queries would use another encoder of it; run `briefqa index` to rebuild"
        )
    if built.get("fingerprint") != fingerprint:
        raise IndexMismatch(
            f"index was built with model {built.get('id')!r} (weights {str(built.get('fingerprint'))[:12]}), "
            f"not the configured {model_id!r} (weights {fingerprint[:12]}); run `briefqa index` to rebuild"
        )
