"""Retrieval modes: the one place their names are spelled."""

from __future__ import annotations

from typing import Literal, get_args

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[str, ...] = get_args(Mode)


def check_mode(mode: str) -> str:
    """The mode itself, or a ValueError that lists the valid ones."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid: {', '.join(MODES)}")
    return mode
