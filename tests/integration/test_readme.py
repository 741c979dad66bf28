"""README.md's examples, run as written: every `briefqa ...` line parses with the real parser and the runnable
ones run against a real index; every curl line runs with curl against a real uvicorn server (only the
host:port is changed); the settings table matches service/settings.py; the diagram names real modules."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.http.app import create_app
from service.cli.main import _parser, main
from service.app.runtime import load_engine
from service.app.settings import Settings
from tests.live_server import thread_server

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.S | re.M)
NEEDS_KEY = re.compile(r"X-API-Key|Authorization|/v1/admin/")
KEYS = {"BRIEFQA_API_KEY": "readme-api-key", "BRIEFQA_ADMIN_KEY": "readme-admin-key"}


def _commands(lang: str = "sh") -> list[str]:
    """Shell lines of the README's code blocks, with `\\` continuations joined and comments dropped."""
    lines: list[str] = []
    for block_lang, body in BLOCKS:
        if block_lang != lang:
            continue
        for line in body.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


BRIEFQA_LINES = [c for c in _commands() if c.startswith("briefqa ")]
CURL_LINES = [c for c in _commands() if c.startswith("curl ")]


def _runnable(argv: list[str]) -> bool:
    args = _parser().parse_args(argv)
    if args.command == "eval":
        return not (getattr(args, "beir", None) or getattr(args, "report", None))
    return args.command in ("ask", "search", "index")


def test_readme_keeps_the_two_commands():
    sh = _commands()
    assert "make serve" in sh and "make test" in sh
    assert BRIEFQA_LINES and CURL_LINES


@pytest.mark.parametrize("line", BRIEFQA_LINES)
def test_cli_example_parses(line):
    argv = shlex.split(line)[1:]
    assert _parser().parse_args(argv).command in ("index", "serve", "ask", "search", "eval", "mcp")


@pytest.mark.integration
@pytest.mark.parametrize("line", [c for c in BRIEFQA_LINES if _runnable(shlex.split(c)[1:])])
def test_cli_example_runs(line, real_settings, monkeypatch, capsys):
    """Run as written, with the corpus and index folders given by environment, as a user would."""
    monkeypatch.setenv("BRIEFQA_CORPUS_DIR", str(real_settings.corpus_dir))
    monkeypatch.setenv("BRIEFQA_INDEX_DIR", str(real_settings.index_dir))
    argv = shlex.split(line)[1:]
    assert main(argv) == 0, capsys.readouterr().err
    out, err = capsys.readouterr()
    if "--quiet" in argv or "-q" in argv:
        assert out == err == "", "--quiet prints nothing but errors"
        return
    assert out.strip()
    if "--json" in argv:
        json.loads(out)


@pytest.fixture(scope="module")
def keyed_server(real_settings, real_embedder):
    """The same index behind a server that needs the API and admin keys, as the README's keyed examples do."""
    keyed = Settings(**{**real_settings.model_dump(), **{k.removeprefix("BRIEFQA_").lower(): v for k, v in KEYS.items()}})
    app = create_app(keyed)
    with thread_server(app, ready=False) as url:
        yield url


def _curl(line: str, base: str) -> subprocess.CompletedProcess:
    host = base.removeprefix("http://")
    command = re.sub(r"\blocalhost:8000\b", host, line)
    assert command != line, f"curl example not aimed at localhost:8000: {line}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **KEYS}
    return subprocess.run(["bash", "-o", "pipefail", "-c", command + " --fail-with-body" * ("|" not in command)],
                          capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("line", CURL_LINES)
def test_curl_example_runs(line, request):
    """Keyed examples run against a server with BRIEFQA_API_KEY / BRIEFQA_ADMIN_KEY set (and in curl's env)."""
    server = request.getfixturevalue("keyed_server" if NEEDS_KEY.search(line) else "server")
    if "/metrics" in line:  # the metrics example greps for asks: ask once first
        assert _curl(CURL_LINES[0], server).returncode == 0
    done = _curl(line, server)
    assert done.returncode == 0, done.stderr or done.stdout
    assert done.stdout.strip()


@pytest.mark.integration
def test_documented_ask_output_is_what_the_service_answers(server):
    ask = next(c for c in CURL_LINES if "/v1/ask" in c)
    got = json.loads(_curl(ask, server).stdout)
    documented = json.loads(next(body for lang, body in BLOCKS if lang == "json"))
    assert set(got) == set(documented)
    assert got["answer"] == documented["answer"] and got["abstained"] is documented["abstained"]
    want, first = documented["citations"][0], got["citations"][0]
    prefix = want.pop("text").removesuffix("...").rstrip()
    assert first["text"].startswith(prefix)
    assert {k: first[k] for k in want} == want
    assert set(got["timings_ms"]) >= set(documented["timings_ms"])


def _default(value: object) -> str:
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def test_settings_table_lists_every_setting_with_its_default():
    rows = re.findall(r"^\| `(BRIEFQA_\w+)` \| ([^|]+?) \| (.+?) \|$", README, flags=re.M)
    names = [name for name, _, _ in rows]
    assert not {n for n in names if names.count(n) > 1}, "README's settings table lists a setting twice"
    documented = {name: default for name, default, meaning in rows if meaning.strip()}
    fields = Settings.model_fields
    actual = {f"BRIEFQA_{name.upper()}": _default(f.default) for name, f in fields.items()}
    missing = [f"| `{v}` | {d} | {fields[v[8:].lower()].description} |" for v, d in actual.items() if v not in documented]
    assert not missing, "add to README's settings table:\n" + "\n".join(missing)
    assert not set(documented) - set(actual), "README documents settings that do not exist"
    assert documented == actual


def test_diagram_names_modules_that_exist():
    diagram = next(body for lang, body in BLOCKS if lang == "mermaid")
    named = set(re.findall(r"([\w/]+\.py|[\w/]+/)(?=[,|:\s])", diagram)) - {"corpus/", "index/"}
    assert len(named) >= 10
    for name in named:
        assert (ROOT / "service" / name).exists(), f"the diagram names service/{name}, which does not exist"


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_index_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(tty, monkeypatch):
    """What README's "Add documents, rebuild" says of `briefqa index` progress."""
    from service.cli.output import progress as _progress

    err = _Stream(tty)
    monkeypatch.setattr(sys, "stderr", err)
    show = _progress(quiet=False)
    for done in (64, 128, 150):
        show("passages", done, 150)
    text = err.getvalue()
    if tty:
        assert text.count("\r") == 3 and text.endswith("] 150/150\n") and "[" + "#" * 30 + "]" in text
    else:
        assert "\r" not in text and "[" not in text
        assert text.splitlines() == ["embedding passages: 64/150", "embedding passages: 150/150"]
    assert _progress(quiet=True) is None
