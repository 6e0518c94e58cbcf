"""How many cores this process may use, and whether it may fork worker processes."""

from __future__ import annotations

import os
import sys


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def fork_is_safe() -> bool:
    """Whether worker processes may be forked from this one: on Linux. (macOS system libraries
    may crash in a forked child; Windows cannot fork.) Forked workers inherit the parent's
    memory, so large read-only data and shared output maps need no pickling."""
    return sys.platform.startswith("linux")
