"""The Monte Carlo engine: one transition-model run per iteration, across worker processes.

Reproducibility by construction: the input matrix is drawn once in the parent from
``SeedSequence(seed, spawn_key=(0,))``; iteration ``i``'s model stream is
``default_rng(SeedSequence(seed, spawn_key=(1, i)))``, rebuilt inside whichever worker runs it.
Workers receive the scenario and the input matrix once (pool initializer), then only index
ranges; they return compact arrays per chunk. Worker count, chunk size and completion order
therefore cannot change any number.
"""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation import summary
from simulation.errors import ModelError, SimulationError
from simulation.model import SCALAR_NAMES, SERIES_NAMES, RunResult, run_transition
from simulation.params import build_inputs
from simulation.sampling import InputMatrix, draw_inputs
from simulation.scenario_types import Scenario
from simulation.seeds import fresh_seed, iteration_stream

#: Outputs whose P10/P50/P90 decide convergence in ``--iterations auto``.
KEY_OUTPUTS = ("transition_months", "transition_cost", "npv_savings")


@dataclass(frozen=True)
class ChunkResult:
    """Outputs of iterations ``start`` .. ``stop - 1``.

    ``scalars``: (n, len(SCALAR_NAMES)) float64; ``risks``: (n, n_risks) uint8 occurrence flags;
    ``monthly``: (n, len(SERIES_NAMES), horizon_months) float32.
    """

    start: int
    stop: int
    scalars: NDArray[np.float64]
    risks: NDArray[np.uint8]
    monthly: NDArray[np.float32]


@dataclass(frozen=True)
class RawResults:
    """Every iteration's inputs and outputs, in iteration order."""

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

    @property
    def iterations(self) -> int:
        return int(self.scalars.shape[0])


class _Worker:
    """Runs index ranges of one scenario; built once per process."""

    def __init__(
        self, scenario: Scenario, matrix: InputMatrix, seed: int, sampler: str = "lhs"
    ) -> None:
        self.scenario = scenario
        self.matrix_sampler = sampler
        self.matrix = matrix
        self.seed = seed
        self.base = scenario.fixed_values()
        self.columns = list(matrix.names)
        self.risk_names = tuple(r.name for r in scenario.risks)
        self.stochastic = scenario.variability != "none"
        self.horizon = int(self.base["scenario.horizon_months"])

    def values(self, i: int) -> dict[str, float]:
        values = dict(self.base)
        values.update(zip(self.columns, self.matrix.values[i].tolist(), strict=True))
        return values

    def run_one(self, i: int, record_events: bool = False) -> RunResult:
        inputs = build_inputs(self.values(i), self.scenario.options, self.scenario.risks)
        rng = iteration_stream(self.seed, i) if self.stochastic else None
        return run_transition(inputs, rng, record_events=record_events)

    def run_range(self, start: int, stop: int) -> ChunkResult:
        n = stop - start
        scalars = np.empty((n, len(SCALAR_NAMES)), dtype=np.float64)
        risks = np.zeros((n, len(self.risk_names)), dtype=np.uint8)
        monthly = np.empty((n, len(SERIES_NAMES), self.horizon), dtype=np.float32)
        for j, i in enumerate(range(start, stop)):
            try:
                result = self.run_one(i)
            except Exception as exc:  # noqa: BLE001 - reported with the iteration that failed
                raise ModelError(self.failure_message(i, exc)) from exc
            scalars[j] = [result.scalars[name] for name in SCALAR_NAMES]
            for k, name in enumerate(self.risk_names):
                risks[j, k] = bool(result.risks.get(name, False))
            for k, name in enumerate(SERIES_NAMES):
                monthly[j, k] = result.monthly[name]
        bad = ~np.isfinite(scalars)
        bad[:, SCALAR_NAMES.index("breakeven_month")] = False  # NaN there means "never"
        if bad.any():
            j, k = np.argwhere(bad)[0]
            raise ModelError(
                self.failure_message(
                    start + int(j), ValueError(f"output {SCALAR_NAMES[k]} is {scalars[j, k]}")
                )
            )
        return ChunkResult(start, stop, scalars, risks, monthly)

    def failure_message(self, i: int, exc: BaseException) -> str:
        shown = ", ".join(
            f"{k} = {v:.6g}" for k, v in zip(self.columns, self.matrix.values[i], strict=True)
        )
        return (
            f"{self.scenario.path}: the model failed in iteration {i}: {exc}\n"
            f"  inputs: {shown or '(all fixed)'}\n"
            f"  reproduce with: simulate trace {self.scenario.path} --iteration {i} "
            f"--seed {self.seed} --iterations {self.matrix.n} --sampler {self.matrix_sampler}"
        )


_WORKER: _Worker | None = None


def _init_worker(scenario: Scenario, matrix: InputMatrix, seed: int, sampler: str) -> None:
    global _WORKER
    # The parent handles Ctrl-C and shuts the pool down; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = _Worker(scenario, matrix, seed, sampler)


def _run_range(start: int, stop: int) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.run_range(start, stop)


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(start: int, stop: int, size: int) -> Iterator[tuple[int, int]]:
    for a in range(start, stop, size):
        yield a, min(stop, a + size)


ProgressFn = Callable[[int], None]


class Runner:
    """Runs iteration ranges of one scenario on ``jobs`` processes (in-process for 1)."""

    def __init__(
        self, scenario: Scenario, matrix: InputMatrix, seed: int, jobs: int, sampler: str
    ) -> None:
        self.jobs = jobs
        self.local = _Worker(scenario, matrix, seed, sampler) if jobs == 1 else None
        self.pool: ProcessPoolExecutor | None = None
        if jobs > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=jobs,
                initializer=_init_worker,
                initargs=(scenario, matrix, seed, sampler),
            )

    def run(
        self, start: int, stop: int, chunk_size: int, progress: ProgressFn | None = None
    ) -> list[ChunkResult]:
        parts: list[ChunkResult] = []
        if self.local is not None:
            for a, b in chunks(start, stop, chunk_size):
                parts.append(self.local.run_range(a, b))
                if progress:
                    progress(b - a)
            return parts
        assert self.pool is not None
        pending: set[Future[ChunkResult]] = {
            self.pool.submit(_run_range, a, b) for a, b in chunks(start, stop, chunk_size)
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    part = fut.result()
                    parts.append(part)
                    if progress:
                        progress(part.stop - part.start)
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        return sorted(parts, key=lambda p: p.start)

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


def _key_quantiles(scalars: NDArray[np.float64]) -> NDArray[np.float64]:
    """P10/P50/P90 of the key outputs (rows) of the iterations so far."""
    idx = [SCALAR_NAMES.index(k) for k in KEY_OUTPUTS]
    frame = pd.DataFrame(scalars[:, idx], columns=[f"out.{k}" for k in KEY_OUTPUTS])
    return summary.key_quantiles(frame, KEY_OUTPUTS)


def _converged(prev: NDArray[np.float64], cur: NDArray[np.float64], tolerance: float) -> bool:
    """Every key P10/P50/P90 moved by less than ``tolerance`` × |P50|.

    A metric whose P50 sits near zero (``npv_savings`` of a break-even case) would never settle
    on a share of its P50, so its scale is floored at a tenth of its P10–P90 spread.
    """
    floor = np.maximum(0.1 * np.abs(cur[:, 2] - cur[:, 0]), 1e-9)
    return summary.has_converged(prev, cur, tolerance, floor)


def simulate(
    scenario: Scenario,
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    chunk_size: int | None = None,
    strict: bool = False,
    auto: bool = False,
    tolerance: float = 0.01,
    max_iterations: int = 50_000,
    batch: int = 1000,
    progress: Callable[[int], ProgressFn] | None = None,
) -> RawResults:
    """Run the scenario; returns every iteration's inputs and outputs.

    ``iterations`` defaults to the scenario's ``simulation.iterations``; with ``auto`` the run
    goes on in batches of ``batch`` until the P10/P50/P90 of ``KEY_OUTPUTS`` move by less than
    ``tolerance`` × |P50| between batches, up to ``max_iterations``. ``progress`` is called with
    the planned total and returns a callback taking the number of iterations just finished.
    """
    seed = scenario.seed if seed is None else seed
    if seed is None:
        seed = fresh_seed()
    jobs = jobs or default_jobs()
    total = max_iterations if auto else (iterations or scenario.iterations)
    if total < 1:
        raise SimulationError("iterations must be at least 1")
    sampler = sampler or scenario.sampler
    matrix = draw_inputs(
        scenario.inputs,
        scenario.uncertain,
        scenario.correlations,
        total,
        seed,
        sampler,
        strict=strict,
    )
    if chunk_size is None:
        chunk_size = max(1, min(200, math.ceil(total / (jobs * 8))))
    tick = progress(total) if progress else None
    parts: list[ChunkResult] = []
    converged: bool | None = None
    message = ""
    with Runner(scenario, matrix, seed, jobs, sampler) as runner:
        if not auto:
            parts = runner.run(0, total, chunk_size, tick)
        else:
            done = 0
            previous: NDArray[np.float64] | None = None
            converged = False
            while done < total:
                stop = min(total, done + batch)
                parts += runner.run(done, stop, chunk_size, tick)
                done = stop
                current = _key_quantiles(np.concatenate([p.scalars for p in parts]))
                if previous is not None and _converged(previous, current, tolerance):
                    converged = True
                    break
                previous = current
            message = (
                f"converged after {done:,} iterations (P10/P50/P90 of "
                f"{', '.join(KEY_OUTPUTS)} moved < {tolerance:.1%} of P50 between batches)"
                if converged
                else f"not converged: stopped at the cap of {total:,} iterations"
            )
    n = parts[-1].stop if parts else 0
    inputs = InputMatrix(matrix.names, matrix.values[:n], matrix.warnings)
    return RawResults(
        inputs=inputs,
        scalars=np.concatenate([p.scalars for p in parts]),
        risks=np.concatenate([p.risks for p in parts]),
        monthly=np.concatenate([p.monthly for p in parts]),
        risk_names=tuple(r.name for r in scenario.risks),
        seed=seed,
        jobs=jobs,
        converged=converged,
        convergence_message=message,
        warnings=tuple(matrix.warnings),
    )


def trace(
    scenario: Scenario,
    iteration: int,
    seed: int | None = None,
    iterations: int | None = None,
    sampler: str | None = None,
) -> tuple[dict[str, float], RunResult]:
    """Re-run one iteration exactly as a run of ``iterations`` did, with the event log recorded.

    The input matrix depends on the run's size (a Latin hypercube is designed for its ``n``), so
    give the same ``iterations`` and ``sampler`` as the run being explained.
    """
    seed = scenario.seed if seed is None else seed
    if seed is None:
        raise SimulationError("give --seed: the scenario has no simulation.seed")
    total = iterations or scenario.iterations
    if not 0 <= iteration < total:
        raise SimulationError(f"--iteration must be within 0..{total - 1} (got {iteration})")
    sampler = sampler or scenario.sampler
    matrix = draw_inputs(
        scenario.inputs, scenario.uncertain, scenario.correlations, total, seed, sampler
    )
    worker = _Worker(scenario, matrix, seed, sampler)
    return worker.values(iteration), worker.run_one(iteration, record_events=True)
