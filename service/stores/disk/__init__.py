"""The default store: FAISS + bm25s builds on local disk."""

from service.stores.disk.store import DiskStore

__all__ = ["DiskStore"]
