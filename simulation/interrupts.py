"""Ctrl-C and SIGTERM at safe points while worker processes run.

A ``KeyboardInterrupt`` raised by Python's default handler can land inside
``concurrent.futures`` while it holds a future's lock; shutting the pool down afterwards then
waits for that lock for ever. Inside :func:`deferred_interrupts` the two signals only set a flag,
and the waiting loop calls ``check()`` between short waits, which raises ``KeyboardInterrupt``
from our own code with every lock released. Outside the main thread (where Python cannot install
handlers) the block changes nothing.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Seconds between checks of the flag while waiting for workers.
POLL_SECONDS = 0.2

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred_interrupts() -> Iterator[Callable[[], None]]:
    """Within the block SIGINT/SIGTERM set a flag; the yielded ``check()`` raises
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


def ignore_in_worker() -> None:
    """In a worker process: ignore Ctrl-C (the parent stops the run) and die on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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
    left = len(futures)
    try:
        while left:
            try:
                fut = finished.get(timeout=POLL_SECONDS)
            except queue.Empty:
                check()
                continue
            check()
            left -= 1
            yield fut
    finally:
        for fut in futures:
            fut.cancel()
