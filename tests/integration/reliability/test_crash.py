"""Crash safety with real processes: `briefqa index` (real model) is SIGKILLed at each build point.
CURRENT must stay on an intact build, the running server and the CLI keep answering, and the next
build succeeds and removes what the killed one left."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.stores.disk import files as store
from service.http.app import create_app
from service.core.checkpoints import POINTS
from service.cli.main import main
from service.pipeline import build_index
from service.app.runtime import build_settings, load_engine
from tests.live_server import ROOT

pytestmark = pytest.mark.integration
ADMIN = {"X-API-Key": "crash-admin"}


def _run_until_paused(settings, point: str, timeout: float = 240.0) -> subprocess.Popen:
    """Start `briefqa index` pausing at `point`; return once it says it is paused there."""
    env = {**os.environ, "BRIEFQA_TEST_PAUSE_AT": point, "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "service", "--corpus-dir", str(settings.corpus_dir),
                             "--index-dir", str(settings.index_dir), "index", "--quiet"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline, said = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1.0)
        line = proc.stderr.readline() if ready else ""
        said.append(line)
        if f"paused at {point}" in line:
            return proc
        if proc.poll() is not None and not line:
            break
    proc.kill()
    raise AssertionError(f"`briefqa index` never paused at {point}: {''.join(said)[-2000:]}")


@pytest.fixture
def crash_copy(real_settings, tmp_path):
    shutil.copytree(real_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    shutil.copytree(real_settings.corpus_dir, tmp_path / "corpus")
    return real_settings.model_copy(update={"index_dir": tmp_path / "index", "corpus_dir": tmp_path / "corpus",
                                            "admin_key": SecretStr(ADMIN["X-API-Key"])})


def _cli_version(settings, capsys) -> str:
    args = ["--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]
    assert main([*args, "search", "Patriot missiles", "--json", "-k", "1"]) == 0
    return json.loads(capsys.readouterr().out)["index_version"]


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_each_build_point_leaves_an_intact_current_build(point, crash_copy, real_embedder, capsys):
    settings = crash_copy
    before = store.current_version(settings.index_dir)
    doc = next(settings.corpus_dir.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + f"\nKilled at {point}: this line is new.\n", encoding="utf-8")
    with TestClient(create_app(settings)) as server:
        proc = _run_until_paused(settings, point)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL

        current = store.current_version(settings.index_dir)
        assert (current == before) is (point != "published")
        store.load_build(settings.index_dir)  # intact: every checksum and count verified
        reload = server.post("/v1/admin/reload", headers=ADMIN)
        assert reload.status_code == 200 and reload.json()["index_version"] == current
        ask = server.post("/v1/ask", json={"question": "how much did Allies pledge to Ukraine"})
        assert ask.status_code == 200 and ask.json()["index_version"] == current
        assert _cli_version(settings, capsys) == current

        leftovers = list((settings.index_dir / "builds").glob(".tmp-*"))
        assert bool(leftovers) is (point == "writing")
        report = build_index(build_settings(settings), lambda: real_embedder, force=True)
        assert report.cleaned == len(leftovers)
        assert not list((settings.index_dir / "builds").glob(".tmp-*"))
        assert store.current_version(settings.index_dir) == report.version != current
        assert server.post("/v1/admin/reload", headers=ADMIN).json()["index_version"] == report.version
        assert _cli_version(settings, capsys) == report.version
