"""Watching the processes of a real ``simulate run`` from a test: which are still alive in its
session, and waiting until it has started its workers (a helper, not a test module)."""

from __future__ import annotations

import time
from pathlib import Path


def session_processes(sid: int) -> list[int]:
    """Processes still alive in the session ``sid`` (the run and any worker it started)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields after the command: state, ppid, pgrp, session, ...
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def wait_for_workers(pid: int, timeout: float) -> None:
    """Wait until the run has started its worker processes (it is then mid-run)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(session_processes(pid)) >= 3:  # parent + 2 workers
            time.sleep(1.0)
            return
        time.sleep(0.1)
    raise AssertionError("the run never started its workers")
