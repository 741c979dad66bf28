"""Bad uploads and deletes over HTTP against a real server: each gets a 4xx whose `detail` says what is
wrong, and neither corpus/ nor index/ changes (the trees are compared file by file before and after)."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest
from pydantic import SecretStr

from service.app.runtime import load_engine
from service.http.app import create_app
from tests.documents_api import ADMIN, ADMIN_KEY, private_copy, raw_upload, tree, upload
from tests.formats import write_docx
from tests.live_server import thread_server

pytestmark = pytest.mark.integration
LIMIT = 65536


@pytest.fixture(scope="module")
def live(real_settings, real_embedder, tmp_path_factory):
    settings = private_copy(real_settings, tmp_path_factory.mktemp("bad"), admin_key=SecretStr(ADMIN_KEY),
                            max_upload_bytes=LIMIT)
    app = create_app(settings)
    with thread_server(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client, settings


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b"\0" * (64 * 1024 * 1024) + b"</w:document>")
    return out.getvalue()


def _real_docx(tmp_path) -> bytes:
    path = tmp_path / "d.docx"
    write_docx("A TITLE\n\nSome words in a paragraph.\n", path)
    return path.read_bytes()


BAD_FILES = [  # (files, status, words the detail must hold)
    ({"tool.exe": b"MZ\x90\x00"}, 415, "not a supported kind"),
    ({"brief.pdf": b"<!doctype html><html><body>not a pdf</body></html>"}, 415, "does not start like a PDF"),
    ({"notes.txt": b"%PDF-1.4 binary"}, 415, "binary, not text"),
    ({"latin.txt": "caf\u00e9".encode("latin-1")}, 415, "not UTF-8"),
    ({"fake.docx": b"<html>word?</html>"}, 415, "not a DOCX"),
    ({"empty.txt": b""}, 400, "is empty"),
    ({"big.txt": b"a" * (LIMIT + 10)}, 413, "BRIEFQA_MAX_UPLOAD_BYTES"),
    ({"huge.txt": b"a" * (3 * 1024 * 1024)}, 413, "BRIEFQA_MAX_UPLOAD_BYTES"),
    ({"../../x.txt": b"escape"}, 400, "holds a path"),
    ({"/etc/x.txt": b"absolute"}, 400, "holds a path"),
    ({"sub/x.txt": b"folder"}, 400, "holds a path"),
    ({"..\\x.txt": b"windows"}, 400, "holds a path"),
    ({"C:x.txt": b"drive"}, 400, "holds a path"),
    ({"..": b"dots"}, 400, "dot"),
    ({".hidden.txt": b"hidden"}, 400, "dot"),
    ({"rtl\u202egnp.txt": b"bidi override"}, 400, "control characters"),
    ({"nato-pa-defence-ministers-2024-10.txt": b"a duplicate"}, 409, "replace=true"),
]


@pytest.mark.parametrize("files,status,words", BAD_FILES, ids=[next(iter(f)) or "noname" for f, _, _ in BAD_FILES])
def test_a_bad_upload_is_refused_and_changes_nothing(live, files, status, words):
    client, settings = live
    before = (tree(settings.corpus_dir), tree(settings.index_dir))
    r = upload(client, files)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert (tree(settings.corpus_dir), tree(settings.index_dir)) == before


RAW_NAMES = [b"nul\x00.txt", b"tab\tname.txt", b"bell\x07.txt", b"esc\x1b[31m.txt", b"../../x.txt",
             b"..%2F..%2Fx.txt"]


@pytest.mark.parametrize("name", RAW_NAMES, ids=[repr(n) for n in RAW_NAMES])
def test_a_hostile_file_name_on_the_wire_is_refused(live, name):
    client, settings = live
    before = (tree(settings.corpus_dir), tree(settings.index_dir))
    r = raw_upload(client, name, b"some words")
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["detail"]
    assert (tree(settings.corpus_dir), tree(settings.index_dir)) == before


def test_a_zip_bomb_docx_is_refused_but_a_real_one_would_pass_the_checks(live, tmp_path):
    from service.ingest.uploads import check_upload

    check_upload("real.docx", _real_docx(tmp_path), LIMIT)  # the check refuses bombs, not Word files
    client, settings = live
    before = (tree(settings.corpus_dir), tree(settings.index_dir))
    r = upload(client, {"bomb.docx": _zip_bomb()})
    assert r.status_code == 413 and "zip bomb" in r.json()["detail"], r.text
    assert (tree(settings.corpus_dir), tree(settings.index_dir)) == before


def test_other_bad_requests_change_nothing(live):
    client, settings = live
    before = (tree(settings.corpus_dir), tree(settings.index_dir))
    cases = [
        (upload(client, {"x.txt": b"no key"}, headers={}), 401, "admin key"),
        (upload(client, {"x.txt": b"wrong key"}, headers={"X-API-Key": "wrong"}), 403, "not the admin key"),
        (client.post("/v1/documents", files=[("files", ("a.txt", b"one")), ("files", ("a.txt", b"two"))],
                     headers=ADMIN), 400, "sent twice"),
        (client.post("/v1/documents", json={"files": "x"}, headers=ADMIN), 415, "multipart/form-data"),
        (client.post("/v1/documents", files=[("other", ("a.txt", b"x"))], headers=ADMIN), 422, "files"),
        (client.post("/v1/documents", files=[("files", ("", b"x"))], headers=ADMIN), None, ""),
        (client.delete("/v1/documents/nope.txt", headers=ADMIN), 404, "no document"),
        (client.delete("/v1/documents/../../etc/passwd", headers=ADMIN), 404, ""),
        (client.delete("/v1/documents/%2E%2E/index/CURRENT", headers=ADMIN), 404, ""),
        (client.delete("/v1/documents/nato-pa-defence-ministers-2024-10.txt", headers={}), 401, "admin key"),
    ]
    for r, status, words in cases:
        assert 400 <= r.status_code < 500, r.text
        if status is not None:
            assert r.status_code == status, r.text
        assert words in str(r.json()["detail"]), r.text
    assert (tree(settings.corpus_dir), tree(settings.index_dir)) == before


def test_deleting_the_last_document_is_refused(tmp_path, real_settings, real_embedder):
    import shutil

    settings = private_copy(real_settings, tmp_path, admin_key=SecretStr(ADMIN_KEY))
    names = sorted(p.name for p in settings.corpus_dir.iterdir())
    for extra in names[1:]:
        (settings.corpus_dir / extra).unlink()
    app = create_app(settings)
    with thread_server(app) as url:
        before = (tree(settings.corpus_dir), tree(settings.index_dir))
        r = httpx.delete(f"{url}/v1/documents/{names[0]}", headers=ADMIN)
        assert r.status_code == 409 and "last document" in r.json()["detail"]
        assert (tree(settings.corpus_dir), tree(settings.index_dir)) == before
    shutil.rmtree(tmp_path / "index", ignore_errors=True)
