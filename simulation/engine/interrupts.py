"""Ctrl-C, SIGTERM and SIGHUP at safe points while worker processes run; workers that never
outlive their parent.

A ``KeyboardInterrupt`` raised by Python's default handler can land inside
``concurrent.futures`` while it holds a future's lock; shutting the pool down afterwards then
waits for that lock for ever. Inside :func:`deferred_interrupts` the two signals only set a flag,
and the waiting loop calls ``check()`` between short waits, which raises ``KeyboardInterrupt``
from our own code with every lock released. Outside the main thread (where Python cannot install
handlers) the block changes nothing.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Seconds between checks of the flag while waiting for workers.
POLL_SECONDS = 0.2

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

#: Seconds between two checks of a worker's watchdog that its parent is alive.
WATCHDOG_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


@contextmanager
def deferred_interrupts() -> Iterator[Callable[[], None]]:
    """Within the block SIGINT/SIGTERM/SIGHUP set a flag; the yielded ``check()`` raises
    ``KeyboardInterrupt`` once one arrived. The previous handlers are restored on exit."""
    received: list[int] = []

    def check() -> None:
        if received:
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in _SIGNALS}
    try:
        yield check
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    check()


def ignore_in_worker(parent: int | None = None) -> None:
    """In a worker process: leave Ctrl-C and SIGHUP to the parent (which stops the run), die on
    SIGTERM, and exit as soon as the parent process ``parent`` (default: the current parent)
    is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent(os.getppid() if parent is None else parent)


def exit_with_parent(parent: int) -> None:
    """Make this process exit when process ``parent`` ends (see the module docstring)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (AttributeError, OSError):  # pragma: no cover - no prctl
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


@contextmanager
def quiet_thread(thread: threading.Thread | None) -> Iterator[None]:
    """Within the block, an ``OSError``, ``EOFError`` or ``ValueError`` that ends ``thread`` is
    not printed (a pool's own thread torn down with its workers killed after an interrupt:
    broken pipes, closed queues; the run's message says it all); any other exception, and those
    of every other thread, are printed as before."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        expected = issubclass(args.exc_type, OSError | EOFError | ValueError)
        if thread is None or args.thread is not thread or not expected:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def next_done(finished: queue.SimpleQueue[Future[Any]], check: Callable[[], None]) -> Future[Any]:
    """The next future put on ``finished`` (by its done callback), calling ``check()`` (which may
    raise ``KeyboardInterrupt``) between waits of :data:`POLL_SECONDS` and once it arrives."""
    while True:
        try:
            fut = finished.get(timeout=POLL_SECONDS)
        except queue.Empty:
            check()
            continue
        check()
        return fut


def as_completed_polling(
    futures: list[Future[Any]], check: Callable[[], None]
) -> Iterator[Future[Any]]:
    """``futures`` as they complete, calling ``check()`` (which may raise
    ``KeyboardInterrupt``) between short waits; futures not yet done are cancelled on exit.

    Each future reports itself once to a queue when done, so waiting costs O(1) per future
    (``concurrent.futures.wait`` in a loop re-registers on every pending future: quadratic).
    """
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    for fut in futures:
        fut.add_done_callback(finished.put)
    try:
        for _ in futures:
            yield next_done(finished, check)
    finally:
        for fut in futures:
            fut.cancel()
