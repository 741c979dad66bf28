"""Checks on uploaded files: names that stay in the corpus, contents that match their names."""

import pytest

from service.ingest.uploads import UploadRefused, check_name, check_upload


@pytest.mark.parametrize("name", ["brief.pdf", "Brief 2024 (final).docx", "notes.md", "café.txt", "a.b.c.html"])
def test_plain_names_pass(name):
    assert check_name(name) == name


@pytest.mark.parametrize("name,status", [
    ("", 400), ("../x.txt", 400), ("/abs.txt", 400), ("a/b.txt", 400), ("a\\b.txt", 400), ("C:x.txt", 400),
    ("..", 400), (".env.txt", 400), (" x.txt", 400), ("x\x00.txt", 400), ("x\n.txt", 400), ("x\u200b.txt", 400),
    ("x" * 300 + ".txt", 400), ("x.exe", 415), ("noext", 415)])
def test_bad_names_are_refused(name, status):
    with pytest.raises(UploadRefused) as err:
        check_name(name)
    assert err.value.status == status and str(err.value)


@pytest.mark.parametrize("name,data,status", [
    ("a.pdf", b"<html></html>", 415), ("a.docx", b"%PDF-1.4", 415), ("a.txt", b"\x00\x01", 415),
    ("a.html", b"PK\x03\x04rest", 415), ("a.txt", b"", 400), ("a.txt", b"x" * 2000, 413)])
def test_bad_contents_are_refused(name, data, status):
    with pytest.raises(UploadRefused) as err:
        check_upload(name, data, 1024)
    assert err.value.status == status


def test_good_contents_pass():
    check_upload("a.pdf", b"%PDF-1.7\n...", 1024)
    check_upload("a.md", "# Café\n".encode(), 1024)
