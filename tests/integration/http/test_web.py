"""The page, its static files and the offline API docs, over the real app (TestClient)."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.app.runtime import load_engine
from service.http.schemas import PASSAGE_EXAMPLE, AskRequest, AskResponse, DocumentOut, SearchResponse
from service.app.settings import Settings
from service.http.web import STATIC_DIR

ROOT = Path(__file__).resolve().parents[3]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import|import\s*\(""", re.I)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def _refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


@pytest.fixture(scope="module")
def offline_client(tmp_path_factory):
    """An app with no index: the page and docs must still be served."""
    with TestClient(create_app(Settings(index_dir=tmp_path_factory.mktemp("none")))) as c:
        yield c


def test_page_is_served_with_its_local_assets(offline_client):
    r = offline_client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _refs(r.text)
    assets = [u for u in refs if u.startswith("/static/")]
    assert {"/static/app.js", "/static/style.css"} <= set(assets)
    for url in assets:
        asset = offline_client.get(url)
        assert asset.status_code == 200 and asset.content, url
    assert offline_client.get("/static/app.js").headers["content-type"].split(";")[0] in (
        "text/javascript", "application/javascript")
    assert offline_client.get("/static/nope.js").status_code == 404


@pytest.mark.parametrize("name", ["index.html", "app.js", "style.css"])
def test_page_loads_nothing_from_the_internet(name):
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    assert not EXTERNAL.search(text), f"{name} references an external resource"


def test_script_never_writes_html_from_text():
    """Answers and documents are untrusted text: the script only creates elements and text nodes."""
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "textContent" in script and "X-API-Key" in script and "sessionStorage" in script


def test_docs_work_offline(offline_client):
    r = offline_client.get("/docs")
    assert r.status_code == 200
    refs = _refs(r.text) + re.findall(r"""url:\s*['"]([^'"]+)""", r.text)
    assert not [u for u in refs if re.match(r"(?:https?:)?//", u)], refs
    assert not re.search(r"""["']https?://""", r.text), "the docs page names an external URL"
    local = [u for u in refs if u.startswith("/docs-assets/")]
    assert {"/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"} <= set(local)
    for url in local:
        assert offline_client.get(url).status_code == 200, url
    assert "/openapi.json" in r.text and offline_client.get("/openapi.json").status_code == 200
    assert offline_client.get("/redoc").status_code == 404


def test_openapi_models_carry_examples(offline_client):
    schemas = offline_client.get("/openapi.json").json()["components"]["schemas"]
    for model in (AskRequest, AskResponse, SearchResponse, DocumentOut):
        assert schemas[model.__name__].get("examples"), model.__name__
        # FastAPI drops nulls when it renders openapi.json, so validate the models' own examples
        for example in model.model_json_schema()["examples"]:
            model.model_validate(example)


@pytest.mark.integration
def test_passage_example_is_the_real_adse_citation(real_settings, real_embedder):
    """The documented example is what the service really answers, offsets included."""
    app = create_app(real_settings)
    with TestClient(app) as c:
        body = c.post("/v1/ask", json={"question": "what are the ADSE priority areas"}).json()
        text = c.get(f"/v1/documents/{PASSAGE_EXAMPLE['doc_id']}").json()["text"]
    first = body["citations"][0]
    assert {k: first[k] for k in ("doc_id", "section", "start", "end", "text")} == {
        k: PASSAGE_EXAMPLE[k] for k in ("doc_id", "section", "start", "end", "text")}
    assert text[PASSAGE_EXAMPLE["start"]:PASSAGE_EXAMPLE["end"]] == PASSAGE_EXAMPLE["text"]


def test_static_files_are_package_data():
    """A non-editable install (the Dockerfile's) must ship the page: every static file matches package-data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service.http"]
    files = [p.relative_to(ROOT / "service" / "http").as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert files and all(any(fnmatch(f, pat) for pat in patterns) for f in files), files
