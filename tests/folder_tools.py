"""Helpers for the tests that treat a results folder as untrusted input: a genuine folder
written by ``simulate run``, ``simulate report`` run in-process, an exact picture of a folder
(links and folders included) to prove that nothing changed, and the one-line-error check."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from click.testing import CliRunner, Result

from simulation.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"

#: What a folder holds, name by name: ("file", bytes), ("link", target), ("folder",), ("other",).
Snapshot = dict[str, tuple[object, ...]]


def write_genuine(out: Path, iterations: int = 40) -> Path:
    """A results folder written by ``simulate run scenarios/minimal.toml`` (charts, report)."""
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(MINIMAL),
            "-n",
            str(iterations),
            "--seed",
            "1",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def snapshot(folder: Path) -> Snapshot:
    """Every entry below ``folder`` (links not followed) with its kind and content."""
    seen: Snapshot = {}

    def walk(path: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            name = prefix + entry.name
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                seen[name] = ("link", os.readlink(entry.path))
            elif stat.S_ISDIR(mode):
                seen[name] = ("folder",)
                walk(Path(entry.path), name + "/")
            elif stat.S_ISREG(mode):
                seen[name] = ("file", Path(entry.path).read_bytes())
            else:
                seen[name] = ("other",)

    walk(folder, "")
    return seen


def report(folder: Path, *options: str) -> Result:
    """``simulate report FOLDER [options]`` in this process."""
    return CliRunner().invoke(main, ["report", str(folder), *options])


def error_line(result: Result) -> str:
    """The single ``error: ...`` line of a refused command (exit 1, no traceback)."""
    assert result.exit_code == 1, result.output
    # exit 1 from our error handling, not click's report of an exception that escaped
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]
