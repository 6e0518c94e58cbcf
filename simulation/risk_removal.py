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
import math
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.backends import (
    ChunkWorker,
    WorkerSpec,
    index_pool,
    pool_run_indices,
)
from simulation.distributions import Distribution, Fixed
from simulation.engine import ProgressFn, RawResults, default_jobs, simulate
from simulation.errors import SimulationError
from simulation.interrupts import as_completed_polling, deferred_interrupts
from simulation.model import SCALAR_NAMES
from simulation.params import struck
from simulation.sampling import InputMatrix, draw_inputs
from simulation.scenario_types import Risk, Scenario
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
    offs: Sequence[Scenario],
    base: RawResults,
    struck: Sequence[NDArray[np.int64]],
    sampler: str,
    jobs: int,
    tick: ProgressFn | None = None,
) -> list[NDArray[np.float64]]:
    """The "without" outputs of each risk switched off (``offs[r]``): the baseline's, with only
    the iterations that risk struck (``struck[r]``, see :func:`_struck_rows`) re-run.

    Exact by common random numbers (see :func:`_rows_are_shared`); it costs the risks'
    occurrence rates times a full run instead of a full run per risk. With ``jobs`` > 1 the
    struck iterations of every risk are shared out to one process pool in batches, so no
    worker waits for the last batch of one risk before starting the next.
    """
    tables = [base.scalars.copy() for _ in offs]
    # every other column is the baseline's (per-input streams, see _rows_are_shared): the
    # matrix of a switched-off scenario is the baseline's without the risk's column
    position = {name: j for j, name in enumerate(base.inputs.names)}
    specs = [
        WorkerSpec(
            off,
            InputMatrix(
                tuple(off.uncertain),
                base.inputs.values[:, [position[name] for name in off.uncertain]],
            ),
            base.seed,
            sampler,
        )
        for off in offs
    ]
    batches = [
        (r, part)
        for r, rows in enumerate(struck)
        if rows.size
        for part in np.array_split(rows, max(1, math.ceil(rows.size / 250)))
    ]
    total = sum(rows.size for rows in struck)
    if jobs > 1 and total >= 8 * jobs:
        try:
            with deferred_interrupts() as check, index_pool(specs, jobs) as pool:
                futures = [pool.submit(pool_run_indices, r, part.tolist()) for r, part in batches]
                batch_of = dict(zip(futures, batches, strict=True))
                for fut in as_completed_polling(futures, check):
                    r, part = batch_of[fut]
                    tables[r][part] = fut.result()
                    if tick:
                        tick(part.size)
        except BrokenProcessPool:
            raise SimulationError(
                "a worker process died while ranking the risks (killed by the system, for "
                "example when memory ran out, or by a signal); no results were written. "
                "Try fewer --jobs, or --no-rank-risks"
            ) from None
        return tables
    workers = [ChunkWorker(spec) for spec in specs]
    for r, part in batches:
        tables[r][part] = workers[r].run_scalars(part.tolist())
        if tick:
            tick(part.size)
    return tables


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
    """The iterations of the baseline that the risk struck (:func:`simulation.params.struck`:
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
    shared = [
        r
        for r in scenario.risks
        if _rows_are_shared(scenario, r.path("occurs"), sampler)
        and not _never(scenario.inputs[r.path("occurs")])
    ]
    reruns: dict[str, NDArray[np.float64]] = {}
    if shared:
        rows_of = [_struck_rows(base, scenario, r) for r in shared]
        tick = progress(sum(rows.size for rows in rows_of)) if progress else None
        offs = [without_risk(scenario, r.name) for r in shared]
        tables = _rerun_struck_rows(offs, base, rows_of, sampler, jobs or default_jobs(), tick)
        reruns = {r.name: table for r, table in zip(shared, tables, strict=True)}
    rows = []
    for risk in scenario.risks:
        if _never(scenario.inputs[risk.path("occurs")]):
            without = base.scalars
        elif risk.name in reruns:
            without = reruns[risk.name]
        else:
            without = simulate(
                without_risk(scenario, risk.name),
                n,
                seed=seed,
                jobs=jobs,
                sampler=sampler,
                progress=progress,
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
