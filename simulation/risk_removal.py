"""Risk-removal ranking: what switching off each risk of the register is worth.

For each risk, the scenario is run again with that risk switched off (``risks.<name>.occurs``
fixed at 0) with common random numbers: the same seed, iterations and sampler as the baseline,
so every other uncertain input keeps its value in every iteration (one stream per input name,
see :mod:`simulation.sampling`) and iteration ``i`` keeps its model stream. The change in the
P80 of ``transition_cost`` (currency) and of ``transition_months`` (months from programme start)
against the baseline is what a mitigation that removes the risk is worth at the P80.

A risk with probability 0 (``occurs`` already fixed at 0) is not re-run: its "without" run is
the baseline and its changes are exactly 0. A correlation naming ``risks.<name>.occurs`` is
dropped in that risk's "without" run (the input is no longer uncertain).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.backends import (
    ChunkWorker,
    WorkerSpec,
    as_completed_polling,
    index_pool,
    pool_run_indices,
)
from simulation.distributions import Distribution, Fixed
from simulation.engine import ProgressFn, RawResults, default_jobs, simulate
from simulation.interrupts import deferred_interrupts
from simulation.model import SCALAR_NAMES, SERIES_NAMES
from simulation.sampling import draw_inputs
from simulation.scenario_types import Scenario
from simulation.seeds import fresh_seed

#: Outputs whose P80 change is reported.
OUTPUTS: tuple[str, ...] = ("transition_cost", "transition_months")

COLUMNS: tuple[str, ...] = (
    "risk",
    *(f"p80_{o}_{part}" for o in OUTPUTS for part in ("base", "without", "change")),
)


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
    values = table[:, SCALAR_NAMES.index(metric)]
    values = values[~np.isnan(values)]
    return float(np.percentile(values, 80)) if values.size else float("nan")


def _rows_are_shared(scenario: Scenario, occurs: str, sampler: str) -> bool:
    """Whether switching the risk off leaves every other input of every iteration unchanged.

    True with per-input streams (``random``, ``lhs``) unless a correlation names the risk's
    occurrence (dropping it reorders the other correlated columns). Then an iteration in which
    the risk did not strike runs exactly as in the baseline: same inputs, same model stream.
    """
    return sampler != "sobol" and all(occurs not in (c.a, c.b) for c in scenario.correlations)


def _rerun_struck_rows(
    off: Scenario,
    base: RawResults,
    occurs: str,
    sampler: str,
    jobs: int = 1,
    tick: ProgressFn | None = None,
) -> NDArray[np.float64]:
    """The "without" outputs: the baseline's, with only the iterations the risk struck re-run.

    Exact by common random numbers (see :func:`_rows_are_shared`); it costs the risk's
    occurrence rate times a full run instead of a full run. With ``jobs`` > 1 the struck
    iterations are shared out to a process pool in chunks.
    """
    column = base.inputs.names.index(occurs)
    struck = np.flatnonzero(base.inputs.values[:, column] > 0.5)
    scalars = base.scalars.copy()
    if struck.size == 0:
        return scalars
    matrix = draw_inputs(
        off.inputs, off.uncertain, off.correlations, base.iterations, base.seed, sampler
    )
    spec = WorkerSpec(off, matrix, base.seed, sampler)
    if jobs > 1 and struck.size >= 8 * jobs:
        parts = np.array_split(struck, 4 * jobs)
        with deferred_interrupts() as check, index_pool(spec, jobs) as pool:
            futures = [pool.submit(pool_run_indices, part.tolist()) for part in parts]
            part_of = {fut: part for fut, part in zip(futures, parts, strict=True)}
            for fut in as_completed_polling(futures, check):
                part = part_of[fut]
                scalars[part] = fut.result()
                if tick:
                    tick(part.size)
        return scalars
    worker = ChunkWorker(spec)
    for part in np.array_split(struck, max(1, struck.size // 200)):
        rows = part.tolist()
        out = np.empty((len(rows), len(SCALAR_NAMES)))
        risks = np.empty((len(rows), len(off.risks)), dtype=np.uint8)
        monthly = np.empty((len(rows), len(SERIES_NAMES), worker.horizon), dtype=np.float32)
        worker.run_into(rows, out, risks, monthly)
        scalars[part] = out
        if tick:
            tick(len(rows))
    return scalars


def _struck(base: RawResults, occurs: str) -> int:
    """How many iterations of the baseline the risk struck."""
    if occurs not in base.inputs.names:
        return 0
    return int(np.sum(base.inputs.values[:, base.inputs.names.index(occurs)] > 0.5))


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
) -> pd.DataFrame:
    """The change in P80 transition cost and P80 transition months when each risk is removed.

    ``baseline`` is the scenario's own run (its seed and iteration count are reused), or an
    iteration count (the baseline is then run here; default: ``simulation.iterations``).
    ``sampler`` must be the baseline's (default: the scenario's); a baseline whose input matrix
    is not the one (seed, iterations, sampler) draws — e.g. a ``--iterations auto`` run, whose
    design was drawn for the cap — is re-run here so that the comparison stays paired.

    Returns one row per risk of the register (:data:`COLUMNS`): ``p80_<output>_base``,
    ``p80_<output>_without`` and ``p80_<output>_change`` = without − base (negative: removing
    the risk lowers the P80). Rows are sorted by the cost change, most valuable removal first.
    """
    sampler = sampler or scenario.sampler
    if isinstance(baseline, RawResults):
        if seed is not None and seed != baseline.seed:
            raise ValueError(f"seed {seed} differs from the baseline's seed {baseline.seed}")
        seed, n = baseline.seed, baseline.iterations
        base = baseline
        if not _matches(scenario, baseline, sampler):
            base = simulate(scenario, n, seed=seed, jobs=jobs, sampler=sampler)
    else:
        n = baseline or scenario.iterations
        seed = scenario.seed if seed is None else seed
        seed = fresh_seed() if seed is None else seed
        base = simulate(scenario, n, seed=seed, jobs=jobs, sampler=sampler, progress=progress)
    fast = [
        r.path("occurs")
        for r in scenario.risks
        if _rows_are_shared(scenario, r.path("occurs"), sampler)
    ]
    tick = progress(sum(_struck(base, o) for o in fast)) if progress and fast else None
    rows = []
    for risk in scenario.risks:
        off = without_risk(scenario, risk.name)
        occurs = scenario.inputs[risk.path("occurs")]
        if occurs.is_fixed and occurs.mean() == 0.0:
            without = base.scalars
        elif _rows_are_shared(scenario, risk.path("occurs"), sampler):
            without = _rerun_struck_rows(
                off, base, risk.path("occurs"), sampler, jobs or default_jobs(), tick
            )
        else:
            without = simulate(
                off, n, seed=seed, jobs=jobs, sampler=sampler, progress=progress
            ).scalars
        row: dict[str, object] = {"risk": risk.name}
        for out in OUTPUTS:
            before, after = p80(base.scalars, out), p80(without, out)
            row[f"p80_{out}_base"] = before
            row[f"p80_{out}_without"] = after
            row[f"p80_{out}_change"] = after - before
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.sort_values("p80_transition_cost_change", kind="stable", ignore_index=True)


__all__ = ["COLUMNS", "OUTPUTS", "p80", "risk_removal", "without_risk"]
