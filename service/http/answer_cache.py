"""Whole /v1/ask responses kept per served index version: a repeated question is answered with the
bytes the first asking produced (timings included: they say what answering it cost), without
retrieving or answering again.

The key is everything a response depends on: the index version, the question exactly as sent (case
and spacing reach the answerer: names are told by their capitals), top_k, mode, the answerer and
min_confidence. Bounded (least recently used goes first), and emptied when the served version changes
(a reload, a document added or removed), so a cached answer never outlives its index."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, version: str, key: Hashable) -> bytes | None:
        if not self.size:
            return None
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, version: str, key: Hashable, body: bytes) -> None:
        if not self.size:
            return
        with self._lock:
            if version != self._version:  # the index changed while this answer was computed: keep it only if it is the new one's
                self._items.clear()
                self._version = version
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
