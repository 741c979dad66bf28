"""One loader per document format, found by file suffix.

Adding a format means adding one module here that defines `LOADERS`, a tuple of objects
following `base.Loader`; modules whose names start with "_" are helpers."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from service.ingest.loaders.base import Loaded, Loader, Unreadable

__all__ = ["Loaded", "Loader", "Unreadable", "registry", "loader_for"]


@cache
def registry() -> dict[str, Loader]:
    """suffix -> loader, from every module of this package."""
    found: dict[str, Loader] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for loader in getattr(module, "LOADERS", ()):
            for suffix in loader.suffixes:
                found[suffix] = loader
    return found


def loader_for(suffix: str) -> Loader | None:
    return registry().get(suffix.lower())
