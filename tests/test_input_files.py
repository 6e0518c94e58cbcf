"""Files the user names (scenarios, ``extends`` bases, ``new --like`` bases, fit CSVs and expert
files): pipes never block, devices and sockets are refused, a UTF-8 byte-order mark is accepted,
decimal commas are detected (and read with ``--decimal ,``), expert values are validated, and a
broken base of ``new --like`` is one line. Everything through the real command line."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simulation import inputfiles
from simulation.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"
BOM = b"\xef\xbb\xbf"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_error(result: Result) -> str:
    """The single ``error:`` line of a failed command (exit 1, no traceback)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    return lines[0]


def _invoke_within(args: list[str], seconds: float = 30.0, unblock: int | None = None) -> Result:
    """Run the command in a thread; fail (instead of hanging the suite) if it has not returned
    after ``seconds`` — closing ``unblock`` (a pipe's write end) then lets a blocked read end."""
    box: dict[str, Result] = {}
    worker = threading.Thread(target=lambda: box.update(r=CliRunner().invoke(main, args)))
    worker.daemon = True
    worker.start()
    worker.join(seconds)
    blocked = worker.is_alive()
    if blocked and unblock is not None:
        os.close(unblock)
        worker.join(5)
    assert not blocked, f"simulate {' '.join(args)} blocked for {seconds} s"
    return box["r"]


@contextlib.contextmanager
def _fifo(folder: Path, name: str, data: bytes | None = None) -> Iterator[tuple[Path, int]]:
    """A named pipe; with ``data``, written into it by a writer that then closes (so a reader
    gets the data, then end-of-file). Yields the path and a held-open read end (which keeps the
    pipe's buffer alive)."""
    path = folder / name
    os.mkfifo(path)
    keep = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if data is not None:
            writer = os.open(path, os.O_WRONLY)
            os.write(writer, data)
            os.close(writer)
        yield path, keep
    finally:
        os.close(keep)


def _csv_data(values: list[str], header: str = "days") -> str:
    return header + "\n" + "\n".join(values) + "\n"


# Pipes, devices, sockets ---------------------------------------------------------------------


def test_named_pipe_nobody_writes_to_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO without a writer: a blocking open would wait forever; here it is refused."""
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "validate", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.strip() == (
        f"{fifo}: is a pipe and nothing was written to it (no program writes to this named "
        "pipe); give a regular file"
    )


def test_a_writer_that_never_writes_is_given_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputfiles, "PIPE_TIMEOUT_SECONDS", 0.2)
    with _fifo(tmp_path, "slow.toml") as (fifo, _):
        writer = os.open(fifo, os.O_WRONLY)  # holds the pipe open, sends nothing
        try:
            result = _invoke_within(["inputs", str(fifo)], unblock=writer)
        finally:
            with contextlib.suppress(OSError):
                os.close(writer)
    assert _one_error(result) == (
        f"error: {fifo}: is a pipe and no data arrived for 0.2 s; give a regular file, or make "
        "sure the program writing to it runs"
    )


def test_process_substitution_is_read(tmp_path: Path) -> None:
    """``simulate validate <(cat minimal.toml)``: bash passes /dev/fd/NN, a pipe with a writer."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    script = '"$0" -m simulation.cli validate <(cat "$1")'
    proc = subprocess.run(
        ["bash", "-c", script, sys.executable, str(MINIMAL)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("/dev/fd/") and proc.stdout.endswith(": OK\n"), proc.stdout


# Byte-order mark ---------------------------------------------------------------------------------


def test_scenario_and_extends_base_with_a_byte_order_mark(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_bytes(BOM + MINIMAL.read_bytes())
    child = tmp_path / "child.toml"
    child.write_bytes(BOM + b'extends = "base.toml"\n[staffing]\ntarget_agents = 5\n')
    result = _invoke("validate", str(base), str(child))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{base}: OK", f"{child}: OK"]
    run = _invoke("inputs", str(child), "-n", "20")
    assert run.exit_code == 0, run.output


# simulate new --like with a broken base --------------------------------------------------------


# Decimal commas, separators, thousands -----------------------------------------------------------


def _fit(path: Path, *args: str) -> Result:
    return _invoke("fit", str(path), "--column", "days", *args)


# Expert files with extreme values ----------------------------------------------------------------
