"""Output folders on disk: which folders are ours, how a new one is published, and what an
interrupted run left behind.

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
* **publish** (:func:`publish`): ``renameat2(RENAME_NOREPLACE)`` fails instead of replacing a
  target that appeared while the run went on; with ``--force``, ``renameat2(RENAME_EXCHANGE)``
  swaps the old and the new folder in one step and the old one is then removed. Either the old
  folder stays or the new one is in place. Where ``renameat2`` is missing (not Linux, or a file
  system without it): ``mkdir`` + ``rename``, and for a replacement the old folder is first renamed
  aside to ``.<name>.old`` (with an owner file), which the next run (:func:`stale_warning`) or
  ``simulate clean`` puts back if the process died between the two renames.
* **stale folders** (:func:`stale_folders`): staging or set-aside folders whose owner process is
  gone. A run reports them at start; ``simulate clean`` removes them (and restores a set-aside
  folder whose target is missing). Folders of other processes that are still running are never
  touched, and nothing is ever followed through a symbolic link.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.errors import SimulationError
from simulation.inputfiles import os_reason

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
_HIDDEN = re.compile(r"^\.(?P<stem>.+?)(?P<legacy>\.[a-z0-9_]{8})?\.(?P<kind>tmp|old)$")
#: A staging folder without an owner file younger than this is still being made.
_GRACE_SECONDS = 60.0

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


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
    data = _read_json_nofollow(folder / MARKER)
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


def _read_json_nofollow(path: Path) -> Any:
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


class _Busy(SimulationError):
    """Another live run is staging the same target."""


class Staging:
    """A hidden staging folder beside ``out``, reserved for this process until published or
    discarded. Made at once (before the run), so a concurrent run aiming at the same ``out``
    is refused before it spends any time."""

    def __init__(self, out: Path, force: bool, kind: str, *, unique: bool = False) -> None:
        self.force = force
        self.kind = kind
        self.published = False
        parent = out.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SimulationError(
                f"{shown(parent)}: cannot create the folder ({os_reason(exc)})"
            ) from None
        if not unique:
            self.out = out
            refuse_existing(out, force)
            self.path = self._reserve(parent / hidden_name(out.name, "tmp"))
            return
        for k in range(1, 10_000):  # a default name: the first free one, stem, stem-2, ...
            self.out = out if k == 1 else out.with_name(f"{out.name}-{k}")
            if os.path.lexists(self.out):
                continue
            try:
                self.path = self._reserve(parent / hidden_name(self.out.name, "tmp"))
            except _Busy:
                continue
            return
        raise SimulationError(f"{shown(out)}: no free folder name in {parent}")  # pragma: no cover

    def _reserve(self, path: Path) -> Path:
        for _ in range(2):
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                owner = _read_json_nofollow(path / OWNER)
                if isinstance(owner, dict) and owner_alive(owner):
                    raise _Busy(
                        f"{shown(self.out)}: another run (process {owner.get('pid')}) is "
                        "writing this folder now; wait for it, or choose another --out"
                    ) from None
                if not _stale(path, owner):
                    raise _Busy(
                        f"{shown(self.out)}: another run is starting to write this folder; "
                        "wait for it, or choose another --out"
                    ) from None
                _remove_tree(path)  # left by a run that was killed: its owner is gone
                continue
            except OSError as exc:
                raise SimulationError(
                    f"{shown(path.parent)}: cannot create a folder there ({os_reason(exc)})"
                ) from None
            try:
                _write_owner(path, self.out.name)
            except OSError as exc:
                _remove_tree(path)
                raise SimulationError(
                    f"{shown(path.parent)}: cannot write there ({os_reason(exc)})"
                ) from None
            return path
        raise SimulationError(f"{shown(self.out)}: cannot reserve {path}")  # pragma: no cover

    def publish(self) -> Path:
        """Mark the staging folder and rename it to ``out`` (see :func:`publish`)."""
        try:
            write_marker(self.path, self.kind)
            os.chmod(self.path, 0o755)
        except OSError as exc:
            self.discard()
            raise SimulationError(
                f"{shown(self.out)}: writing failed ({os_reason(exc)}); nothing was kept"
            ) from None
        publish(self.path, self.out, self.force)
        self.published = True
        return self.out

    def discard(self) -> None:
        """Remove the staging folder (nothing is published)."""
        if not self.published:
            _remove_tree(self.path)


def _write_owner(folder: Path, target: str) -> None:
    (folder / OWNER).write_text(json.dumps(owner_record(target)) + "\n", encoding="utf-8")


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False when the system or file system lacks it (the
    caller falls back), an ``OSError`` for any other failure."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if call(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for the few system calls that publish a folder."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def publish(tmp: Path, out: Path, force: bool) -> None:
    """Rename the finished folder ``tmp`` to ``out``.

    Without ``force`` a target that exists (it may have appeared while the run went on) is
    never replaced: the call fails and ``tmp`` is removed. With ``force`` an existing target must
    still be replaceable (:func:`check_replaceable`, checked again now) and is swapped out
    atomically. On any failure ``tmp`` is removed and ``out`` is as it was.
    """
    try:
        with _signals_held():
            if os.path.lexists(out):
                if not force:
                    raise SimulationError(
                        f"{shown(out)}: the folder appeared while this run was going on "
                        "(another run?); it was not replaced and this run's results were not "
                        "kept (use --force to replace it)"
                    )
                check_replaceable(out)
                _replace(tmp, out)
            else:
                _create(tmp, out)
    except OSError as exc:
        _remove_tree(tmp)
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) and not force:
            raise SimulationError(
                f"{shown(out)}: the folder appeared while this run was going on (another run?); it "
                "was not replaced and this run's results were not kept (use --force to replace it)"
            ) from None
        raise SimulationError(
            f"{shown(out)}: writing failed ({os_reason(exc)}); nothing was kept"
        ) from None
    except BaseException:
        _remove_tree(tmp)
        raise


def _create(tmp: Path, out: Path) -> None:
    if not _renameat2(tmp, out, _RENAME_NOREPLACE):
        os.mkdir(out)  # claims the name atomically: a concurrent publisher fails here
        os.rename(tmp, out)  # onto our own empty folder
    with contextlib.suppress(OSError):
        os.unlink(out / OWNER)


def _replace(tmp: Path, out: Path) -> None:
    """Swap the finished ``tmp`` in for the existing ``out``; the old folder carries an owner
    file while it is set aside, so that :func:`stale_folders` can tell it from a live run's."""
    _write_owner(out, out.name)
    if _renameat2(tmp, out, _RENAME_EXCHANGE):
        old = tmp  # the old folder is now at the staging path
    else:
        old = out.parent / hidden_name(out.name, "old")
        os.rename(out, old)
        os.rename(tmp, out)
    with contextlib.suppress(OSError):
        os.unlink(out / OWNER)
    _remove_tree(old)


def _remove_tree(path: Path) -> None:
    """Remove a folder of ours (never following links inside it); missing is fine."""
    if os.path.islink(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    shutil.rmtree(path, ignore_errors=True)


def write_atomically(
    out: Path,
    force: bool,
    write: Callable[[Path], None],
    kind: str,
    staging: Staging | None = None,
) -> Path:
    """Call ``write(folder)`` on a staging folder, then publish it as ``out``. ``staging``: one
    reserved before the work began (``out`` is then its target), else one is made now."""
    if staging is None:
        staging = Staging(target_path(out), force, kind)
    try:
        write(staging.path)
    except OSError as exc:
        staging.discard()
        raise SimulationError(
            f"{shown(staging.out)}: writing failed ({os_reason(exc)}); nothing was kept"
        ) from None
    except BaseException:
        staging.discard()
        raise
    return staging.publish()


# Stale folders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleFolder:
    """A staging (``tmp``) or set-aside (``old``) folder whose run is gone.

    ``target``: the folder it was meant to become (or be restored to); ``restore``: a set-aside
    folder whose target is missing (its results would otherwise be lost)."""

    path: Path
    kind: str
    target: Path
    bytes: int
    restore: bool


def _stale(path: Path, owner: Any) -> bool:
    if isinstance(owner, dict):
        return not owner_alive(owner)
    try:  # no owner file: an older version's folder, or one being made this instant
        age = time.time() - os.lstat(path).st_mtime
    except OSError:
        return False
    return age > _GRACE_SECONDS


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def stale_folders(folder: Path, depth: int = 2) -> list[StaleFolder]:
    """Stale staging and set-aside folders of this tool in ``folder`` and up to ``depth``
    levels below it (links are never followed)."""
    found: list[StaleFolder] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            continue
        match = _HIDDEN.match(entry.name)
        path = Path(entry.path)
        if match is None:
            if depth > 0 and not entry.name.startswith("."):
                found.extend(stale_folders(path, depth - 1))
            continue
        owner = _read_json_nofollow(path / OWNER)
        ours = isinstance(owner, dict) and owner.get("tool") == TOOL
        if not ours and not _looks_like_ours(path, match):
            continue
        if not _stale(path, owner if ours else None):
            continue
        target_name = owner.get("target") if ours else None
        if not isinstance(target_name, str) or "/" in target_name or target_name in ("", ".", ".."):
            target_name = match.group("stem")
        target = path.parent / target_name
        restore = match.group("kind") == "old" and not os.path.lexists(target)
        found.append(StaleFolder(path, match.group("kind"), target, _size(path), restore))
    return found


def _looks_like_ours(path: Path, match: re.Match[str]) -> bool:
    """A folder of an older version (no owner file): the legacy name pattern and nothing in it
    this tool does not write."""
    if match.group("legacy") is None:
        return False
    try:
        return not foreign_entries(path)
    except OSError:
        return False


def clean(found: list[StaleFolder]) -> list[str]:
    """Remove stale staging folders and set-aside copies, restoring a set-aside folder whose
    target is missing; returns one line per folder saying what was done."""
    lines = []
    for item in found:
        if item.restore:
            try:
                os.rename(item.path, item.target)
            except OSError as exc:
                why = os_reason(exc)
                lines.append(f"{item.path}: could not restore it to {item.target} ({why})")
                continue
            with contextlib.suppress(OSError):
                os.unlink(item.target / OWNER)
            lines.append(f"restored {item.target} (a replacement was interrupted)")
        else:
            _remove_tree(item.path)
            lines.append(f"removed {item.path} ({_megabytes(item.bytes)})")
    return lines


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def stale_warning(folder: Path) -> str | None:
    """One line about the stale folders in ``folder`` (restoring the interrupted replacements
    found there at once), or ``None``."""
    found = stale_folders(folder, depth=0)
    restorable = [f for f in found if f.restore]
    restored = clean(restorable) if restorable else []
    rest = [f for f in found if not f.restore]
    parts = list(restored)
    if rest:
        size = sum(f.bytes for f in rest)
        parts.append(
            f"{len(rest)} temporary folder{'s' if len(rest) != 1 else ''} of interrupted runs "
            f"in {folder} ({_megabytes(size)}); `simulate clean {folder}` removes "
            f"{'them' if len(rest) != 1 else 'it'}"
        )
    return "; ".join(parts) if parts else None
