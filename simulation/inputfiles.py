"""Read a file the user named (a scenario, an ``extends`` base, a CSV for ``simulate fit``) safely.

:func:`read_input` never blocks and never reads without limit, whatever the path names:

* a **regular file** is read up to ``limit`` bytes (one more is read to tell "too large");
* a **pipe** is accepted — a process substitution such as ``simulate run <(cat x.toml)`` (path
  ``/dev/fd/63``) or a named FIFO that some process writes to — and read as it arrives. The file
  is opened with ``O_NONBLOCK``, so opening a FIFO nobody has opened for writing returns at once
  (and reading it gives end-of-file at once: an empty pipe is refused, not waited for); a writer
  that keeps the pipe open but sends nothing for :data:`PIPE_TIMEOUT_SECONDS` is given up on;
* a **folder**, **character or block device** (``/dev/zero``, ``/dev/tty``, a disk) or **socket**
  is refused without being opened (opening a device can have effects: a terminal, a tape).

Every problem is one :class:`~simulation.errors.SimulationError` (or the caller's subclass)
naming the file, e.g. ``data.csv: is not a regular file (a character device)``.
:func:`os_reason` is the reason text for any ``OSError`` (``strerror`` is ``None`` for some).
"""

from __future__ import annotations

import errno
import os
import select
import stat
import time
from pathlib import Path

from simulation.errors import SimulationError

#: Longest wait, in seconds, for the next bytes from a pipe whose writer sends nothing.
PIPE_TIMEOUT_SECONDS = 10.0
#: The UTF-8 byte-order mark some editors (Notepad, Excel's "CSV UTF-8") put at the start.
UTF8_BOM = b"\xef\xbb\xbf"

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def os_reason(exc: OSError) -> str:
    """The reason an operating-system call failed, as text: ``strerror`` when there is one (it is
    ``None`` for errors raised with a message only, e.g. by pandas), else the message, else the
    exception's class name. Never ``None``, never empty."""
    return exc.strerror or str(exc) or type(exc).__name__


def _not_regular(mode: int) -> str | None:
    """What a file of ``mode`` is, when it is a kind that is never read (device, socket)."""
    for test, what in _KINDS:
        if test(mode):
            return what
    return None


def read_input(
    path: str | Path,
    *,
    limit: int,
    what: str = "file",
    error: type[SimulationError] = SimulationError,
) -> bytes:
    """The bytes of the user-named file ``path`` (at most ``limit`` of them).

    ``what`` names the kind of file in messages (``"scenario file"``, ``"CSV file"``); ``error``
    is the exception class raised. Messages: ``<path>: file not found``, ``<path>: is a folder,
    not a <what>``, ``<path>: is not a regular file (a socket)``, ``<path>: is too large for a
    <what> (more than N bytes)``, ``<path>: cannot be read (<reason>)``, ``<path>: is not a
    usable file name (...)``, and for pipes ``<path>: is a pipe and nothing was written to it``
    / ``... no data arrived for 10 s``. A leading UTF-8 byte-order mark is kept (callers
    decode with :func:`decode_utf8`).
    """
    try:
        mode = os.stat(path).st_mode
        kind = _not_regular(mode)
        if kind is not None:
            raise error(f"{path}: is not a regular file ({kind}); give the {what} itself")
        if stat.S_ISDIR(mode):
            raise error(f"{path}: is a folder, not a {what}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a device without its driver
            raise error(f"{path}: is not a regular file; give the {what} itself") from None
        raise error(f"{path}: cannot be read ({os_reason(exc)})") from None
    except ValueError as exc:  # e.g. an embedded NUL character in the path
        raise error(f"{path}: is not a usable file name ({exc})") from None
    try:
        opened = os.fstat(fd).st_mode  # the file opened may differ from the one stat'ed
        kind = _not_regular(opened)
        if kind is not None:
            raise error(f"{path}: is not a regular file ({kind}); give the {what} itself")
        if stat.S_ISDIR(opened):
            raise error(f"{path}: is a folder, not a {what}")
        if stat.S_ISFIFO(opened):
            raw = _read_pipe(fd, path, limit, error)
        else:
            raw = _read_regular(fd, limit)
    except OSError as exc:
        raise error(f"{path}: cannot be read ({os_reason(exc)})") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise error(f"{path}: is too large for a {what} (more than {limit:,} bytes)")
    return raw


def _read_regular(fd: int, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        block = os.read(fd, min(1 << 20, limit + 1 - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def _read_pipe(fd: int, path: str | Path, limit: int, error: type[SimulationError]) -> bytes:
    """Read a pipe opened with ``O_NONBLOCK`` until end-of-file or ``limit + 1`` bytes, waiting
    at most :data:`PIPE_TIMEOUT_SECONDS` for each next block."""
    parts: list[bytes] = []
    size = 0
    deadline = time.monotonic() + PIPE_TIMEOUT_SECONDS
    while size <= limit:
        try:
            block = os.read(fd, min(1 << 16, limit + 1 - size))
        except BlockingIOError:  # a writer holds the pipe open but nothing is there yet
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                raise error(
                    f"{path}: is a pipe and no data arrived for {PIPE_TIMEOUT_SECONDS:g} s; "
                    "give a regular file, or make sure the program writing to it runs"
                ) from None
            continue
        if not block:
            break
        parts.append(block)
        size += len(block)
        deadline = time.monotonic() + PIPE_TIMEOUT_SECONDS
    if size == 0:
        raise error(
            f"{path}: is a pipe and nothing was written to it (no program writes to this "
            "named pipe); give a regular file"
        )
    return b"".join(parts)


def decode_utf8(
    raw: bytes, path: str | Path, error: type[SimulationError] = SimulationError
) -> str:
    """``raw`` as UTF-8 text without a leading byte-order mark; non-UTF-8 bytes are one error
    naming the file, the line and the byte (``<path>: is not UTF-8 text (invalid byte 0xe4 at
    line 3, byte offset 41); save the file as UTF-8``)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"{path}: is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at line {line}, "
            f"byte offset {exc.start}); save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")
