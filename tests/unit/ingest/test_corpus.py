import os
import re

import pytest

from service.ingest.corpus import load_corpus, read_corpus
from service.core.errors import CorpusError


def test_text_is_kept_exactly_as_read(tmp_path):
    raw = "Title line\r\n\r\nCafé — “quoted” text\r\n".encode("utf-8")
    (tmp_path / "a.txt").write_bytes(raw)
    [doc] = load_corpus(tmp_path)
    assert doc.text == raw.decode("utf-8")
    assert doc.doc_id == "a.txt"


def test_non_utf8_file_is_named_and_skipped(tmp_path):
    (tmp_path / "good.txt").write_text("fine text here", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 latin-1")
    loaded = read_corpus(tmp_path)
    assert [d.doc_id for d in loaded.documents] == ["good.txt"]
    [message] = loaded.skipped
    assert re.search(r"bad\.txt is not UTF-8 text \(bad byte at offset 3\)", message)


def test_a_corpus_of_only_unreadable_files_is_an_error_naming_them(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 latin-1")
    (tmp_path / "worse.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(CorpusError, match=r"nothing to index .*bad\.txt is not UTF-8.*worse\.pdf is not a readable PDF"):
        load_corpus(tmp_path)


def test_empty_corpus_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="has no documents"):
        load_corpus(tmp_path)


def test_empty_file_is_named(tmp_path):
    (tmp_path / "blank.md").write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"blank\.md is empty"):
        load_corpus(tmp_path)


def test_symlink_out_of_the_corpus_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("outside text", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(outside, corpus / "link.txt")
    with pytest.raises(CorpusError, match="links outside"):
        load_corpus(corpus)


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
