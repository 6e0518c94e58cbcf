"""Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal) during a real `simulate run`: exit
130, no results folder, no temporary files and no worker processes left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from process_tools import session_processes, wait_for_workers

from simulation.engine.interrupts import quiet_thread

ROOT = Path(__file__).resolve().parents[2]
SIMULATE = Path(sys.executable).with_name("simulate")


@pytest.mark.skipif(not SIMULATE.exists(), reason="the simulate console script is not installed")
@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_interrupted_run_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "results" / "run"
    proc = subprocess.Popen(
        [
            str(SIMULATE),
            "run",
            str(ROOT / "scenarios" / "it_helpdesk.toml"),
            "-n",
            "20000",
            "--jobs",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=tmp_path,
    )
    try:
        wait_for_workers(proc.pid, timeout=60)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # what a terminal's Ctrl-C does: the whole process group
        else:
            os.kill(proc.pid, sig)  # a job scheduler, or a closed terminal: the parent only
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert not out.exists()
    leftovers = list((tmp_path / "results").iterdir()) if (tmp_path / "results").exists() else []
    assert leftovers == []
    deadline = time.monotonic() + 10
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(proc.pid) == []


def test_a_torn_down_pool_thread_fails_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """After an interrupt the pool's own thread may fail on the killed workers (a CPython race,
    rare): that one thread's exception is not printed; every other thread's still is."""
    seen: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.thread.name))

    def fail() -> None:
        raise ValueError("Queue is closed")

    torn = threading.Thread(target=fail, name="pool")
    other = threading.Thread(target=fail, name="other")
    with quiet_thread(torn):
        for thread in (torn, other):
            thread.start()
            thread.join()
    after = threading.Thread(target=fail, name="after")
    after.start()
    after.join()
    assert seen == ["other", "after"]


def test_only_the_teardown_errors_of_that_thread_are_silenced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_type.__name__))

    def fail(exc: BaseException) -> None:
        raise exc

    for exc in (OSError(9, "Bad file descriptor"), EOFError(), KeyError("work item")):
        torn = threading.Thread(target=fail, args=(exc,))
        with quiet_thread(torn):
            torn.start()
            torn.join()
    assert seen == ["KeyError"]
