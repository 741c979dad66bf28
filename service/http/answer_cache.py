"""Whole answers kept per served index version: a repeated /v1/ask question is answered with the bytes
the first asking produced (timings included: they say what answering it cost), and a repeated
conversation on /v1/chat/completions with the answer its first asking built, without retrieving or
answering again.

The key is everything a response depends on: the index version, the question exactly as sent (case
and spacing reach the answerer: names are told by their capitals), top_k, mode, the answerer and
min_confidence; for a conversation, its earlier user turns too (they change what a follow-up asks).
Bounded (least recently used goes first), and emptied when the served version changes
(a reload, a document added or removed), so a cached answer never outlives its index."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
CACHE_HEADER = "x-briefqa-cache"  # hit or miss: whether the answer came from the cache (off: never kept)


class AnswerCache(Generic[V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, version: str, key: Hashable) -> V | None:
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

    def through(self, version: str, key: Hashable, make: Callable[[], V]) -> tuple[V, str]:
        """The value kept for `key`, or `make()`'s, then kept; and `hit` or `miss` (CACHE_HEADER)."""
        kept = self.get(version, key)
        if kept is not None:
            return kept, "hit"
        value = make()
        self.put(version, key, value)
        return value, "miss"

    def put(self, version: str, key: Hashable, body: V) -> None:
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
