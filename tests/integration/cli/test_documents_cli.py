"""`briefqa documents add|rm|list|jobs` against a real server (uvicorn thread, real model, real index)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from service.app.runtime import load_engine
from service.cli.main import main
from service.http.app import create_app
from tests.documents_api import ADMIN_KEY, private_copy, unique_text
from tests.live_server import thread_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def url(real_settings, real_embedder, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("cli-docs"), admin_key=SecretStr(ADMIN_KEY))
    app = create_app(settings)
    with thread_server(app) as base:
        yield base


def test_add_list_jobs_rm(url, tmp_path, capsys):
    doc = tmp_path / "lighthouse.txt"
    doc.write_text(unique_text(), encoding="utf-8")
    assert main(["documents", "add", str(doc), "--url", url, "--key", ADMIN_KEY]) == 0
    out = capsys.readouterr()
    assert "published -> version" in out.err
    assert main(["documents", "list", "--url", url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "lighthouse.txt" in {d["doc_id"] for d in listed["documents"]}
    assert main(["documents", "jobs", "--url", url]) == 0
    assert "published" in capsys.readouterr().out.splitlines()[0]
    assert main(["documents", "rm", "lighthouse.txt", "--url", url, "--key", ADMIN_KEY, "--json"]) == 0
    job = json.loads(capsys.readouterr().out)
    assert job["status"] == "published" and job["changes"][0]["action"] == "delete"


def test_refusals_are_one_line_and_exit_1(url, tmp_path, capsys):
    fake = tmp_path / "report.pdf"
    fake.write_text("<html>not a pdf</html>", encoding="utf-8")
    assert main(["documents", "add", str(fake), "--url", url, "--key", ADMIN_KEY]) == 1
    err = [x for x in capsys.readouterr().err.splitlines() if not x.startswith("{")]  # the server's log shares stderr
    assert len(err) == 1 and err[0].startswith("briefqa: error: the server answered 415:") and "PDF" in err[0]
    assert main(["documents", "add", str(fake), "--url", url]) == 1
    assert "401" in capsys.readouterr().err
    assert main(["documents", "rm", "nope.txt", "--url", url, "--key", ADMIN_KEY]) == 1
    assert "404" in capsys.readouterr().err
