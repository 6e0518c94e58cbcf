"""The Monte Carlo engine: one transition-model run per iteration, on a pluggable backend.

Reproducibility by construction: the input matrix is drawn once in the parent from
``SeedSequence(seed, spawn_key=(0,))``; iteration ``i``'s model stream is a Philox block keyed
by ``SeedSequence(seed, spawn_key=(1,))`` at counter ``i · 2**64``
(:mod:`simulation.sampling.seeds`), set up inside whichever worker runs it.
Workers receive the scenario and the input matrix once, then only index ranges; they return
compact arrays per chunk (see :mod:`simulation.engine.backends`). The parent copies each chunk into
arrays preallocated for the whole run, by index, checks that every iteration arrives exactly
once, and hands contiguous chunks in iteration order to an optional :class:`SampleSink` (the
incremental ``samples.csv`` / ``samples.parquet`` writer; :mod:`simulation.engine.assembly`).
Backend, worker count, chunk size and completion order therefore cannot change any number.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.engine import memory
from simulation.engine.assembly import Assembly, ProgressFn, SampleSink, run_chunks
from simulation.engine.backends import make_backend
from simulation.engine.convergence import has_converged, key_quantiles
from simulation.engine.cores import available_cores, fork_is_safe
from simulation.engine.worker import (
    Backend,
    ChunkResult,
    ChunkWorker,
    ModelFn,
    SharedOutputs,
    WorkerSpec,
    chunks,
)
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES, RunResult
from simulation.model.build import check_build
from simulation.sampling.designs import InputMatrix, draw_inputs
from simulation.sampling.seeds import fresh_seed
from simulation.scenario.outputs import KEY_OUTPUTS
from simulation.scenario.run_options import BACKENDS, RunOptions
from simulation.scenario.types import Scenario

__all__ = [
    "BACKENDS",
    "KEY_OUTPUTS",
    "Backend",
    "ChunkResult",
    "ModelFn",
    "ProgressFn",
    "RawResults",
    "RunOptions",
    "SampleSink",
    "WorkerSpec",
    "chunks",
    "common_run_options",
    "default_jobs",
    "make_worker",
    "simulate",
    "trace",
]


@dataclass(frozen=True)
class RawResults:
    """Every iteration's inputs and outputs, in iteration order.

    ``scalars``: (n, len(SCALAR_NAMES)) float64; ``risks``: (n, n_risks) uint8;
    ``monthly``: (n, len(SERIES_NAMES), horizon_months) float32 — held once, filled in place.
    ``backend`` names where the chunks ran (``local`` or ``dask``). ``design_iterations`` is
    the size the input matrix was drawn for: the iteration count of a fixed run, the
    ``max_iterations`` cap of an ``auto`` run (a Latin hypercube is designed for its size, so
    :func:`trace` needs it to re-create an iteration); 0 means "the same as ``iterations``".
    """

    inputs: InputMatrix
    scalars: NDArray[np.float64]
    risks: NDArray[np.uint8]
    monthly: NDArray[np.float32]
    risk_names: tuple[str, ...]
    seed: int
    jobs: int
    converged: bool | None = None
    convergence_message: str = ""
    warnings: tuple[str, ...] = field(default=())
    backend: str = "local"
    design_iterations: int = 0

    @property
    def iterations(self) -> int:
        return int(self.scalars.shape[0])

    @property
    def design_size(self) -> int:
        """The number of iterations the input design (Latin hypercube, Sobol) was drawn for."""
        return self.design_iterations or self.iterations


def make_worker(
    scenario: Scenario, matrix: InputMatrix, seed: int, sampler: str = "lhs"
) -> ChunkWorker:
    """A worker that runs iterations of ``matrix`` in this process, as every backend's do."""
    check_build()
    return ChunkWorker(WorkerSpec(scenario, matrix, seed, sampler))


def default_jobs() -> int:
    """All cores this process may use."""
    return available_cores()


def _key_quantiles(scalars: NDArray[np.float64]) -> NDArray[np.float64]:
    """P10/P50/P90 of the key outputs (rows) of the iterations so far."""
    idx = [SCALAR_NAMES.index(k) for k in KEY_OUTPUTS]
    frame = pd.DataFrame(scalars[:, idx], columns=[f"out.{k}" for k in KEY_OUTPUTS])
    return key_quantiles(frame, KEY_OUTPUTS)


def _converged(prev: NDArray[np.float64], cur: NDArray[np.float64], tolerance: float) -> bool:
    """Every key P10/P50/P90 moved by less than ``tolerance`` × |P50|.

    A metric whose P50 sits near zero (``npv_savings`` of a break-even case) would never settle
    on a share of its P50, so its scale is floored at a tenth of its P10–P90 spread.
    """
    floor = np.maximum(0.1 * np.abs(cur[:, 2] - cur[:, 0]), 1e-9)
    return has_converged(prev, cur, tolerance, floor)


def common_run_options(
    scenario: Scenario,
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
) -> RunOptions:
    """The options every run of a paired comparison shares (common random numbers: compare's
    alternatives, a sweep's settings, the risk-removal re-runs): ``iterations`` (default the
    scenario's ``simulation.iterations``), ``seed`` (default ``simulation.seed``, else a fresh
    one, drawn here once for all the runs) and ``sampler`` (default ``simulation.sampler``)."""
    seed = scenario.seed if seed is None else seed
    return RunOptions(
        iterations or scenario.iterations,
        seed=fresh_seed() if seed is None else seed,
        jobs=jobs,
        sampler=sampler or scenario.sampler,
    )


@dataclass(frozen=True)
class _Plan:
    """How :func:`simulate` runs: the root seed, worker count, design size (iterations the
    input matrix is drawn for), sampler and iterations per chunk."""

    seed: int
    jobs: int
    total: int
    sampler: str
    chunk_size: int


def _plan(scenario: Scenario, options: RunOptions) -> _Plan:
    """Each of ``options`` resolved against the scenario's settings and the machine."""
    seed = scenario.seed if options.seed is None else options.seed
    if seed is None:
        seed = fresh_seed()
    jobs = options.jobs or default_jobs()
    total = options.design_size or scenario.iterations
    chunk_size = options.chunk_size
    if chunk_size is None:
        # about 8 chunks a worker (load balance, progress), at most 1,000 iterations each;
        # under ``auto`` every batch still gives each worker at least two chunks
        auto = options.auto
        per_run = total if not auto else min(total, options.batch)
        chunk_size = max(1, min(1000, math.ceil(per_run / (jobs * (2 if auto else 8)))))
    return _Plan(seed, jobs, total, options.sampler or scenario.sampler, chunk_size)


def _draw(scenario: Scenario, options: RunOptions, plan: _Plan) -> InputMatrix:
    """The run's input matrix, drawn once in this process; first a run the machine cannot
    hold is refused, before anything is drawn or allocated (a Dask cluster's workers have
    memory of their own, this process holds the results)."""
    workers = plan.jobs if options.backend == "local" else 1
    memory.check([memory.scenario_need(scenario, plan.total, workers)])
    return draw_inputs(
        scenario.inputs,
        scenario.uncertain,
        scenario.correlations,
        plan.total,
        plan.seed,
        plan.sampler,
        strict=options.strict,
    )


def _shared_outputs(
    backend: str, jobs: int, total: int, n_risks: int, horizon: int
) -> SharedOutputs | None:
    """The run's output arrays shared with a forked local pool, or None (in-process, Dask, a
    platform where forking is unsafe, or no shared map this large: strict overcommit), when
    the workers return their chunks."""
    if backend == "local" and jobs > 1 and fork_is_safe():
        with contextlib.suppress(OSError, ValueError):
            return SharedOutputs(total, n_risks, horizon)
    return None


def _run_until_converged(
    runner: Backend,
    asm: Assembly,
    options: RunOptions,
    plan: _Plan,
    tick: ProgressFn | None,
) -> tuple[int, bool, str]:
    """An ``auto`` run: batches of ``options.batch`` until the key percentiles settle or the
    cap; returns the iterations run, whether they converged and the message saying so."""
    done = 0
    previous: NDArray[np.float64] | None = None
    converged = False
    total = plan.total
    while done < total:
        stop = min(total, done + options.batch)
        run_chunks(runner, asm, done, stop, plan.chunk_size, tick)
        done = stop
        current = _key_quantiles(asm.scalars[:done])
        if previous is not None and _converged(previous, current, options.tolerance):
            converged = True
            break
        previous = current
    message = (
        f"converged after {done:,} iterations (P10/P50/P90 of "
        f"{', '.join(KEY_OUTPUTS)} moved < {options.tolerance:.1%} of P50 between batches)"
        if converged
        else f"not converged: stopped at the cap of {total:,} iterations"
    )
    return done, converged, message


def _run_all(
    runner: Backend,
    asm: Assembly,
    options: RunOptions,
    plan: _Plan,
    tick: ProgressFn | None,
) -> tuple[int, bool | None, str]:
    """Run the iterations on ``runner`` into ``asm``, then close it (cancelling what is left
    when the run failed or was interrupted); returns the iterations run and, for an ``auto``
    run, whether they converged and the message saying so (``None, ""`` for a fixed run)."""
    failed = True
    outcome: tuple[int, bool | None, str]
    try:
        if options.auto:
            outcome = _run_until_converged(runner, asm, options, plan, tick)
        else:
            run_chunks(runner, asm, 0, plan.total, plan.chunk_size, tick)
            outcome = (plan.total, None, "")
        failed = False
    finally:
        runner.close(cancel=failed)
    return outcome


def simulate(
    scenario: Scenario,
    options: RunOptions | None = None,
    *,
    progress: Callable[[int], ProgressFn] | None = None,
    sink: SampleSink | None = None,
    model: ModelFn | None = None,
) -> RawResults:
    """Run the scenario as ``options`` say (:class:`RunOptions`; default: the scenario's own
    settings); returns every iteration's inputs and outputs.

    A fixed run draws ``options.iterations`` (default ``simulation.iterations``); with
    ``options.auto`` the run goes on in batches of ``options.batch`` until the P10/P50/P90 of
    ``KEY_OUTPUTS`` move by less than ``options.tolerance`` × |P50| between batches, up to
    ``options.max_iterations``. ``progress`` is called with the planned total and returns a
    callback taking the number of iterations just finished.

    ``options.backend``: ``"local"`` (in-process for one job, else a process pool) or ``"dask"``
    (the cluster at ``options.scheduler``, e.g. ``tcp://host:8786``, or a new LocalCluster of
    ``options.jobs`` processes when there is no scheduler). Same seed → same numbers on every
    backend. ``sink`` receives the samples in iteration order while the run goes (incremental
    files). ``model`` (advanced: benchmarks, fault injection) replaces the transition model; it
    must be picklable for multi-process backends.

    A model whose compiled modules could hide edits is refused
    (:func:`simulation.model.build.check_build`). A run whose
    results would need more memory than the machine has (for the iterations it
    may run: ``max_iterations`` under ``auto``) is refused before anything is drawn, with a
    :class:`SimulationError` giving both figures (:mod:`simulation.engine.memory`).
    """
    check_build()
    options = options or RunOptions()
    backend = options.backend
    plan = _plan(scenario, options)
    seed, total = plan.seed, plan.total
    matrix = _draw(scenario, options, plan)
    tick = progress(total) if progress else None
    risk_names = tuple(r.name for r in scenario.risks)
    horizon = int(scenario.fixed_values()["scenario.horizon_months"])
    spec = WorkerSpec(scenario, matrix, seed, plan.sampler, model)
    shared = _shared_outputs(backend, plan.jobs, total, len(risk_names), horizon)
    asm = Assembly(matrix, total, len(risk_names), horizon, sink, shared)
    runner = make_backend(spec, backend, plan.jobs, options.scheduler, shared)
    done, converged, message = _run_all(runner, asm, options, plan, tick)
    return RawResults(
        inputs=InputMatrix(matrix.names, matrix.values[:done], matrix.warnings, seed),
        scalars=asm.scalars[:done],
        risks=asm.risks[:done],
        monthly=asm.monthly[:done],
        risk_names=risk_names,
        seed=seed,
        jobs=runner.jobs,
        converged=converged,
        convergence_message=message,
        warnings=tuple(matrix.warnings),
        backend=backend,
        design_iterations=total,
    )


def trace(
    scenario: Scenario,
    iteration: int,
    seed: int | None = None,
    iterations: int | None = None,
    sampler: str | None = None,
) -> tuple[dict[str, float], RunResult]:
    """Re-run one iteration exactly as a run did, with the event log recorded.

    The input matrix depends on the run's design size (a Latin hypercube is designed for its
    ``n``), so ``iterations`` must be that size: the iteration count of a fixed run, the
    ``--max-iterations`` cap of an ``--iterations auto`` run (``design_iterations`` in its
    run.json); ``seed`` and ``sampler`` must be the run's too. Defaults: the scenario's
    ``simulation.iterations``, ``simulation.seed`` and ``simulation.sampler``.
    """
    seed = scenario.seed if seed is None else seed
    if seed is None:
        raise SimulationError("give --seed: the scenario has no simulation.seed")
    total = iterations or scenario.iterations
    if not 0 <= iteration < total:
        raise SimulationError(
            f"--iteration must be within 0..{total - 1:,} (got {iteration:,}): the run's design "
            f"has {total:,} iterations"
        )
    sampler = sampler or scenario.sampler
    matrix = draw_inputs(
        scenario.inputs, scenario.uncertain, scenario.correlations, total, seed, sampler
    )
    worker = make_worker(scenario, matrix, seed, sampler)
    return worker.values(iteration), worker.run_one(iteration, record_events=True)
