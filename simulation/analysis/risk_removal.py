"""Risk-removal ranking: what switching off each risk of the register is worth.

For each risk, the scenario is run again with that risk switched off (``risks.<name>.occurs``
fixed at 0) with common random numbers: the same seed, iterations and sampler as the baseline,
so every other uncertain input keeps its value in every iteration (one stream per input name,
see :mod:`simulation.sampling.designs`) and iteration ``i`` keeps its model stream. The change in
the P80 of ``transition_cost`` (currency) and of ``transition_months`` (months from programme start)
against the baseline is what a mitigation that removes the risk is worth at the P80.

A risk with probability 0 (``occurs`` already fixed at 0) is not re-run: its "without" run is
the baseline and its changes are exactly 0. A correlation naming ``risks.<name>.occurs`` is
dropped in that risk's "without" run (the input is no longer uncertain).

Cost of the ranking
-------------------
Only the iterations a risk struck (:func:`simulation.model.inputs.struck`) are re-run; the others
are the baseline's by common random numbers. Every worker holds the baseline's scenario and input
matrix once and runs a struck iteration "without" a risk by fixing its ``occurs`` at 0
(:meth:`simulation.engine.worker.ChunkWorker.with_values`), so no switched-off copy of the
scenario or of the matrix is made per risk. The re-runs are streamed risk after risk, a few batches
per worker in flight, and of each re-run only the outputs ranked (:data:`OUTPUTS`) come back; a
risk's "without" columns are kept only until its last batch arrives and its P80s are taken.
Memory therefore stays at the baseline's plus a few risks' columns, whatever the number of risks;
time grows with the struck iterations (risks × occurrence rate × iterations), each of which costs
one model run whose parameter set grows with the register. A worker that dies is replaced and
its batches re-run (:class:`simulation.engine.local_pool.RetryingPool`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.distributions.families import Distribution, Fixed
from simulation.engine.local_pool import ranking_pool, run_with_values
from simulation.engine.run import (
    ProgressFn,
    RawResults,
    common_run_options,
    default_jobs,
    simulate,
)
from simulation.engine.worker import ChunkWorker, ModelFn, WorkerSpec
from simulation.model import SCALAR_NAMES
from simulation.model.inputs import struck
from simulation.sampling.designs import draw_inputs
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Risk, Scenario

#: Outputs whose P80 change is reported.
OUTPUTS: tuple[str, ...] = ("transition_cost", "transition_months")

COLUMNS: tuple[str, ...] = (
    "risk",
    *(f"p80_{o}_{part}" for o in OUTPUTS for part in ("base", "without", "change")),
)
#: Most struck iterations re-run in one task.
BATCH = 250
#: Tasks in flight per worker: enough to keep every worker busy, few enough that only a few
#: risks' columns are held at a time.
IN_FLIGHT_PER_WORKER = 4
_OUT = tuple(SCALAR_NAMES.index(o) for o in OUTPUTS)


def without_risk(scenario: Scenario, name: str) -> Scenario:
    """The scenario with risk ``name`` switched off: ``risks.<name>.occurs`` fixed at 0."""
    path = f"risks.{name}.occurs"
    if path not in scenario.inputs:
        raise KeyError(f"{scenario.path}: no risk named '{name}'")
    inputs: dict[str, Distribution] = dict(scenario.inputs)
    inputs[path] = Fixed(0.0)
    correlations = tuple(c for c in scenario.correlations if path not in (c.a, c.b))
    return dataclasses.replace(scenario, inputs=MappingProxyType(inputs), correlations=correlations)


def p80(scalars: RawResults | NDArray[np.float64], metric: str) -> float:
    """P80 of a scalar output over the run's iterations (NaN values left out; metric units)."""
    table = scalars.scalars if isinstance(scalars, RawResults) else scalars
    return _p80_of(table[:, SCALAR_NAMES.index(metric)])


def _p80_of(values: NDArray[np.float64]) -> float:
    values = values[~np.isnan(values)]
    return float(np.percentile(values, 80)) if values.size else float("nan")


def _rows_are_shared(scenario: Scenario, occurs: str, sampler: str) -> bool:
    """Whether switching the risk off leaves every other input of every iteration unchanged.

    True with per-input streams (``random``, ``lhs``) unless a correlation names the risk's
    occurrence (dropping it reorders the other correlated columns). Then an iteration in which
    the risk did not strike runs exactly as in the baseline: same inputs, same model stream.
    """
    return sampler != "sobol" and all(occurs not in (c.a, c.b) for c in scenario.correlations)


Batch = tuple[int, NDArray[np.int64], NDArray[np.float64]]
Overrides = tuple[tuple[str, float], ...]


def _struck_reruns(
    spec: WorkerSpec,
    risks: Sequence[Risk],
    rows_of: Sequence[NDArray[np.int64]],
    jobs: int,
) -> Iterator[Batch]:
    """``(r, rows, outputs)`` for every batch of the iterations risk ``risks[r]`` struck
    (``rows_of[r]``), re-run with the risk switched off: ``outputs`` holds the :data:`OUTPUTS`
    columns of those rows. Batches come risk after risk (in any order within a few risks); with
    ``jobs`` > 1 they run on a :func:`~simulation.engine.local_pool.ranking_pool`, at most
    :data:`IN_FLIGHT_PER_WORKER` × ``jobs`` at a time.

    Exact by common random numbers (see :func:`_rows_are_shared`): the rows equal those of a
    full run of :func:`without_risk`, at the risks' occurrence rates times a full run's cost.
    """
    overrides: list[Overrides] = [((r.path("occurs"), 0.0),) for r in risks]
    index = {o: r for r, o in enumerate(overrides)}

    def tasks() -> Iterator[tuple[Overrides, tuple[int, ...], tuple[int, ...]]]:
        for r, rows in enumerate(rows_of):
            for part in np.array_split(rows, math.ceil(rows.size / BATCH)) if rows.size else ():
                yield overrides[r], tuple(part.tolist()), _OUT

    total = sum(rows.size for rows in rows_of)
    if jobs > 1 and total >= 8 * jobs:
        pool = ranking_pool(spec, jobs)
        failed = True
        try:
            for task, outputs in pool.run(run_with_values, tasks(), IN_FLIGHT_PER_WORKER * jobs):
                yield index[task[0]], np.asarray(task[1], dtype=np.int64), outputs
            failed = False
        finally:
            pool.close(cancel=failed)
        return
    worker = ChunkWorker(spec)
    for fixed, rows, columns in tasks():
        yield index[fixed], np.asarray(rows, dtype=np.int64), run_with(worker, fixed, rows, columns)


def run_with(
    worker: ChunkWorker,
    overrides: Overrides,
    rows: tuple[int, ...],
    columns: tuple[int, ...],
) -> NDArray[np.float64]:
    """In this process, what :func:`~simulation.engine.local_pool.run_with_values` does in a
    worker."""
    return worker.with_values(dict(overrides)).run_final_at_end(list(rows), columns)


def _p80s_without(
    spec: WorkerSpec,
    base: RawResults,
    risks: Sequence[Risk],
    rows_of: Sequence[NDArray[np.int64]],
    jobs: int,
    tick: ProgressFn | None = None,
) -> list[tuple[float, ...]]:
    """For each risk, the P80 of each of :data:`OUTPUTS` with the risk switched off.

    A risk's columns (the baseline's :data:`OUTPUTS`, its struck rows replaced by their
    re-runs) exist only while its batches arrive; then its P80s are taken and they are dropped.
    ``tick`` receives the iterations re-run; if it has a ``describe`` method (the command
    line's progress bar), that is told how many risks are left.
    """
    base_out = base.scalars[:, list(_OUT)]
    base_p80 = tuple(_p80_of(base_out[:, j]) for j in range(len(_OUT)))
    result: list[tuple[float, ...]] = [base_p80] * len(risks)
    left_batches = [math.ceil(rows.size / BATCH) for rows in rows_of]
    open_columns: dict[int, NDArray[np.float64]] = {}
    pending = sum(1 for b in left_batches if b)
    describe: Callable[[str], object] | None = getattr(tick, "describe", None)
    total = len(risks)

    def report() -> None:
        if describe is not None:
            describe(f"ranking risks ({pending:,} of {total:,} left)")

    report()
    for r, rows, outputs in _struck_reruns(spec, risks, rows_of, jobs):
        columns = open_columns.get(r)
        if columns is None:
            columns = open_columns[r] = base_out.copy()
        columns[rows] = outputs
        left_batches[r] -= 1
        if left_batches[r] == 0:
            result[r] = tuple(_p80_of(columns[:, j]) for j in range(len(_OUT)))
            del open_columns[r]
            pending -= 1
            report()
        if tick:
            tick(rows.size)
    return result


def _never(occurs: Distribution) -> bool:
    """A risk whose occurrence is fixed at 0 never strikes."""
    return occurs.is_fixed and occurs.mean() == 0.0


def _column(base: RawResults, scenario: Scenario, path: str) -> NDArray[np.float64] | float:
    """An input's value in every iteration of the baseline: its column of the input matrix, or
    its fixed value when it is not uncertain (0 for an input the scenario does not have)."""
    if path in base.inputs.names:
        return base.inputs.values[:, base.inputs.names.index(path)]
    dist = scenario.inputs.get(path)
    return dist.mean() if dist is not None else 0.0


def _struck_rows(base: RawResults, scenario: Scenario, risk: Risk) -> NDArray[np.int64]:
    """The iterations of the baseline that the risk struck (:func:`simulation.model.inputs.struck`:
    it occurred and, for a timed event, within the horizon)."""
    horizon = scenario.inputs["scenario.horizon_months"].mean()
    hit = struck(
        risk.kind,
        _column(base, scenario, risk.path("occurs")),
        _column(base, scenario, risk.path("at_month")),
        horizon,
    )
    return np.flatnonzero(np.broadcast_to(hit, (base.iterations,)))


def _matches(scenario: Scenario, raw: RawResults, sampler: str) -> bool:
    """Whether ``raw``'s input matrix is the one a run of (seed, iterations, sampler) draws."""
    matrix = draw_inputs(
        scenario.inputs,
        scenario.uncertain,
        scenario.correlations,
        raw.iterations,
        raw.seed,
        sampler,
    )
    return matrix.names == raw.inputs.names and np.array_equal(matrix.values, raw.inputs.values)


def risk_removal(
    scenario: Scenario,
    baseline: RawResults | int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    progress: Callable[[int], ProgressFn] | None = None,
    model: ModelFn | None = None,
) -> pd.DataFrame:
    """The change in P80 transition cost and P80 transition months when each risk is removed.

    ``baseline`` is the scenario's own run (its seed and iteration count are reused), or an
    iteration count (the baseline is then run here; default: ``simulation.iterations``).
    ``sampler`` must be the baseline's (default: the scenario's); a baseline whose input matrix
    is not the one (seed, iterations, sampler) draws — e.g. a ``--iterations auto`` run, whose
    design was drawn for the cap — is re-run here so that the comparison stays paired.
    ``model`` (fault injection, benchmarks) replaces the transition model, as in
    :func:`simulation.engine.run.simulate`; it must be the baseline's.

    Returns one row per risk of the register (:data:`COLUMNS`): ``p80_<output>_base``,
    ``p80_<output>_without`` and ``p80_<output>_change`` = without − base (negative: removing
    the risk lowers the P80). Rows are sorted by the cost change, most valuable removal first.
    """
    sampler = sampler or scenario.sampler
    if isinstance(baseline, RawResults):
        if seed is not None and seed != baseline.seed:
            raise ValueError(f"seed {seed} differs from the baseline's seed {baseline.seed}")
        options = RunOptions(baseline.iterations, seed=baseline.seed, jobs=jobs, sampler=sampler)
        base = baseline
        if not _matches(scenario, baseline, sampler):
            base = simulate(scenario, options, model=model)
    else:
        options = common_run_options(scenario, baseline, seed=seed, jobs=jobs, sampler=sampler)
        base = simulate(scenario, options, progress=progress, model=model)
    rerun = _struck_rerun_p80s(scenario, base, options, progress, model)
    before = tuple(p80(base.scalars, out) for out in OUTPUTS)
    rows = []
    for risk in scenario.risks:
        if _never(scenario.inputs[risk.path("occurs")]):
            after = before
        elif risk.name in rerun:
            after = rerun[risk.name]
        else:  # the inputs of every iteration change: a full run, of which only P80s are kept
            off = simulate(
                without_risk(scenario, risk.name), options, progress=progress, model=model
            ).scalars
            after = tuple(p80(off, out) for out in OUTPUTS)
            del off
        rows.append(_row(risk.name, before, after))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.sort_values("p80_transition_cost_change", kind="stable", ignore_index=True)


def _struck_rerun_p80s(
    scenario: Scenario,
    base: RawResults,
    options: RunOptions,
    progress: Callable[[int], ProgressFn] | None,
    model: ModelFn | None,
) -> dict[str, tuple[float, ...]]:
    """The P80s of :data:`OUTPUTS` without each risk that switching off leaves every other input
    unchanged (:func:`_rows_are_shared`) and that can strike, by re-running only the iterations
    it struck; risks not in the result need a full run (or none: a risk that never occurs)."""
    sampler = options.sampler or scenario.sampler
    shared = [
        r
        for r in scenario.risks
        if _rows_are_shared(scenario, r.path("occurs"), sampler)
        and not _never(scenario.inputs[r.path("occurs")])
    ]
    if not shared:
        return {}
    rows_of = [_struck_rows(base, scenario, r) for r in shared]
    tick = progress(sum(rows.size for rows in rows_of)) if progress else None
    spec = WorkerSpec(scenario, base.inputs, base.seed, sampler, model)
    p80s = _p80s_without(spec, base, shared, rows_of, options.jobs or default_jobs(), tick)
    return {r.name: p for r, p in zip(shared, p80s, strict=True)}


def _row(name: str, before: tuple[float, ...], after: tuple[float, ...]) -> dict[str, object]:
    """One risk's row of the ranking: each output's P80 with the risk, without it, and the
    change (without − with; metric units)."""
    row: dict[str, object] = {"risk": name}
    for out, b, a in zip(OUTPUTS, before, after, strict=True):
        row[f"p80_{out}_base"] = b
        row[f"p80_{out}_without"] = a
        row[f"p80_{out}_change"] = a - b
    return row


__all__ = ["COLUMNS", "OUTPUTS", "p80", "risk_removal", "without_risk"]
