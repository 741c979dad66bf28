"""What every command prints through: JSON for --json, a progress bar or lines for long steps."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def emit_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def progress(quiet: bool) -> Callable[[str, int, int], None] | None:
    if quiet:
        return None
    tty = sys.stderr.isatty()
    last = {"t": 0.0}

    def show(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if tty:
            width = 30
            filled = int(width * done / max(total, 1))
            sys.stderr.write(f"\rembedding {label:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
        elif done >= total or now - last["t"] > 5:
            sys.stderr.write(f"embedding {label}: {done}/{total}\n")
            last["t"] = now
        sys.stderr.flush()

    return show
