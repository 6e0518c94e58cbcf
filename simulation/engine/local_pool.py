"""The local process pool: workers forked once with the
:class:`~simulation.engine.worker.WorkerSpec`, chunks written into shared memory, a worker that dies
survived by re-running its tasks (:class:`RetryingPool`), and the pool the risk ranking uses
(:func:`ranking_pool`)."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from simulation.engine.interrupts import (
    deferred_interrupts,
    ignore_in_worker,
    next_done,
    quiet_thread,
)
from simulation.engine.worker import ChunkResult, ChunkWorker, SharedOutputs, WorkerSpec, chunks
from simulation.errors import SimulationError

log = logging.getLogger(__name__)

#: A task of :meth:`RetryingPool.run`: a hashable tuple (its arguments after the function).
Task = TypeVar("Task", bound=tuple[Hashable, ...])

__all__ = [
    "ProcessPoolBackend",
    "RetryingPool",
    "ranking_pool",
    "run_with_values",
]


_POOL_WORKER: ChunkWorker | None = None


_POOL_OUTPUTS: SharedOutputs | None = None


def _init_pool_worker(spec: WorkerSpec, outputs: SharedOutputs | None = None) -> None:
    global _POOL_WORKER, _POOL_OUTPUTS
    # The parent handles Ctrl-C and shuts the pool down; workers must not print tracebacks.
    ignore_in_worker()
    _POOL_WORKER = ChunkWorker(spec)
    _POOL_OUTPUTS = outputs
    # Everything this process holds now (the modules, scenario and input matrix it inherited
    # or was sent) lives until it ends: the cyclic garbage collector need not scan it again at
    # each full collection (which would also copy the pages shared with the parent)
    gc.freeze()


def _pool_run_range(start: int, stop: int) -> ChunkResult:
    assert _POOL_WORKER is not None
    out = _POOL_OUTPUTS
    if out is None:
        return _POOL_WORKER.run_range(start, stop)
    _POOL_WORKER.run_into(range(start, stop), out.rows(start, stop))
    return ChunkResult(start, stop, None, None, None)


def _pool_run_with(
    overrides: tuple[tuple[str, float], ...], indices: tuple[int, ...], columns: tuple[int, ...]
) -> NDArray[np.float64]:
    """In a pool worker: the scalar outputs ``columns`` of the given iterations (rows in that
    order) with ``overrides`` fixed (see :meth:`ChunkWorker.with_values`)."""
    assert _POOL_WORKER is not None
    worker = _POOL_WORKER.with_values(dict(overrides)) if overrides else _POOL_WORKER
    return worker.run_final_at_end(list(indices), columns)


_END = object()


class RetryingPool:
    """A local process pool whose tasks survive a dying worker.

    A worker process that dies (killed by the system when memory runs out, or by a signal)
    breaks the pool: a new pool then re-runs every task not yet delivered, at most
    :attr:`RETRIES` times over the pool's life (counted in :attr:`failures`), like Dask re-running
    a lost worker's tasks; one more failure ends with a :class:`SimulationError` whose text is
    ``died(failures)``. Tasks must be idempotent (the same streams give the same numbers).
    Shared by the simulation's chunks (:class:`ProcessPoolBackend`) and the risk ranking's
    re-runs (:mod:`simulation.analysis.risk_removal`).
    """

    RETRIES = 2

    def __init__(
        self, make_pool: Callable[[], ProcessPoolExecutor], died: Callable[[int], str]
    ) -> None:
        self.make_pool = make_pool
        self.died = died
        self.failures = 0
        self.pool: ProcessPoolExecutor | None = make_pool()

    def run(
        self, fn: Callable[..., Any], tasks: Iterable[Task], window: int | None = None
    ) -> Iterator[tuple[Task, Any]]:
        """``(task, fn(*task))`` for every task, as they complete, each exactly once.

        ``tasks`` (tuples of arguments) are drawn lazily: at most ``window`` are in flight (all
        at once when ``None``), so a long stream of tasks never sits in memory. Ctrl-C and
        SIGTERM are handled at safe points (:mod:`simulation.engine.interrupts`)."""
        source = iter(tasks)
        again: dict[Task, None] = {}  # undelivered tasks of a broken pool, run first
        while True:
            assert self.pool is not None
            pool = self.pool
            inflight: dict[Future[Any], Task] = {}
            try:
                with deferred_interrupts() as check:
                    done: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
                    try:
                        while True:
                            while window is None or len(inflight) < window:
                                if again:
                                    task = next(iter(again))
                                    del again[task]
                                else:
                                    drawn = next(source, _END)
                                    if drawn is _END:
                                        break
                                    task = cast(Task, drawn)
                                try:
                                    fut = pool.submit(fn, *task)
                                except BrokenProcessPool:
                                    again[task] = None  # not lost: run on the new pool
                                    raise
                                inflight[fut] = task
                                fut.add_done_callback(done.put)
                            if not inflight:
                                return
                            fut = next_done(done, check)
                            result = fut.result()
                            task = inflight.pop(fut)
                            yield task, result
                    finally:
                        for fut in inflight:
                            fut.cancel()
            except BrokenProcessPool:
                again = dict.fromkeys([*inflight.values(), *again])
                self._replace_pool(len(again))

    def _replace_pool(self, waiting: int) -> None:
        self.failures += 1
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None
        if self.failures > self.RETRIES:
            raise SimulationError(self.died(self.failures)) from None
        log.warning("a worker process died; re-running %d task(s)", waiting)
        self.pool = self.make_pool()

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down. ``cancel`` (an interrupt or a failure): the workers are killed
        at once instead of finishing the chunks they hold, whose results would be thrown away
        (a Ctrl-C used to wait for them: 12 s on a 20,000-iteration run); the pool's own
        thread then reaps them, so that no other thread waits on the same process."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if not cancel:
            pool.shutdown(wait=True)
            return
        # the pool's thread may stumble on the killed workers (a CPython race, seen twice in
        # about 130 interrupted runs as "Exception in thread Thread-1"): the run says it stopped
        with quiet_thread(getattr(pool, "_executor_manager_thread", None)):
            # the pool's worker processes (pid -> process), a CPython attribute (3.14 adds
            # terminate_workers); without it the pool is shut down as before
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
            pool.shutdown(wait=True, cancel_futures=True)


def ranking_pool(spec: WorkerSpec, jobs: int) -> RetryingPool:
    """A :class:`RetryingPool` of ``jobs`` workers each holding ``spec`` once (inherited with
    the fork start method), for :func:`run_with_values`."""

    def make() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_pool_worker, initargs=(spec, None)
        )

    def died(times: int) -> str:
        return (
            f"a worker process died {times} times while ranking the risks (killed by the "
            "system, for example when memory ran out, or by a signal); no results were "
            "written. Try fewer --jobs, or --no-rank-risks"
        )

    return RetryingPool(make, died)


#: The task function of :func:`ranking_pool`: ``(overrides, indices, columns)`` -> outputs.
run_with_values = _pool_run_with


class ProcessPoolBackend:
    """A local ``ProcessPoolExecutor``: the spec goes to each process once (initializer), then
    only ``(start, stop)`` pairs travel. With ``outputs`` (forked workers only) the workers
    write their results into those shared arrays and return only the index range.

    A worker process that dies breaks the pool; a new pool then re-runs every chunk not yet
    delivered, at most :attr:`RETRIES` times in a run (:class:`RetryingPool`). Chunks are
    idempotent (same streams, same in-place rows), so the numbers stay identical.
    """

    RETRIES = RetryingPool.RETRIES

    def __init__(self, spec: WorkerSpec, jobs: int, outputs: SharedOutputs | None = None) -> None:
        self.jobs = jobs
        self.spec = spec
        self.outputs = outputs
        self.pool = RetryingPool(self._new_pool, self._died)

    @property
    def failures(self) -> int:
        return self.pool.failures

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork") if self.outputs is not None else None
        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=context,
            initializer=_init_pool_worker,
            initargs=(self.spec, self.outputs),
        )

    @staticmethod
    def _died(times: int) -> str:
        return (
            f"a worker process died {times} times (killed by the system, for example when "
            "memory ran out, or by a signal); the run was stopped and no results were written. "
            "Try fewer --jobs, or --backend dask"
        )

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]:
        for _task, part in self.pool.run(_pool_run_range, chunks(start, stop, chunk_size)):
            yield part

    def close(self, cancel: bool = False) -> None:
        self.pool.close(cancel)
