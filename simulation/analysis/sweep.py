"""``simulate sweep``: run a scenario at each setting of one or more levers, with common random
numbers, and show how the percentiles of the key outputs and the target probabilities move.

A lever is a scenario key set with ``--set KEY=VALUES``:

* ``a:b:step`` — a numeric range from ``a`` in steps of ``step`` (> 0), including ``b`` when it
  falls on the grid (``18:30:4`` → 18, 22, 26, 30; ``18:29:4`` → 18, 22, 26);
* ``a,b,c`` — a list of numbers, or of options for a choice key
  (``policy.cutover=readiness,fixed``);
* a single value.

Several ``--set`` give the full grid (every combination, the first key varying slowest). Each
setting replaces the key's distribution by a fixed value (or, for a choice key, the option) with
``dataclasses.replace`` on the frozen :class:`Scenario` — the TOML text is never edited — and runs
with the same seed, iterations and sampler, so every other uncertain input keeps the same values
in every setting (one stream per input name, see :mod:`simulation.sampling.designs`). A correlation
that names a swept key is dropped (the key is no longer uncertain), which is recorded as a warning.

Output folder: ``sweep.csv`` (one row per setting × metric: the setting's key columns, then
``metric, p10, p50, p80, p90, mean, n, target, p_within_target``), ``sweep.json`` (seed,
iterations, sampler, the levers, versions), and ``charts/sweep_<metric>.png`` for
``transition_cost``, ``transition_months`` and ``npv_savings``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis import summary
from simulation.distributions.families import Distribution, Fixed
from simulation.engine import memory
from simulation.engine.guards import check_scenario
from simulation.engine.run import ProgressFn, default_jobs, simulate
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES
from simulation.results.publishing import Staging, write_atomically
from simulation.results.run_results import FLOAT_FORMAT, json_text, samples_frame
from simulation.sampling.seeds import fresh_seed
from simulation.scenario import schema
from simulation.scenario.outputs import metric_info
from simulation.scenario.reader import check_inputs, value_problems
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Scenario

Value = float | str

#: Most settings one sweep may run (the full grid).
MAX_SETTINGS = 400

#: Choice keys that may be swept (the model's options).
CHOICE_KEYS: tuple[str, ...] = ("policy.cutover", "simulation.variability")

STAT_COLUMNS: tuple[str, ...] = ("metric", "p10", "p50", "p80", "p90", "mean", "n")
TARGET_COLUMNS: tuple[str, ...] = ("target", "p_within_target")

# Parsing --set ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """One swept key: its dotted path and the values to run (numbers in the key's units, or
    option names for a choice key)."""

    path: str
    values: tuple[Value, ...]

    @property
    def is_choice(self) -> bool:
        return self.path in CHOICE_KEYS


def sweepable_keys(scenario: Scenario) -> list[str]:
    """Every key a sweep may set: the scenario's numeric inputs and the choice keys."""
    return [*scenario.inputs, *CHOICE_KEYS]


def _number(text: str, path: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SimulationError(f"--set {path}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise SimulationError(f"--set {path}: '{text}' is not a finite number")
    return value


def parse_range(spec: str, path: str) -> list[float]:
    """``a:b:step`` → a, a + step, … up to b (inclusive when b falls on the grid)."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise SimulationError(f"--set {path}: a range is start:end:step, got '{spec}'")
    a, b, step = (_number(p.strip(), path) for p in parts)
    if step <= 0 or a > b:
        raise SimulationError(f"--set {path}: range '{spec}' needs start <= end and a step > 0")
    count = math.floor((b - a) / step + 1e-9) + 1
    if count > MAX_SETTINGS:
        raise SimulationError(
            f"--set {path}: range '{spec}' has {count:,} values; at most {MAX_SETTINGS}"
        )
    return [float(np.round(a + k * step, 12)) for k in range(count)]


def _check_number(path: str, value: float) -> None:
    """A swept value against its key's bound, maximum and kind: the checks a value in the
    scenario file passes (:func:`simulation.scenario.reader.value_problems`)."""
    problems = value_problems(path, Fixed(value))
    if problems:
        raise SimulationError(f"--set {path}={value_text(value)}: {problems[0]}")


def parse_set(text: str, scenario: Scenario) -> Lever:
    """Parse one ``--set KEY=VALUES`` against the scenario; raises :class:`SimulationError` with
    one message naming the key (unknown key with a did-you-mean, bad value, out of bounds)."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise SimulationError(
            f"--set '{text}': expected KEY=VALUES, e.g. staffing.target_agents=18:30:2"
        )
    if path in CHOICE_KEYS:
        return Lever(path, tuple(_choices(path, spec)))
    known = schema.input_spec(path)
    if known is None or (path not in scenario.inputs and not path.startswith("costs.")):
        close = difflib.get_close_matches(path, sweepable_keys(scenario), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SimulationError(f"--set {path}: unknown key{hint}")
    if ":" in spec:
        values = parse_range(spec, path)
    else:
        values = [_number(item.strip(), path) for item in spec.split(",")]
    for v in values:
        _check_number(path, v)
    return Lever(path, tuple(dict.fromkeys(values)))


def _choices(path: str, spec: str) -> list[str]:
    options = schema.BY_PATH[path].choices
    values = [item.strip() for item in spec.split(",")]
    for v in values:
        if v not in options:
            close = difflib.get_close_matches(v, options, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SimulationError(
                f"--set {path}: must be one of {', '.join(options)}, got '{v}'{hint}"
            )
    return list(dict.fromkeys(values))


def parse_sets(texts: Sequence[str], scenario: Scenario) -> list[Lever]:
    """Parse every ``--set``; a key given twice or a grid above :data:`MAX_SETTINGS` is an
    error."""
    if not texts:
        raise SimulationError("give at least one --set KEY=VALUES")
    levers = [parse_set(t, scenario) for t in texts]
    seen: set[str] = set()
    for lever in levers:
        if lever.path in seen:
            raise SimulationError(f"--set {lever.path}: given twice")
        seen.add(lever.path)
    size = math.prod(len(lever.values) for lever in levers)
    if size > MAX_SETTINGS:
        raise SimulationError(f"--set: the grid has {size:,} settings; at most {MAX_SETTINGS}")
    return levers


def grid(levers: Sequence[Lever]) -> list[dict[str, Value]]:
    """Every combination of the levers' values (the first lever varying slowest)."""
    return [
        dict(zip([lv.path for lv in levers], combo, strict=True))
        for combo in itertools.product(*(lv.values for lv in levers))
    ]


def apply_setting(scenario: Scenario, setting: Mapping[str, Value]) -> Scenario:
    """The scenario with each key of ``setting`` fixed at its value (numeric keys) or set to its
    option (choice keys); correlations naming a fixed key are dropped."""
    inputs: dict[str, Distribution] = dict(scenario.inputs)
    options: dict[str, object] = dict(scenario.options)
    for path, value in setting.items():
        if path in CHOICE_KEYS:
            options[path] = str(value)
        else:
            inputs[path] = Fixed(float(value))
    correlations = tuple(
        c for c in scenario.correlations if c.a not in setting and c.b not in setting
    )
    return dataclasses.replace(
        scenario,
        inputs=MappingProxyType(inputs),
        options=MappingProxyType(options),
        correlations=correlations,
    )


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
    n = iterations or scenario.iterations
    seed = scenario.seed if seed is None else seed
    seed = fresh_seed() if seed is None else seed
    sampler = sampler or scenario.sampler
    settings = grid(levers)
    variants = [apply_setting(scenario, s) for s in settings]
    setting_warnings = check_settings(settings, variants, n, jobs, scenario)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    frames = []
    for setting, variant in zip(settings, variants, strict=True):
        raw = simulate(
            variant, RunOptions(n, seed=seed, jobs=jobs, sampler=sampler), progress=progress
        )
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
        "seed": seed,
        "iterations": n,
        "sampler": sampler,
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
        where = f"--set {_setting_text(setting)}"
        errors += [f"{where}: {problem}" for problem in check_inputs(variant)]
        guard = check_scenario(variant)
        errors += [f"{where}: {e}" for e in guard.errors]
        warnings += [f"{where}: {w}" for w in guard.warnings if w not in known]
    if errors:
        raise SimulationError(errors)
    workers = jobs or default_jobs()
    memory.check(
        [
            memory.scenario_need(v, iterations, workers, f"--set {_setting_text(s)}")
            for s, v in zip(settings, variants, strict=True)
        ]
    )
    return warnings


def _setting_text(setting: Mapping[str, Value]) -> str:
    return ", ".join(f"{k}={value_text(v)}" for k, v in setting.items())


def value_text(v: Value) -> str:
    return v if isinstance(v, str) else f"{v:g}"


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
        label = ", ".join(f"{lv.path}={value_text(v)}" for lv, v in zip(rest, combo, strict=True))
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
    res.table.to_csv(folder / "sweep.csv", index=False, float_format=FLOAT_FORMAT)
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
    "apply_setting",
    "chart_lines",
    "grid",
    "parse_range",
    "parse_set",
    "parse_sets",
    "sweep",
    "sweepable_keys",
    "value_text",
]
