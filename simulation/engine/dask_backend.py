"""The Dask backend (the optional ``[dask]`` extra): the spec scattered to the workers once,
chunks run as tasks, a local cluster started quietly on free ports when no scheduler is given."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from simulation.engine.extras import DASK, require
from simulation.engine.interrupts import deferred_interrupts
from simulation.engine.worker import ChunkResult, ChunkWorker, WorkerSpec, chunks
from simulation.errors import SimulationError
from simulation.scenario.run_options import check_scheduler

__all__ = [
    "DaskBackend",
]


def _deaf_forkserver() -> None:
    """Start multiprocessing's fork server with Ctrl-C ignored, so that every Dask worker it
    forks ignores Ctrl-C too (an ignored signal is inherited through ``fork`` and ``exec``;
    Python then installs no KeyboardInterrupt handler). A terminal's Ctrl-C, sent to the whole
    process group, then reaches only this process, which stops the run and shuts the cluster
    down, and the workers print no tracebacks. A Ctrl-C in the few milliseconds it takes to
    start the server is lost; the server's module imports run in the server itself."""
    import multiprocessing.forkserver

    from distributed.utils import get_mp_context

    get_mp_context()  # lets Dask set the fork server's preloaded modules first
    if threading.current_thread() is not threading.main_thread():
        multiprocessing.forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _quiet_teardown() -> Iterator[None]:
    """Silence the log records Dask's client, scheduler and nannies write while a cluster is torn
    down early (closed streams, workers killed after a timeout): the run's own message says it
    all."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


#: Per worker process: the ChunkWorker of the scattered spec it last saw (by identity).
_DASK_CACHE: dict[int, tuple[WorkerSpec, ChunkWorker]] = {}


def _dask_run_range(spec: WorkerSpec, start: int, stop: int) -> ChunkResult:
    """Task run on a Dask worker; ``spec`` is the scattered object, kept in worker memory."""
    cached = _DASK_CACHE.get(id(spec))
    if cached is None or cached[0] is not spec:
        _DASK_CACHE.clear()
        cached = (spec, ChunkWorker(spec))
        _DASK_CACHE[id(spec)] = cached
    return cached[1].run_range(start, stop)


class DaskBackend:
    """Chunks on a ``dask.distributed`` cluster: an existing one at ``scheduler``
    (``tcp://host:8786``) or, without an address, a ``LocalCluster`` of ``jobs`` worker processes
    with one thread each. The spec is scattered to every worker once (``broadcast=True``); each
    chunk is a task with ``retries=2``. A task whose worker dies is re-run elsewhere by the
    scheduler; a task that keeps killing workers ends the run with a :class:`SimulationError`.
    """

    def __init__(self, spec: WorkerSpec, jobs: int, scheduler: str | None = None) -> None:
        require(DASK)  # an optional dependency: one line naming the extra if it is missing
        import dask
        from distributed import Client, LocalCluster

        self.cluster: Any = None
        self.client: Any = None
        self.scheduler = scheduler
        try:
            self.client = self._connect(jobs, scheduler, Client, LocalCluster, dask)
            # Scatter only once workers are there: broadcast copies the spec to the workers
            # registered at that moment, and a spec held by a single worker dies with it.
            try:
                self.client.wait_for_workers(jobs if self.cluster is not None else 1, timeout=60)
            except TimeoutError:
                raise SimulationError(
                    f"no Dask worker joined the scheduler {scheduler or '(local cluster)'} "
                    "within 60 s"
                ) from None
            workers = self.client.scheduler_info().get("workers", {})
            self.jobs = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
            self.token = uuid.uuid4().hex[:12]
            self.spec = self.client.scatter(spec, broadcast=True, hash=False)
        except BaseException:  # a half-made cluster is closed quietly, whatever stopped it
            self.close(cancel=True)
            raise

    def _connect(self, jobs: int, scheduler: str | None, client: Any, local: Any, dask: Any) -> Any:
        """A client of the cluster at ``scheduler``, or of a new local cluster."""
        try:
            if scheduler:
                return client(check_scheduler(scheduler), timeout="20s")
            # a Ctrl-C while the cluster starts is held until it stands (a cluster
            # interrupted half-way cannot be closed cleanly)
            with (
                deferred_interrupts(),
                dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}),
            ):
                _deaf_forkserver()
                self.cluster = local(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    # its HTTP server (health checks) on a free local port: the default
                    # 8787 may be taken by another run's cluster, and distributed then warns
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
                return client(self.cluster)
        except (OSError, ValueError, TypeError, RuntimeError) as exc:  # connect, parse, TLS
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise SimulationError(f"cannot start or reach {where}: {reason}") from None

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]:
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        futures = [
            self.client.submit(
                _dask_run_range,
                self.spec,
                a,
                b,
                retries=2,
                pure=False,
                key=f"backsourcing-chunk-{self.token}-{a}-{b}",
            )
            for a, b in chunks(start, stop, chunk_size)
        ]
        try:
            for fut in as_completed(futures):
                try:
                    part = fut.result()
                except KilledWorker as exc:
                    raise SimulationError(
                        f"the Dask workers running a chunk of iterations died repeatedly "
                        f"({exc}); the run was stopped and no results were written"
                    ) from None
                except FutureCancelledError as exc:
                    raise SimulationError(
                        f"a chunk of iterations was cancelled by the Dask cluster ({exc}); "
                        "the run was stopped and no results were written"
                    ) from None
                fut.release()
                yield part
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self, cancel: bool = False) -> None:
        """Close the client (and the local cluster); after a failure or an interrupt
        (``cancel``) quietly, whatever state the cluster is in."""
        with _quiet_teardown() if cancel else contextlib.nullcontext():
            client = getattr(self, "client", None)
            if client is not None:
                with _suppressed(cancel):
                    client.close()
                self.client = None
            if self.cluster is not None:
                with _suppressed(cancel):
                    self.cluster.close()
                self.cluster = None


def _suppressed(cancel: bool) -> contextlib.AbstractContextManager[None]:
    """While tearing down after a failure, errors of the teardown itself are not news."""
    return contextlib.suppress(Exception) if cancel else contextlib.nullcontext()
