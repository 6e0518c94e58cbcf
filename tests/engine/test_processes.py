"""Worker processes never outlive their run: a parent killed outright (SIGKILL) takes its
workers with it, and a Dask run stopped with Ctrl-C says so in one line (issue 13, section 3)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from process_tools import session_processes, wait_for_workers

from simulation.cli import main
from simulation.engine.interrupts import ignore_in_worker

ROOT = Path(__file__).resolve().parents[2]
SIMULATE = Path(sys.executable).with_name("simulate")
needs_script = pytest.mark.skipif(not SIMULATE.exists(), reason="simulate is not installed")


def _gone(sid: int, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return session_processes(sid)


@needs_script
def test_workers_exit_when_the_run_is_killed(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(SIMULATE), "run", str(ROOT / "scenarios" / "it_helpdesk.toml"), "-n", "100000"]
        + ["-j", "2", "--out", str(tmp_path / "res"), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_workers(proc.pid, timeout=60)
        os.kill(proc.pid, signal.SIGKILL)  # no handler runs: the out-of-memory killer's way
        proc.wait(timeout=10)
        assert _gone(proc.pid, timeout=10) == []
    finally:
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
    # the killed run's staging folder is reported as stale by the next run, and cleaned
    result = CliRunner().invoke(main, ["clean", str(tmp_path)])
    assert result.exit_code == 0 and "removed" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _worker(ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    ignore_in_worker()
    ready.set()
    time.sleep(60)


def _middle(pids: multiprocessing.queues.Queue) -> None:  # type: ignore[type-arg]
    """A parent that starts a worker as every pool does (initializer ignore_in_worker)."""
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_worker, args=(ready,))
    child.start()
    ready.wait(10)
    pids.put(child.pid)
    time.sleep(60)


def test_a_pool_worker_exits_with_its_parent() -> None:
    """Every pool (simulation, risk ranking, charts) sets its workers up with
    ``ignore_in_worker``: the worker of a parent killed with SIGKILL exits at once."""
    ctx = multiprocessing.get_context("fork")
    pids = ctx.Queue()
    middle = ctx.Process(target=_middle, args=(pids,))
    middle.start()
    worker = pids.get(timeout=20)
    os.kill(middle.pid, signal.SIGKILL)
    middle.join(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{worker}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return  # exited; only its entry waits for the init process to reap it
        time.sleep(0.05)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the worker outlived its parent")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("notaurl", "is not a scheduler address"),
        ("http://host:8786", "uses the protocol 'http'"),
        ("tcp://[::1", "is not a scheduler address"),
        ("tcp://host:0", "port 0 is out of range"),
        ("tcp://host:70000", "port 70000 is out of range"),
        ("tcp://host:80:80", "is not a scheduler address"),
        ("inproc://x:1", "uses the protocol 'inproc'"),
        ("", "is not a scheduler address"),
    ],
)
def test_a_malformed_scheduler_address_is_refused(address: str, expected: str) -> None:
    result = CliRunner().invoke(
        main,
        ["run", str(ROOT / "scenarios" / "minimal.toml"), "-n", "10", "--backend", "dask"]
        + ["--scheduler", address],
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: --scheduler:") and expected in result.output
    assert result.output.count("\n") == 1


@needs_script
def test_ctrl_c_during_a_dask_run_prints_one_line(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(SIMULATE), "run", str(ROOT / "scenarios" / "it_helpdesk.toml"), "-n", "200000"]
        + ["--backend", "dask", "-j", "2", "--out", str(tmp_path / "res"), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_workers(proc.pid, timeout=90)
        time.sleep(2.0)  # the chunks are running
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole process group
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        "interrupted: the run was stopped and its workers shut down; no results folder was written"
    ]
    assert _gone(proc.pid, timeout=20) == []
    assert list(tmp_path.iterdir()) == []
