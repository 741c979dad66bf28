"""Under load, on the disk store: `briefqa serve` (its own process, real model) answers 16 clients
asking while 5 documents are uploaded and 3 deleted, one after another. 0 failed requests, every
answer from a published version, and no answer sent after a delete's job published cites the
deleted document (checked for every response)."""

from __future__ import annotations

import time

import httpx
import pytest

from service.stores.disk.files import current_version
from tests.documents_api import ADMIN_KEY, private_copy
from tests.documents_load import AskLoad, change_documents, check
from tests.live_server import subprocess_server

pytestmark = pytest.mark.integration


def test_ask_while_documents_come_and_go(real_settings, tmp_path):
    settings = private_copy(real_settings, tmp_path)
    first = current_version(settings.index_dir)
    env = {"BRIEFQA_CORPUS_DIR": str(settings.corpus_dir), "BRIEFQA_INDEX_DIR": str(settings.index_dir),
           "BRIEFQA_ADMIN_KEY": ADMIN_KEY}
    with subprocess_server(env, tmp_path / "serve.log") as (url, _proc):
        with AskLoad([url]) as load, httpx.Client(base_url=url, timeout=60) as admin:
            deleted_in, deleted_at, published = change_documents(admin)
            time.sleep(2)  # keep asking a while after the last delete
        figures = check(load.seen, published | {first}, deleted_at, deleted_in)
    print(figures)
    assert figures["checked_after_deletes"] > 100
