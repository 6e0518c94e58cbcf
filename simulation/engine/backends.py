"""Where chunks of iterations run: in-process, a local process pool, or a Dask cluster.

Every backend runs the same :class:`ChunkWorker` on index ranges ``[start, stop)`` of one
:class:`WorkerSpec` (scenario + input matrix + seed), shipped to each worker once, and yields
:class:`ChunkResult` objects as they complete, in any order. The engine puts them back in
iteration order, so the backend, the number of workers and the chunk size never change a number:
iteration ``i`` always runs on its own stream, which depends only on (seed, i) (see
:mod:`simulation.sampling.seeds`).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import mmap
import multiprocessing
import operator
import queue
import signal
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from simulation.engine.extras import DASK, require
from simulation.engine.interrupts import POLL_SECONDS, deferred_interrupts, ignore_in_worker
from simulation.engine.interrupts import as_completed_polling as as_completed_polling  # report.py
from simulation.errors import ModelError, SimulationError
from simulation.model import (
    SCALAR_NAMES,
    SERIES_NAMES,
    RunRecord,
    RunResult,
    run_programme,
    run_transition,
)
from simulation.model.inputs import ModelInputs, build_inputs, cost_keys
from simulation.model.outcomes import outcomes
from simulation.sampling.designs import InputMatrix
from simulation.sampling.seeds import IterationStreams
from simulation.scenario.run_options import BACKENDS, check_scheduler
from simulation.scenario.types import Scenario

log = logging.getLogger(__name__)

#: An alternative model (benchmarks, fault-injection tests): one iteration's values by dotted
#: path and its stream (``None`` when ``simulation.variability = "none"``) -> a RunResult.
ModelFn = Callable[[Mapping[str, float], np.random.Generator | None], RunResult]

_SCALARS_OF = operator.itemgetter(*SCALAR_NAMES)
_SERIES_OF = operator.itemgetter(*SERIES_NAMES)
_BREAKEVEN = SCALAR_NAMES.index("breakeven_month")
#: Iterations whose outputs are computed together (:func:`simulation.model.outcomes.outcomes`): its
#: (runs × days) arrays then stay in the CPU cache; a whole 1,000-iteration chunk at once was
#: about twice as slow per iteration (scripts/bench_model.py).
OUTCOME_BATCH = 64


@dataclass(frozen=True)
class ChunkResult:
    """Compact outputs of iterations ``start`` .. ``stop - 1``.

    ``scalars``: (n, len(SCALAR_NAMES)) float64, in each metric's units (months, currency, …);
    ``risks``: (n, n_risks) uint8 occurrence flags; ``monthly``: (n, len(SERIES_NAMES),
    horizon_months) float32 (the series' units; 24-bit mantissa is ample for percentile bands).
    All three are ``None`` when the worker wrote them in place into the run's
    :class:`SharedOutputs` (local process pool).
    """

    start: int
    stop: int
    scalars: NDArray[np.float64] | None
    risks: NDArray[np.uint8] | None
    monthly: NDArray[np.float32] | None


class SharedOutputs:
    """The run's output arrays in one anonymous shared memory map, for ``capacity`` iterations.

    Made before the local process pool forks (only where :func:`fork_is_safe`), so its workers
    write each chunk's outputs straight into the parent's arrays and send back only
    ``(start, stop)``: no pickling and no copy of the monthly series (2 kB an iteration for a
    60-month horizon). Pages are committed only when written, so an ``--iterations auto`` run
    that stops early never pays for its cap.
    """

    def __init__(self, capacity: int, n_risks: int, horizon: int) -> None:
        n_scalars, n_series = len(SCALAR_NAMES), len(SERIES_NAMES)
        sizes = (capacity * n_scalars * 8, capacity * n_series * horizon * 4, capacity * n_risks)
        self.buffer = mmap.mmap(-1, max(1, sum(sizes)))
        offset = 0
        self.scalars: NDArray[np.float64] = np.frombuffer(
            self.buffer, np.float64, capacity * n_scalars, offset
        ).reshape(capacity, n_scalars)
        offset += sizes[0]
        self.monthly: NDArray[np.float32] = np.frombuffer(
            self.buffer, np.float32, capacity * n_series * horizon, offset
        ).reshape(capacity, n_series, horizon)
        offset += sizes[1]
        self.risks: NDArray[np.uint8] = np.frombuffer(
            self.buffer, np.uint8, capacity * n_risks, offset
        ).reshape(capacity, n_risks)


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs, shipped once per worker: the scenario, the whole input matrix
    (iterations × uncertain inputs), the root seed, the sampler name (for failure messages) and
    an optional replacement ``model`` (``None``: the transition model)."""

    scenario: Scenario
    matrix: InputMatrix
    seed: int
    sampler: str = "lhs"
    model: ModelFn | None = None


class ChunkWorker:
    """Runs index ranges of one :class:`WorkerSpec`; built once per worker process."""

    def __init__(self, spec: WorkerSpec) -> None:
        scenario = spec.scenario
        self.spec = spec
        self.scenario = scenario
        self.matrix = spec.matrix
        self.seed = spec.seed
        self.model = spec.model
        self.base = dict(scenario.fixed_values())
        self.columns = tuple(spec.matrix.names)
        self.risk_names = tuple(r.name for r in scenario.risks)
        self.stochastic = scenario.variability != "none"
        self.streams = IterationStreams(spec.seed)
        self.horizon = int(self.base["scenario.horizon_months"])
        self.cost_keys = cost_keys(self.base)
        self.overrides: Mapping[str, float] = {}

    def values(self, i: int) -> dict[str, float]:
        """Iteration ``i``'s values by dotted path (fixed inputs + its row of the matrix, then
        the :meth:`with_values` overrides)."""
        values = self.base.copy()
        values.update(zip(self.columns, self.matrix.values[i].tolist(), strict=True))
        if self.overrides:
            values.update(self.overrides)
        return values

    def with_values(self, overrides: Mapping[str, float]) -> ChunkWorker:
        """This worker with the given inputs fixed in every iteration, e.g. a risk switched off
        (``risks.<name>.occurs`` = 0); the spec, matrix and streams are shared, not copied.

        Iteration ``i`` then runs exactly as in the scenario with those inputs fixed, provided
        fixing them leaves every other column of the matrix unchanged (per-input streams, see
        :mod:`simulation.analysis.risk_removal`)."""
        other = copy.copy(self)
        other.overrides = dict(overrides)
        return other

    def stream(self, i: int) -> np.random.Generator | None:
        """Iteration ``i``'s model stream (``None`` under variability "none"); valid until the
        next call (one generator is rewound, see :class:`IterationStreams`)."""
        return self.streams.stream(i) if self.stochastic else None

    def inputs(self, i: int) -> ModelInputs:
        """Iteration ``i``'s model parameters (risk shocks applied)."""
        scenario = self.scenario
        return build_inputs(
            self.values(i), scenario.options, scenario.risks, self.cost_keys, scenario.waves
        )

    def run_one(self, i: int, record_events: bool = False) -> RunResult:
        """Run iteration ``i`` on its own stream."""
        if self.model is not None:
            return self.model(self.values(i), self.stream(i))
        inputs = self.inputs(i)
        return run_transition(inputs, self.stream(i), record_events=record_events)

    def programme(self, i: int) -> RunRecord:
        """The SimPy part of iteration ``i`` on its own stream."""
        inputs = self.inputs(i)
        return run_programme(inputs, self.stream(i))

    def outputs(self, n: int) -> tuple[NDArray[np.float64], NDArray[np.uint8], NDArray[np.float32]]:
        """New (uninitialised) scalar, risk-flag and monthly arrays for ``n`` iterations."""
        return (
            np.empty((n, len(SCALAR_NAMES)), dtype=np.float64),
            np.empty((n, len(self.risk_names)), dtype=np.uint8),
            np.empty((n, len(SERIES_NAMES), self.horizon), dtype=np.float32),
        )

    def run_range(self, start: int, stop: int) -> ChunkResult:
        """Run iterations ``start .. stop - 1`` into new compact arrays."""
        scalars, risks, monthly = self.outputs(stop - start)
        self.run_into(range(start, stop), scalars, risks, monthly)
        return ChunkResult(start, stop, scalars, risks, monthly)

    def run_scalars(self, indices: Sequence[int]) -> NDArray[np.float64]:
        """Scalar outputs of the given iterations, rows in that order."""
        scalars, risks, monthly = self.outputs(len(indices))
        self.run_into(indices, scalars, risks, monthly)
        return scalars

    def run_into(
        self,
        indices: Sequence[int],
        scalars: NDArray[np.float64],
        risks: NDArray[np.uint8],
        monthly: NDArray[np.float32],
    ) -> None:
        """Run the given iterations and write row ``j`` of each output array for
        ``indices[j]``: ``scalars`` (n, len(SCALAR_NAMES)), ``risks`` (n, n_risks) occurrence
        flags, ``monthly`` (n, len(SERIES_NAMES), horizon_months).

        The SimPy part runs iteration by iteration; the outputs that follow from it (queue,
        monthly series, costs) are computed for batches of ``OUTCOME_BATCH`` of them at once
        (:func:`simulation.model.outcomes.outcomes`), which gives the same numbers as one at a time.
        Every scalar output must be finite (a NaN break-even means "never"), and so must every
        value of the monthly series, which are stored as float32 (at most about 3.4e38): a
        cumulative cost beyond that would become ``inf`` while the float64 scalars stay finite.
        A failure names its iteration (and the series and month).
        """
        with np.errstate(over="ignore"):  # float64 -> float32 overflow is reported below
            if self.model is not None:
                self._run_custom(indices, scalars, risks, monthly)
            else:
                for a in range(0, len(indices), OUTCOME_BATCH):
                    b = min(a + OUTCOME_BATCH, len(indices))
                    self._run_batch(indices[a:b], scalars[a:b], risks[a:b], monthly[a:b])
        bad = ~np.isfinite(scalars)
        bad[:, _BREAKEVEN] = False  # NaN there means "never within the horizon"
        if bad.any():
            j, k = np.argwhere(bad)[0]
            raise ModelError(
                self.failure_message(
                    indices[int(j)], ValueError(f"output {SCALAR_NAMES[k]} is {scalars[j, k]}")
                )
            )
        if not np.isfinite(monthly).all():
            j, k, m = np.argwhere(~np.isfinite(monthly))[0]
            value = monthly[j, k, m]
            limit = float(np.finfo(np.float32).max)
            why = (
                f" (monthly series are kept as 32-bit floats, at most {limit:.3g}: are the "
                "scenario's amounts in the right unit?)"
                if np.isinf(value)
                else ""
            )
            raise ModelError(
                self.failure_message(
                    indices[int(j)],
                    ValueError(
                        f"monthly series {SERIES_NAMES[k]} is {value} in month {m + 1}{why}"
                    ),
                )
            )

    def _run_batch(
        self,
        indices: Sequence[int],
        scalars: NDArray[np.float64],
        risks: NDArray[np.uint8],
        monthly: NDArray[np.float32],
    ) -> None:
        """:meth:`run_into` for one batch of at most ``OUTCOME_BATCH`` iterations."""
        records = []
        for i in indices:
            try:
                records.append(self.programme(i))
            except Exception as exc:  # noqa: BLE001 - reported with the iteration
                raise ModelError(self.failure_message(i, exc)) from exc
        try:
            out = outcomes(records)
        except Exception as exc:  # noqa: BLE001 - find the iteration whose outputs fail
            for i, record in zip(indices, records, strict=True):
                try:
                    outcomes([record])
                except Exception as single:  # noqa: BLE001
                    raise ModelError(self.failure_message(i, single)) from single
            raise ModelError(self.failure_message(indices[0], exc)) from exc
        scalars[...] = out.scalars
        monthly[...] = out.monthly
        names = self.risk_names
        if names:
            risks[...] = [[r.risk_flags.get(k, False) for k in names] for r in records]

    def _run_custom(
        self,
        indices: Sequence[int],
        scalars: NDArray[np.float64],
        risks: NDArray[np.uint8],
        monthly: NDArray[np.float32],
    ) -> None:
        """:meth:`run_into` for a replacement ``model`` returning one RunResult a time."""
        risk_names = self.risk_names
        for j, i in enumerate(indices):
            try:
                result = self.run_one(i)
            except Exception as exc:  # noqa: BLE001 - reported with the iteration that failed
                raise ModelError(self.failure_message(i, exc)) from exc
            scalars[j] = _SCALARS_OF(result.scalars)
            monthly[j] = _SERIES_OF(result.monthly)
            if risk_names:
                flags = result.risks
                risks[j] = [flags.get(name, False) for name in risk_names]

    def failure_message(self, i: int, exc: BaseException) -> str:
        shown = ", ".join(
            f"{k} = {v:.6g}" for k, v in zip(self.columns, self.matrix.values[i], strict=True)
        )
        if self.overrides:
            shown += " (with " + ", ".join(f"{k} = {v:g}" for k, v in self.overrides.items()) + ")"
        return (
            f"{self.scenario.path}: the model failed in iteration {i}: {exc}\n"
            f"  inputs: {shown or '(all fixed)'}\n"
            f"  reproduce with: simulate trace {self.scenario.path} --iteration {i} "
            f"--seed {self.seed} --iterations {self.matrix.n} --sampler {self.spec.sampler}"
        )


class Backend(Protocol):
    """Runs index ranges of one WorkerSpec; yields chunk results as they complete."""

    jobs: int

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]: ...

    def close(self, cancel: bool = False) -> None: ...


def chunks(start: int, stop: int, size: int) -> Iterator[tuple[int, int]]:
    """Index ranges ``[a, b)`` of at most ``size`` iterations covering ``[start, stop)``."""
    for a in range(start, stop, size):
        yield a, min(stop, a + size)


class InProcessBackend:
    """Runs every chunk in this process (``jobs = 1``): no pickling, no processes."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.jobs = 1
        self.worker = ChunkWorker(spec)

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]:
        for a, b in chunks(start, stop, chunk_size):
            yield self.worker.run_range(a, b)

    def close(self, cancel: bool = False) -> None:
        return None


_POOL_WORKER: ChunkWorker | None = None


_POOL_OUTPUTS: SharedOutputs | None = None


def _init_pool_worker(spec: WorkerSpec, outputs: SharedOutputs | None = None) -> None:
    global _POOL_WORKER, _POOL_OUTPUTS
    # The parent handles Ctrl-C and shuts the pool down; workers must not print tracebacks.
    ignore_in_worker()
    _POOL_WORKER = ChunkWorker(spec)
    _POOL_OUTPUTS = outputs


def _pool_run_range(start: int, stop: int) -> ChunkResult:
    assert _POOL_WORKER is not None
    out = _POOL_OUTPUTS
    if out is None:
        return _POOL_WORKER.run_range(start, stop)
    _POOL_WORKER.run_into(
        range(start, stop), out.scalars[start:stop], out.risks[start:stop], out.monthly[start:stop]
    )
    return ChunkResult(start, stop, None, None, None)


def _pool_run_with(
    overrides: tuple[tuple[str, float], ...], indices: tuple[int, ...], columns: tuple[int, ...]
) -> NDArray[np.float64]:
    """In a pool worker: the scalar outputs ``columns`` of the given iterations (rows in that
    order) with ``overrides`` fixed (see :meth:`ChunkWorker.with_values`)."""
    assert _POOL_WORKER is not None
    worker = _POOL_WORKER.with_values(dict(overrides)) if overrides else _POOL_WORKER
    return worker.run_scalars(list(indices))[:, list(columns)]


Task = TypeVar("Task", bound=tuple[Hashable, ...])
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
                            try:
                                fut = done.get(timeout=POLL_SECONDS)
                            except queue.Empty:
                                check()
                                continue
                            check()
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
        """Shut the pool down. ``cancel`` (an interrupt or a failure): the workers are
        terminated at once instead of finishing the chunks they hold, whose results would be
        thrown away — a Ctrl-C used to wait for them (12 s on a 20,000-iteration run)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if not cancel:
            pool.shutdown(wait=True)
            return
        # the pool's worker processes (pid -> process), a CPython attribute (3.14 adds
        # terminate_workers); without it the pool is shut down as before
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()  # workers die on SIGTERM (interrupts.ignore_in_worker)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


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


# Dask -------------------------------------------------------------------------------------------


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


def make_backend(
    spec: WorkerSpec,
    backend: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    outputs: SharedOutputs | None = None,
) -> Backend:
    """The backend named ``backend`` (``local`` or ``dask``) for ``jobs`` workers; a local
    process pool writes into ``outputs`` when given (see :class:`SharedOutputs`)."""
    if backend == "dask":
        return DaskBackend(spec, jobs, scheduler)
    if backend != "local":
        raise SimulationError(f"unknown backend {backend!r} (expected one of {BACKENDS})")
    if scheduler:
        raise SimulationError("--scheduler needs --backend dask")
    if jobs == 1:
        return InProcessBackend(spec)
    return ProcessPoolBackend(spec, jobs, outputs)
