"""Named points of an index build, so crash-safety tests can SIGKILL `briefqa index` at an exact one.

A build calls `checkpoint(name)` at each point. Normally that does nothing. With the test-only setting
BRIEFQA_TEST_PAUSE_AT=<point>, the build prints `briefqa: paused at <point> (pid N)` on stderr and
sleeps there, so a test can kill it at that point and check what the kill left behind.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from service.core.errors import ConfigError

Checkpoint = Callable[[str], None]
# In build order: vectors computed; some files of the build folder written; build folder complete and
# renamed into builds/ but not published; CURRENT switched but old builds not yet pruned.
POINTS = ("embedded", "writing", "written", "published")
PAUSE_SECONDS = 600.0


def no_checkpoint(point: str) -> None:
    return None


def pause_at(point: str | None) -> Checkpoint:
    """The checkpoint for the test-only pause setting (`no_checkpoint` when it is unset)."""
    if not point:
        return no_checkpoint
    if point not in POINTS:
        raise ConfigError(f"BRIEFQA_TEST_PAUSE_AT={point!r} is not a build point; valid: {', '.join(POINTS)}")

    def checkpoint(name: str) -> None:
        if name == point:
            sys.stderr.write(f"briefqa: paused at {name} (pid {os.getpid()})\n")
            sys.stderr.flush()
            time.sleep(PAUSE_SECONDS)

    return checkpoint
