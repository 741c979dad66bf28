import json
import subprocess
import sys

import pytest

from service.cli.main import main


def test_empty_corpus_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    code = main(["--corpus-dir", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "index"), "index"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith("briefqa: error:") and "no documents" in err


def test_non_utf8_file_is_named_in_one_line(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.txt").write_bytes(b"\xff\xfe bad")
    code = main(["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "index"), "index"])
    err = capsys.readouterr().err
    assert code == 1 and "bad.txt is not UTF-8" in err and err.count("\n") == 1


def test_unreadable_file_beside_good_ones_is_a_warning_and_the_rest_is_indexed(tmp_path, capsys, monkeypatch):
    from service.cli import commands
    from tests.fakes import FakeEmbedder

    fake = FakeEmbedder()
    monkeypatch.setattr(commands, "build_embedder", lambda settings: fake)
    monkeypatch.setattr(commands, "build_fingerprint", lambda settings: fake.fingerprint())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Ministers agreed on a new initiative on standardisation.", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe bad")
    code = main(["--corpus-dir", str(corpus), "--index-dir", str(tmp_path / "index"), "index"])
    out, err = capsys.readouterr()
    assert code == 0
    [warning] = [line for line in err.splitlines() if "bad.txt" in line]
    assert warning.startswith("briefqa: warning: skipped ") and "bad.txt is not UTF-8" in warning
    assert "indexed 1 document(s)" in out and "skipped 1 unreadable file(s)" in out


def test_ask_without_index_says_what_to_do(tmp_path, capsys):
    code = main(["--index-dir", str(tmp_path / "index"), "ask", "anything"])
    assert code == 1 and "run `briefqa index` first" in capsys.readouterr().err


def test_bad_setting_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFQA_CHUNK_SIZE", "not-a-number")
    code = main(["--index-dir", str(tmp_path / "i"), "ask", "x"])
    err = capsys.readouterr().err
    assert code == 1 and "chunk_size" in err and err.count("\n") == 1


def test_version_and_help():
    out = subprocess.run([sys.executable, "-m", "service", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("briefqa ")
    helptext = subprocess.run([sys.executable, "-m", "service", "-h"], capture_output=True, text=True).stdout
    for command in ("index", "serve", "ask", "search", "eval"):
        assert command in helptext


@pytest.mark.integration
def test_index_ask_and_eval_end_to_end(real_settings, capsys):
    args = ["--corpus-dir", str(real_settings.corpus_dir), "--index-dir", str(real_settings.index_dir)]
    assert main([*args, "index"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main([*args, "ask", "what are the ADSE priority areas", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert "undersea infrastructure" in body["answer"] and body["citations"][0]["n"] == 1
    assert main([*args, "search", "Patriot missiles", "-k", "2"]) == 0
    assert "Strengthening air and missile defence" in capsys.readouterr().out.splitlines()[0]
