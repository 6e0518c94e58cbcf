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

from simulation.distributions import Distribution, Fixed
from simulation.engine import ProgressFn, RawResults, simulate
from simulation.model import SCALAR_NAMES
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


def p80(raw: RawResults, metric: str) -> float:
    """P80 of a scalar output over the run's iterations (NaN values left out; metric units)."""
    values = raw.scalars[:, SCALAR_NAMES.index(metric)]
    values = values[~np.isnan(values)]
    return float(np.percentile(values, 80)) if values.size else float("nan")


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
    rows = []
    for risk in scenario.risks:
        off = without_risk(scenario, risk.name)
        occurs = scenario.inputs[risk.path("occurs")]
        if occurs.is_fixed and occurs.mean() == 0.0:
            raw = base
        else:
            raw = simulate(off, n, seed=seed, jobs=jobs, sampler=sampler, progress=progress)
        row: dict[str, object] = {"risk": risk.name}
        for out in OUTPUTS:
            before, after = p80(base, out), p80(raw, out)
            row[f"p80_{out}_base"] = before
            row[f"p80_{out}_without"] = after
            row[f"p80_{out}_change"] = after - before
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.sort_values("p80_transition_cost_change", kind="stable", ignore_index=True)


__all__ = ["COLUMNS", "OUTPUTS", "p80", "risk_removal", "without_risk"]
