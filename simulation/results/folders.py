"""Output folders on disk: which folders are ours (names, markers, owners); how a new one is
published (:mod:`~simulation.results.publishing`) and what an interrupted run left behind
(:mod:`~simulation.results.stale`) live beside this module.

Every folder this tool writes (a run's results, a comparison, a sweep) is built in a hidden
*staging* folder beside its target and published with one rename, so a folder that exists is
always complete:

* **staging** ``.<name>.tmp`` (``.<first 180 characters>-<hash>.tmp`` when the name is long) is
  made with ``mkdir``, so two runs can never stage the same target at once. It holds
  :data:`OWNER`: the process id and start time of the run, and the target's name.
* **marker** :data:`MARKER` in every published folder says that this tool wrote it. ``--force``
  replaces only a folder with that marker whose every entry is a name this tool writes
  (:func:`check_replaceable`); anything else is refused, so ``--out ~/thesis --force`` cannot
  delete a thesis.
* **publish** (:func:`~simulation.results.publishing.publish`): ``renameat2(RENAME_NOREPLACE)``
fails instead of replacing a
  target that appeared while the run went on; with ``--force``, ``renameat2(RENAME_EXCHANGE)``
  swaps the old and the new folder in one step and the old one is then removed. Either the old
  folder stays or the new one is in place. Where ``renameat2`` is missing (not Linux, or a file
  system without it): ``mkdir`` + ``rename``, and for a replacement the old folder is first renamed
  aside to ``.<name>.old`` (with an owner file), which the next run
  (:func:`~simulation.results.stale.stale_warning`) or ``simulate clean`` puts back if the process
  died between the two renames.
* **stale folders** (:func:`~simulation.results.stale.stale_folders`): staging or set-aside folders
whose owner process is
  gone. A run reports them at start; ``simulate clean`` removes them (and restores a set-aside
  folder whose target is missing). Folders of other processes that are still running are never
  touched, and nothing is ever followed through a symbolic link.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import time
from pathlib import Path
from typing import Any

from simulation.errors import SimulationError

#: The marker file of a published output folder.
MARKER = ".backsourcing-results"
#: The owner file of a staging or set-aside folder.
OWNER = ".backsourcing-owner"
TOOL = "backsourcing-sim"

#: What each kind of folder holds: top-level names (``*`` patterns) this tool writes.
_WRITTEN: dict[str, tuple[str, ...]] = {
    "run": (
        "run.json",
        "samples.csv",
        "samples.parquet",
        "summary.csv",
        "summary.json",
        "timeseries.csv",
        "sensitivity.csv",
        "risks.csv",
        "inputs.csv",
        "scenario.toml",
        "scenario.base-*.toml",
        "report.html",
        "report.pdf",
    ),
    "compare": (
        "comparison.csv",
        "differences.csv",
        "ranking.csv",
        "samples_*.csv",
        "compare.json",
        "compare.html",
    ),
    "sweep": ("sweep.csv", "sweep.json"),
}
_CHARTS = "charts"
_CHART_FILES = ("*.png", "*.svg")
#: Leftovers of an interrupted atomic file write inside a folder (``.<file>.<random>.tmp``).
_PARTIAL = re.compile(r"^\..+\.tmp$")
#: Longest folder name most file systems accept.
_NAME_MAX = 255
#: Staging names end ``.tmp``, set-aside names ``.old``; older versions added 8 random characters.
HIDDEN_NAME = re.compile(r"^\.(?P<stem>.+?)(?P<legacy>\.[a-z0-9_]{8})?\.(?P<kind>tmp|old)$")
#: A staging folder without an owner file younger than this is still being made.
GRACE_SECONDS = 60.0


# Names -------------------------------------------------------------------------------------------


def target_path(out: str | Path) -> Path:
    """The absolute, normalised path of an output folder (``.``, ``..`` and a trailing ``/``
    resolved lexically; symbolic links are not followed)."""
    return Path(os.path.abspath(os.fspath(out)))


def shown(path: Path) -> str:
    """A path as the user sees it: relative to the current folder when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except (ValueError, OSError):  # another drive (Windows), or no current folder
        return str(path)
    return str(path) if rel.startswith("..") else rel


def hidden_name(name: str, suffix: str) -> str:
    """``.<name>.<suffix>``, shortened with a hash of ``name`` when it would exceed the file
    system's 255-byte limit (a legal ``--out`` name must give a legal staging name)."""
    full = f".{name}.{suffix}"
    if len(os.fsencode(full)) <= _NAME_MAX:
        return full
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
    head = os.fsencode(name)[:180].decode("utf-8", "ignore")
    return f".{head}-{digest}.{suffix}"


# Ownership ---------------------------------------------------------------------------------------


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` that this tool does not write (symbolic links included), sorted."""
    allowed = tuple(name for names in _WRITTEN.values() for name in names)
    foreign: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if entry.is_symlink():
                foreign.append(name)
            elif name in (MARKER, OWNER) or _PARTIAL.match(name):
                continue
            elif name == _CHARTS and entry.is_dir(follow_symlinks=False):
                foreign.extend(f"{_CHARTS}/{sub}" for sub in _foreign_charts(Path(entry.path)))
            elif not (entry.is_file(follow_symlinks=False) and _matches(name, allowed)):
                foreign.append(name)
    return sorted(foreign)


def _foreign_charts(charts: Path) -> list[str]:
    with os.scandir(charts) as entries:
        return [
            e.name
            for e in entries
            if e.is_symlink()
            or not e.is_file(follow_symlinks=False)
            or not (_matches(e.name, _CHART_FILES) or _PARTIAL.match(e.name))
        ]


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of an output folder, or ``None`` when it has none (or it is not ours)."""
    data = read_json_nofollow(folder / MARKER)
    if isinstance(data, dict) and data.get("tool") == TOOL:
        return data
    return None


def write_marker(folder: Path, kind: str) -> None:
    """Mark ``folder`` as an output folder of this tool, of ``kind`` (run, compare, sweep)."""
    from simulation.provenance import package_version

    marker = {
        "tool": TOOL,
        "kind": kind,
        "version": package_version(),
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def check_replaceable(out: Path) -> None:
    """Raise unless ``--force`` may replace the existing ``out``: a real folder (not a link)
    holding :data:`MARKER` and nothing this tool does not write."""
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise SimulationError(
            f"{shown(out)}: is a symbolic link; --force replaces only a results folder of this "
            "tool, never a link (give the folder itself, or another --out)"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise SimulationError(
            f"{shown(out)}: is a file, not a results folder; --force does not replace it "
            "(choose another --out)"
        )
    try:
        here = Path(os.getcwd())
    except OSError:  # the current folder was removed
        here = None
    if here is not None and (here == out or out in here.parents):
        raise SimulationError(
            f"{shown(out)}: is the current folder (or holds it); --force does not replace the "
            "folder you are working in: run from outside it, or choose another --out"
        )
    if read_marker(out) is None:
        raise SimulationError(
            f"{shown(out)}: is not a results folder of this tool (it has no {MARKER} marker), so "
            "--force does not replace it; choose another --out, or remove the folder yourself"
        )
    foreign = foreign_entries(out)
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        listed = ", ".join(foreign[:5]) + more
        raise SimulationError(
            f"{shown(out)}: holds files this tool did not write ({listed}), so --force does not "
            "replace it; move them out first, or choose another --out"
        )


def refuse_existing(out: Path, force: bool) -> None:
    """Refuse an existing ``out`` unless ``force`` and :func:`check_replaceable` allow it."""
    if not os.path.lexists(out):
        return
    if not force:
        raise SimulationError(
            f"{shown(out)}: the folder exists already (use --force to replace it)"
        )
    check_replaceable(out)


# Owners of staging folders ---------------------------------------------------------------------


def _process_start(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot (``None``: not known)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def owner_record(target: str) -> dict[str, Any]:
    """What :data:`OWNER` says: this process, its start time and host, and the target name."""
    pid = os.getpid()
    return {
        "tool": TOOL,
        "pid": pid,
        "pid_start": _process_start(pid),
        "host": socket.gethostname(),
        "created": time.time(),
        "target": target,
    }


def owner_alive(owner: dict[str, Any]) -> bool:
    """Whether the process that owns a staging folder may still be running.

    A process of another host is assumed alive (it cannot be checked from here)."""
    if owner.get("host") != socket.gethostname():
        return True
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = owner.get("pid_start")
    now = _process_start(pid)
    return started is None or now is None or now == started  # a reused pid is not the owner


def read_json_nofollow(path: Path) -> Any:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(65_536)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


# Staging and publishing --------------------------------------------------------------------------


# Stale folders -----------------------------------------------------------------------------------


def is_stale(path: Path, owner: Any) -> bool:
    if isinstance(owner, dict):
        return not owner_alive(owner)
    try:  # no owner file: an older version's folder, or one being made this instant
        age = time.time() - os.lstat(path).st_mtime
    except OSError:
        return False
    return age > GRACE_SECONDS


def remove_tree(path: Path) -> None:
    """Remove a folder of ours (never following links inside it); missing is fine."""
    if os.path.islink(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    shutil.rmtree(path, ignore_errors=True)
