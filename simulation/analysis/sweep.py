"""``simulate sweep``: run a scenario at each setting of one or more levers, with common random
numbers, and show how the percentiles of the key outputs and the target probabilities move.

The levers, their ``--set KEY=VALUES`` syntax, the grid of settings and how a setting changes the
scenario are :mod:`simulation.analysis.levers`. Every setting runs with the same seed, iterations
and sampler, so every other uncertain input keeps the same values in every setting (one stream
per input name, see :mod:`simulation.sampling.designs`). A correlation that names a swept key is
dropped, which is recorded as a warning.

Output folder: ``sweep.csv`` (one row per setting × metric: the setting's key columns, then
``metric, p10, p50, p80, p90, mean, n, target, p_within_target``), ``sweep.json`` (seed,
iterations, sampler, the levers, versions), and ``charts/sweep_<metric>.png`` for
``transition_cost``, ``transition_months`` and ``npv_savings``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis import summary
from simulation.analysis.levers import (
    CHOICE_KEYS,
    MAX_SETTINGS,
    Lever,
    Value,
    apply_setting,
    grid,
    parse_range,
    parse_set,
    parse_sets,
    setting_text,
    sweepable_keys,
    value_text,
)
from simulation.engine import memory
from simulation.engine.guards import check_scenario
from simulation.engine.run import ProgressFn, common_run_options, default_jobs, simulate
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES
from simulation.results.publishing import Staging, write_atomically
from simulation.results.run_results import json_text, samples_frame, write_csv
from simulation.scenario.outputs import metric_info
from simulation.scenario.reader import check_inputs
from simulation.scenario.types import Scenario

STAT_COLUMNS: tuple[str, ...] = ("metric", "p10", "p50", "p80", "p90", "mean", "n")
TARGET_COLUMNS: tuple[str, ...] = ("target", "p_within_target")

# Running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResults:
    """The sweep table (``sweep.csv`` layout) and what ``sweep.json`` records."""

    scenario: Scenario
    levers: tuple[Lever, ...]
    table: pd.DataFrame
    meta: Mapping[str, Any]

    def save(
        self,
        out: str | Path,
        *,
        force: bool = False,
        chart: bool = True,
        staging: Staging | None = None,
    ) -> Path:
        """Write the sweep folder atomically; returns its path. ``staging``: a folder reserved
        for ``out`` before the sweep ran (:class:`simulation.results.publishing.Staging`)."""
        return write_atomically(
            Path(out), force, lambda tmp: _write(self, tmp, chart), "sweep", staging
        )


def setting_table(scenario: Scenario, samples: pd.DataFrame) -> pd.DataFrame:
    """One setting's rows: per metric P10/P50/P80/P90, mean, n, target and P(target met)."""
    table = summary.summarise(samples, SCALAR_NAMES, scenario.targets)
    return table[[*STAT_COLUMNS, *TARGET_COLUMNS]]


def sweep(
    scenario: Scenario,
    levers: Sequence[Lever],
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    progress: Callable[[int], ProgressFn] | None = None,
) -> SweepResults:
    """Run every setting of the grid with the same seed, iterations and sampler (CRN)."""
    options = common_run_options(scenario, iterations, seed=seed, jobs=jobs, sampler=sampler)
    n = options.iterations
    assert n is not None  # common_run_options sets the size, seed and sampler
    settings = grid(levers)
    variants = [apply_setting(scenario, s) for s in settings]
    setting_warnings = check_settings(settings, variants, n, jobs, scenario)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    frames = []
    for setting, variant in zip(settings, variants, strict=True):
        raw = simulate(variant, options, progress=progress)
        table = setting_table(variant, samples_frame(raw))
        for i, (path, value) in enumerate(setting.items()):
            table.insert(i, path, value)
        frames.append(table)
    dropped = sorted(
        {
            f"{c.a} ~ {c.b}"
            for c in scenario.correlations
            if any(c.a == lv.path or c.b == lv.path for lv in levers)
        }
    )
    meta = {
        "scenario": {"path": scenario.path, "sha256": scenario.sha256, "name": scenario.name},
        "levers": [{"key": lv.path, "values": list(lv.values)} for lv in levers],
        "settings": len(settings),
        "seed": options.seed,
        "iterations": n,
        "sampler": options.sampler,
        "started": started,
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "currency": scenario.currency,
        "warnings": [
            *(f"correlation {d} dropped: a swept key is fixed" for d in dropped),
            *setting_warnings,
        ],
    }
    return SweepResults(scenario, tuple(levers), pd.concat(frames, ignore_index=True), meta)


def check_settings(
    settings: Sequence[Mapping[str, Value]],
    variants: Sequence[Scenario],
    iterations: int,
    jobs: int | None = None,
    scenario: Scenario | None = None,
) -> list[str]:
    """Refuse, before any setting runs, a grid with a setting the scenario file could not have
    said: a value beyond its key's limits, a risk shock that the setting pushes beyond them
    (:func:`simulation.scenario.reader.check_inputs`), inputs the pre-run guards refuse, or results
    too large for the machine's memory (:mod:`simulation.engine.memory`). Each message names the
    setting (``--set key=value``) and the key. Returns the guards' warnings about a setting that the
    unchanged ``scenario`` does not have (e.g. a risk window beyond a shorter horizon)."""
    errors, warnings = [], []
    known = set(check_scenario(scenario).warnings) if scenario is not None else set()
    for setting, variant in zip(settings, variants, strict=True):
        where = f"--set {setting_text(setting)}"
        errors += [f"{where}: {problem}" for problem in check_inputs(variant)]
        guard = check_scenario(variant)
        errors += [f"{where}: {e}" for e in guard.errors]
        warnings += [f"{where}: {w}" for w in guard.warnings if w not in known]
    if errors:
        raise SimulationError(errors)
    workers = jobs or default_jobs()
    memory.check(
        [
            memory.scenario_need(v, iterations, workers, f"--set {setting_text(s)}")
            for s, v in zip(settings, variants, strict=True)
        ]
    )
    return warnings


# Table and chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepLine:
    """P10/P50/P90 of one output along the swept values, for one value of the other levers."""

    label: str
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


def chart_lines(res: SweepResults, metric: str) -> tuple[list[Value], list[SweepLine]]:
    """The first lever's values and one :class:`SweepLine` per combination of the others."""
    first, rest = res.levers[0], res.levers[1:]
    rows = res.table[res.table["metric"] == metric]
    lines = []
    for combo in itertools.product(*(lv.values for lv in rest)):
        sel = rows
        for lv, v in zip(rest, combo, strict=True):
            sel = sel[sel[lv.path] == v]
        sel = sel.set_index(first.path).loc[list(first.values)]
        label = setting_text({lv.path: v for lv, v in zip(rest, combo, strict=True)})
        lines.append(
            SweepLine(
                label or metric_info(metric, res.scenario.currency)[0],
                sel["p10"].to_numpy(float),
                sel["p50"].to_numpy(float),
                sel["p90"].to_numpy(float),
            )
        )
    return list(first.values), lines


def _write(res: SweepResults, folder: Path, chart: bool) -> None:
    write_csv(res.table, folder / "sweep.csv")
    (folder / "sweep.json").write_text(json_text(res.meta, "sweep.json"))
    if not chart:
        return
    from simulation.report.sweep import write_sweep_charts

    write_sweep_charts(res, folder)


__all__ = [
    "CHOICE_KEYS",
    "MAX_SETTINGS",
    "Lever",
    "SweepLine",
    "SweepResults",
    "Value",
    "apply_setting",
    "chart_lines",
    "check_settings",
    "grid",
    "parse_range",
    "parse_set",
    "parse_sets",
    "sweep",
    "sweepable_keys",
    "value_text",
]
