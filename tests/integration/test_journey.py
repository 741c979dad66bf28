"""README's journey as a new user takes it, on the shipped defaults, through what users touch.

`briefqa serve` runs in a subprocess from a folder holding only `corpus/`, with nothing set but
BRIEFQA_ADMIN_KEY (and its port): as `make serve` runs it on a fresh clone, it builds the index first,
exporting and verifying its own int8 model into `index/onnx`. Then: ask the ADSE question; upload a
PDF with `briefqa documents add`; ask what only the PDF says and get its page cited; replace it and
get the new text; delete it and see it never cited; restart the server and see that state kept.

The same journey runs against the PostgreSQL store (`briefqa index`, then `briefqa serve`, as README's
"Many replicas" section says); that one shares the session's ONNX export (BRIEFQA_ONNX_CACHE) for speed,
since the disk journey already makes one from nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADSE, BRIEF, ONNX_CACHE
from tests.documents_api import UNIQUE_QUESTION, write_report_pdf
from tests.live_server import free_port, stop_process, wait_ready

pytestmark = pytest.mark.integration
KEY = "journey-admin-key"
BRIEFQA = [sys.executable, "-m", "service"]  # the `briefqa` console script's entry point
REPLACED_FACT = "approved a maintenance budget of 91 million euros"


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any BRIEFQA_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFQA_")}
    return {**env, "BRIEFQA_ADMIN_KEY": KEY, **extra}


@contextmanager
def serve(work: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    env = {**env, "BRIEFQA_PORT": str(port)}
    with log.open("a") as out:
        proc = subprocess.Popen([*BRIEFQA, "serve"], cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, timeout=600, proc=proc)
            yield base
        finally:
            stop_process(proc, 30)


def cli(work: Path, env: dict[str, str], *args: str) -> str:
    """`briefqa ARGS` as a user runs it; fails the test with its output when it exits non-zero."""
    done = subprocess.run([*BRIEFQA, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"briefqa {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def ask(base: str, question: str) -> dict:
    r = httpx.post(base + "/v1/ask", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def cited_docs(answer: dict) -> set[str]:
    return {c["doc_id"] for c in answer["citations"]}


def new_user_folder(tmp_path: Path) -> Path:
    work = tmp_path / "clone"
    (work / "corpus").mkdir(parents=True)
    shutil.copy(BRIEF, work / "corpus" / BRIEF.name)
    return work


def journey(work: Path, env: dict[str, str], log: Path) -> None:
    pdf = work / "lighthouse.pdf"
    page = write_report_pdf(pdf, sections=3)
    with serve(work, env, log) as base:
        adse = ask(base, ADSE)
        assert not adse["abstained"] and "undersea infrastructure" in adse["answer"]
        out = cli(work, {**env, "BRIEFQA_SERVER_URL": base}, "documents", "add", str(pdf))
        assert "published -> version" in out, out
        got = ask(base, UNIQUE_QUESTION)
        assert not got["abstained"] and "77 million euros" in got["answer"], got["answer"]
        first = got["citations"][got["sentences"][0]["citations"][0] - 1]
        assert first["doc_id"] == "lighthouse.pdf" and first["page"] == page, first

        report = pdf.read_bytes()
        pdf.unlink()
        write_report_pdf(pdf, sections=3, fact=f"The Zorvathian Lighthouse Authority {REPLACED_FACT} for 2031.")
        assert pdf.read_bytes() != report
        cli(work, {**env, "BRIEFQA_SERVER_URL": base}, "documents", "add", str(pdf), "--replace")
        got = ask(base, UNIQUE_QUESTION)
        assert "91 million euros" in got["answer"] and "77 million" not in str(got["citations"]), got["answer"]

        cli(work, {**env, "BRIEFQA_SERVER_URL": base}, "documents", "rm", "lighthouse.pdf")
        gone = ask(base, UNIQUE_QUESTION)
        assert "lighthouse.pdf" not in cited_docs(gone)
        version = gone["index_version"]
    with serve(work, env, log) as base:  # a restart keeps what the jobs published
        listed = httpx.get(base + "/v1/documents", timeout=30).json()["documents"]
        assert [d["doc_id"] for d in listed] == [BRIEF.name]
        again = ask(base, UNIQUE_QUESTION)
        assert again["index_version"] == version and "lighthouse.pdf" not in cited_docs(again)
        assert "undersea infrastructure" in ask(base, ADSE)["answer"]


def test_the_readme_journey_on_a_fresh_folder_with_the_defaults(tmp_path):
    work = new_user_folder(tmp_path)
    log = tmp_path / "serve.log"
    try:
        journey(work, clean_env(), log)
    except BaseException:
        print(log.read_text(errors="replace")[-6000:])
        raise
    built = next((work / "index" / "onnx").rglob("onnx.json"), None)
    assert built is not None  # the server exported its own model, as on a fresh clone
    manifests = [json.loads(m.read_text()) for m in (work / "index" / "builds").glob("*/manifest.json")]
    assert manifests and all(m["model"]["encoder"] == "int8" for m in manifests)


def test_the_readme_journey_on_postgresql(tmp_path, pg_database):
    work = new_user_folder(tmp_path)
    env = clean_env(BRIEFQA_STORE=pg_database, BRIEFQA_ONNX_CACHE=str(ONNX_CACHE))
    cli(work, env, "index", "--quiet")  # README: `briefqa index` on one machine, `briefqa serve` on every replica
    log = tmp_path / "serve.log"
    try:
        journey(work, env, log)
    except BaseException:
        print(log.read_text(errors="replace")[-6000:])
        raise
    assert not (work / "index" / "builds").exists()  # every build lives in the database
