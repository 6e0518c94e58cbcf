"""Files inside a folder someone else may have prepared: no-follow reads, all-or-nothing writes.

A results folder travels between people, so nothing inside it is trusted. The folder the user
names is opened once (following it if it is a link: the user chose it); every name below it is
resolved one component at a time with ``O_NOFOLLOW`` relative to the folder's descriptor, so a
symbolic link inside the folder is never followed, whether it stands for a file (``report.html``
pointing at a file elsewhere) or a folder (``charts`` pointing elsewhere). A link is refused with
a message naming it, as is a folder where a file belongs, a file where a folder belongs, and
anything that is not a regular file (a FIFO, a device).

Writes are all or nothing: :func:`write_files` first checks every target, then writes each file
under a hidden temporary name in its own folder (``.report.html.<random>.tmp``), and only when
every one is complete renames them into place (``os.replace``: a reader sees the old file or the
new one, never a part). A failure while writing removes the temporary files and the folders it
created, so the folder is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from simulation.errors import SimulationError

#: How the text of an error calls a symbolic link it refused.
LINK_REFUSED = "is a symbolic link, and links inside a results folder are not followed"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _parts(name: str) -> tuple[str, ...]:
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("", ".", "..") or p.startswith("/") for p in parts):
        raise ValueError(f"not a plain relative name: {name!r}")
    return parts


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


class Folder:
    """An open folder: every name inside it is looked up without following links.

    Use as a context manager (the folder's descriptor is closed on exit). Raises
    :class:`SimulationError` when ``path`` does not exist, is not a folder or cannot be opened.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise SimulationError(
                f"{self.path}: not a results folder (it does not exist)"
            ) from None
        except NotADirectoryError:
            raise SimulationError(f"{self.path}: is a file, expected a results folder") from None
        except OSError as exc:
            raise SimulationError(f"{self.path}: cannot be opened ({exc.strerror})") from None

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # Looking names up ---------------------------------------------------------------------

    def kind(self, name: str) -> str | None:
        """``"file"``, ``"folder"``, ``"link"``, ``"other"`` or ``None`` (absent) for ``name``;
        a link or a file among the folders on the way is reported as that name's problem by
        raising :class:`SimulationError`."""
        *dirs, last = _parts(name)
        with self._open_dirs(dirs) as fd:
            if fd is None:
                return None
            try:
                return _kind(os.stat(last, dir_fd=fd, follow_symlinks=False).st_mode)
            except FileNotFoundError:
                return None

    def require_file(self, name: str) -> bool:
        """True when ``name`` is a regular file, False when absent; anything else (a link, a
        folder, a FIFO) raises :class:`SimulationError` naming it."""
        kind = self.kind(name)
        if kind not in (None, "file"):
            raise SimulationError(self._wrong(name, kind, "file"))
        return kind == "file"

    def require_folder(self, name: str) -> bool:
        """True when ``name`` is a folder (not a link), False when absent; else raises."""
        kind = self.kind(name)
        if kind not in (None, "folder"):
            raise SimulationError(self._wrong(name, kind, "folder"))
        return kind == "folder"

    def _wrong(self, name: str, kind: str | None, expected: str) -> str:
        where = self.path / name
        if kind == "link":
            fix = "a folder" if expected == "folder" else "the file itself"
            return f"{where}: {LINK_REFUSED} (replace it by {fix})"
        if kind in ("file", "folder"):
            return f"{where}: is a {kind}, expected a {expected}"
        return f"{where}: is not a regular {expected} (a device, FIFO or socket)"

    @contextlib.contextmanager
    def _open_dirs(self, dirs: Sequence[str]) -> Iterator[int | None]:
        """A descriptor of the folder ``dirs`` below this one, or None when one of them is
        absent; a link or a file on the way raises :class:`SimulationError` naming it."""
        opened: list[int] = []
        fd = self.fd
        try:
            for i, part in enumerate(dirs):
                here = "/".join(dirs[: i + 1])
                try:
                    fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    yield None
                    return
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        kind = _kind(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                        raise SimulationError(self._wrong(here, kind, "folder")) from None
                    raise SimulationError(
                        f"{self.path / here}: cannot be opened ({exc.strerror})"
                    ) from None
                opened.append(fd)
            yield fd
        finally:
            for d in opened:
                os.close(d)

    # Reading ------------------------------------------------------------------------------

    def open(self, name: str) -> BinaryIO | None:
        """Regular file ``name`` opened for reading (``None`` when it is absent), without
        following a link; a link, folder or special file raises :class:`SimulationError`.
        The caller closes the file."""
        *dirs, last = _parts(name)
        where = self.path / name
        with self._open_dirs(dirs) as dfd:
            if dfd is None:
                return None
            try:
                fd = os.open(last, _READ_FLAGS, dir_fd=dfd)
            except FileNotFoundError:
                return None
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise SimulationError(self._wrong(name, "link", "file")) from None
                raise SimulationError(f"{where}: cannot be read ({exc.strerror})") from None
        try:
            mode = os.fstat(fd).st_mode
        except OSError as exc:
            os.close(fd)
            raise SimulationError(f"{where}: cannot be read ({exc.strerror})") from None
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise SimulationError(self._wrong(name, _kind(mode), "file"))
        return os.fdopen(fd, "rb")

    def read_bytes(self, name: str) -> bytes | None:
        """The bytes of regular file ``name`` (``None`` when it is absent), as :meth:`open`."""
        handle = self.open(name)
        if handle is None:
            return None
        with handle:
            try:
                return handle.read()
            except OSError as exc:
                raise SimulationError(
                    f"{self.path / name}: cannot be read ({exc.strerror})"
                ) from None


# Writing ------------------------------------------------------------------------------------


class WriteFailed(OSError):
    """Writing into the folder failed: ``filename`` names the file, ``strerror`` says why.

    ``replaced`` counts the files already renamed into place when it happened: 0 (the folder is
    exactly as it was) unless a rename itself failed, which needs an I/O error or a folder
    remounted read-only between two renames.
    """

    def __init__(
        self, code: int | None, reason: str | None, filename: str, replaced: int = 0
    ) -> None:
        super().__init__(code, reason, filename)
        self.replaced = replaced


def check_targets(folder: Folder, names: Sequence[str]) -> None:
    """Refuse, before any work, a target that is a link, a folder or a special file, and a
    parent folder that is a link or a file (``charts`` being a file)."""
    for name in names:
        *dirs, _ = _parts(name)
        for i in range(len(dirs)):
            folder.require_folder("/".join(dirs[: i + 1]))
        folder.require_file(name)


def check_writable(folder: Folder, names: Sequence[str]) -> None:
    """Fail early, before long work, when the folders ``names`` go to cannot take a new file
    (a read-only file system, no permission): an empty temporary file is created and removed
    in the folder itself and in each existing parent folder of ``names``. (A full disk still
    shows only when the files are written.) Raises :class:`WriteFailed` naming the folder."""
    parents = {""} | {"/".join(_parts(n)[:-1]) for n in names}
    for parent in sorted(parents):
        dirs = list(_parts(parent)) if parent else []
        with folder._open_dirs(dirs) as dfd:
            if dfd is None:  # to be created: its own parent is probed
                continue
            temp = f".probe.{secrets.token_hex(4)}.tmp"
            try:
                os.close(os.open(temp, _CREATE_FLAGS, 0o600, dir_fd=dfd))
                os.unlink(temp, dir_fd=dfd)
            except OSError as exc:
                where = folder.path / parent if parent else folder.path
                raise WriteFailed(exc.errno, exc.strerror, str(where)) from None


def write_files(folder: Folder, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (relative name → content) into ``folder`` all at once.

    Every target is checked first (:func:`check_targets`), then each file is written in full
    under a temporary name beside it, then all are renamed into place. Missing parent folders
    are created (mode 0777 less the umask); a new file gets 0666 less the umask, as ``open``
    would give it, a replaced file keeps its mode.
    On a write error every temporary file and created folder is removed and :class:`WriteFailed`
    names the file. Returns the written paths in the order given.
    """
    names = list(files)
    check_targets(folder, names)
    created: list[str] = []
    staged: list[tuple[str, str]] = []  # (final name, temporary name beside it)
    try:
        for name in names:
            _make_dirs(folder, _parts(name)[:-1], created)
            staged.append((name, _write_temp(folder, name, files[name])))
        for done, (name, temp) in enumerate(staged):
            *dirs, last = _parts(name)
            with folder._open_dirs(dirs) as dfd:
                assert dfd is not None
                try:
                    os.replace(temp, last, src_dir_fd=dfd, dst_dir_fd=dfd)
                except OSError as exc:
                    staged = staged[done:]
                    raise WriteFailed(
                        exc.errno, exc.strerror, str(folder.path / name), replaced=done
                    ) from None
        staged = []
    except BaseException:
        _remove_temps(folder, staged)
        for name in reversed(created):
            *dirs, last = _parts(name)
            with contextlib.suppress(OSError, SimulationError), folder._open_dirs(dirs) as dfd:
                if dfd is not None:
                    os.rmdir(last, dir_fd=dfd)
        raise
    return [folder.path / name for name in names]


def _make_dirs(folder: Folder, dirs: Sequence[str], created: list[str]) -> None:
    for i in range(len(dirs)):
        here = "/".join(dirs[: i + 1])
        if folder.require_folder(here):
            continue
        with folder._open_dirs(dirs[:i]) as dfd:
            assert dfd is not None
            try:
                os.mkdir(dirs[i], 0o777, dir_fd=dfd)
            except OSError as exc:
                raise WriteFailed(exc.errno, exc.strerror, str(folder.path / here)) from None
        created.append(here)


def _write_temp(folder: Folder, name: str, content: bytes) -> str:
    """Write ``content`` to a new hidden file beside ``name``; return the file's name."""
    *dirs, last = _parts(name)
    target = str(folder.path / name)
    with folder._open_dirs(dirs) as dfd:
        assert dfd is not None
        for _ in range(100):
            temp = f".{last}.{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(temp, _CREATE_FLAGS, 0o666, dir_fd=dfd)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise WriteFailed(exc.errno, exc.strerror, target) from None
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise WriteFailed(errno.EEXIST, "no free temporary name", target)
        try:
            with contextlib.suppress(FileNotFoundError):  # a file replaced keeps its mode
                mode = os.stat(last, dir_fd=dfd, follow_symlinks=False).st_mode
                os.fchmod(fd, stat.S_IMODE(mode))
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=dfd)
            raise WriteFailed(exc.errno, exc.strerror, target) from None
        try:
            os.close(fd)  # a network file system may report a failed write only here
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=dfd)
            raise WriteFailed(exc.errno, exc.strerror, target) from None
    return temp


def _remove_temps(folder: Folder, staged: Sequence[tuple[str, str]]) -> None:
    for name, temp in staged:
        dirs = _parts(name)[:-1]
        with contextlib.suppress(OSError, SimulationError), folder._open_dirs(dirs) as dfd:
            if dfd is not None:
                os.unlink(temp, dir_fd=dfd)
