"""Writing a folder all at once: a hidden staging folder beside the target, owned by this process
(:class:`Staging`), renamed into place at the end (``renameat2`` where the system has it), an
existing folder replaced only with ``--force`` and only when it is ours (:func:`publish`,
:func:`write_atomically`)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.results.folders import (
    OWNER,
    check_replaceable,
    hidden_name,
    is_stale,
    owner_alive,
    owner_record,
    read_json_nofollow,
    refuse_existing,
    remove_tree,
    shown,
    target_path,
    write_marker,
)

__all__ = [
    "Staging",
    "publish",
    "write_atomically",
]


_AT_FDCWD = -100


_RENAME_NOREPLACE = 1


_RENAME_EXCHANGE = 2


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
                owner = read_json_nofollow(path / OWNER)
                if isinstance(owner, dict) and owner_alive(owner):
                    raise _Busy(
                        f"{shown(self.out)}: another run (process {owner.get('pid')}) is "
                        "writing this folder now; wait for it, or choose another --out"
                    ) from None
                if not is_stale(path, owner):
                    raise _Busy(
                        f"{shown(self.out)}: another run is starting to write this folder; "
                        "wait for it, or choose another --out"
                    ) from None
                remove_tree(path)  # left by a run that was killed: its owner is gone
                continue
            except OSError as exc:
                raise SimulationError(
                    f"{shown(path.parent)}: cannot create a folder there ({os_reason(exc)})"
                ) from None
            try:
                _write_owner(path, self.out.name)
            except OSError as exc:
                remove_tree(path)
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
            remove_tree(self.path)


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
        remove_tree(tmp)
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) and not force:
            raise SimulationError(
                f"{shown(out)}: the folder appeared while this run was going on (another run?); it "
                "was not replaced and this run's results were not kept (use --force to replace it)"
            ) from None
        raise SimulationError(
            f"{shown(out)}: writing failed ({os_reason(exc)}); nothing was kept"
        ) from None
    except BaseException:
        remove_tree(tmp)
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
    remove_tree(old)


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
