"""``simulate compare``: run alternatives with common random numbers and compare them pairwise.

Every alternative runs with the same root seed, iteration count and sampler, so iteration ``i``
of each alternative sees the same value of every uncertain input the alternatives share (one
stream per input name, see :mod:`simulation.sampling.designs`) and the same model stream of
iteration ``i`` (:mod:`simulation.sampling.seeds`). The differences B − A are therefore *paired*:
iteration ``i`` of B against iteration ``i`` of A, far less noisy than the difference of two
independent runs.

The comparison folder (written atomically, like a results folder):

* ``comparison.csv``: per alternative and metric ``p10, p50, p80, p90, mean`` (metric units) and
  ``n`` (values that are not missing), including the indicator rows
  ``p_npv_savings_positive`` / ``p_breakeven_within_horizon`` whose mean is a probability;
* ``differences.csv``: per alternative B (after the first, the reference A) and metric the
  paired difference B − A: ``mean, p10, p50, p90`` (metric units, pairs where either value is
  missing left out), ``p_better`` = P(B better than A), ``p_equal`` = P(B equal to A), and
  ``better`` saying what better means for that metric (see :data:`BETTER`);
* ``ranking.csv``: every option, staying on today's contract included, ranked by its mean NPV
  of cost over the horizon (:mod:`simulation.analysis.ranking`);
* ``samples_<name>.csv`` per alternative (the ``samples.csv`` layout of a run);
* ``charts/*.png``: overlaid S-curves of the key outputs, the NPV of each alternative against
  staying outsourced, and a histogram of each paired difference;
* ``compare.json`` (seed, iterations, sampler, each scenario's path and SHA-256, versions) and
  ``compare.html``, a report in the style of the run report.

Staying outsourced is always the reference: each alternative's ``status_quo_npv`` (the vendor
path's discounted cost) is drawn beside its ``backsourcing_npv``, and the report gives
P(``npv_savings`` > 0) for each alternative.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.analysis import summary
from simulation.analysis.differences import (
    BETTER,
    COMPARE_ORDER,
    DIFFERENCE_COLUMNS,
    difference_table,
    p_better,
    p_equal,
    paired_difference,
)
from simulation.analysis.ranking import ranking_table, unpaired_inputs
from simulation.engine import memory
from simulation.engine.run import (
    KEY_OUTPUTS,
    ProgressFn,
    RawResults,
    common_run_options,
    default_jobs,
    simulate,
)
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES
from simulation.model.build import run_versions
from simulation.provenance import now_utc
from simulation.results.publishing import Staging, write_atomically
from simulation.results.run_results import json_text, samples_frame, write_csv
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Scenario

FloatArray = NDArray[np.float64]

#: Statistics of each alternative in ``comparison.csv``.
STATS: tuple[str, ...] = ("p10", "p50", "p80", "p90", "mean")

COMPARISON_COLUMNS: tuple[str, ...] = ("alternative", "metric", *STATS, "n")

#: Most points drawn per S-curve (evenly spaced ranks of the sorted sample): layout only.
MAX_CURVE_POINTS = 2000


# Running -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One alternative of a comparison: its scenario, raw results and samples table.

    ``samples`` has the ``samples.csv`` layout (``iteration``, ``in.*``, ``out.*``, ``risk.*``).
    """

    name: str
    scenario: Scenario
    raw: RawResults
    samples: pd.DataFrame

    def values(self, metric: str) -> FloatArray:
        """Every iteration's value of a scalar output, in iteration order (metric units)."""
        return np.asarray(self.samples[f"out.{metric}"], dtype=np.float64)


@dataclass(frozen=True)
class Comparison:
    """Alternatives run with common random numbers, and their tables.

    ``table``: :data:`COMPARISON_COLUMNS`; ``differences``: :data:`DIFFERENCE_COLUMNS`
    (each later alternative against the first); ``meta``: what ``compare.json`` records;
    ``ranking``: ``ranking.csv`` (:func:`simulation.analysis.ranking.ranking_table`).
    """

    alternatives: tuple[Alternative, ...]
    table: pd.DataFrame
    differences: pd.DataFrame
    meta: Mapping[str, Any]
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def reference(self) -> Alternative:
        """The first alternative: every difference is taken against it."""
        return self.alternatives[0]

    @property
    def currency(self) -> str:
        return self.reference.scenario.currency

    def save(
        self,
        out: str | Path,
        *,
        force: bool = False,
        report: bool = True,
        staging: Staging | None = None,
    ) -> Path:
        """Write the comparison folder ``out`` atomically (charts and report unless
        ``report`` is false); returns its path. ``staging``: a folder reserved for ``out``
        before the comparison ran (:class:`simulation.results.publishing.Staging`)."""
        return write_atomically(
            Path(out), force, lambda tmp: _write(self, tmp, report), "compare", staging
        )


def alternative_names(paths: Sequence[str | Path]) -> list[str]:
    """Short, file-name-safe names of the alternatives: the file stems, made unique (``-2``...)."""
    names: list[str] = []
    for path in paths:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(path).stem).strip("._") or "alternative"
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


def compare(
    scenarios: Sequence[Scenario],
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    names: Sequence[str] | None = None,
    progress: Callable[[int], ProgressFn] | None = None,
) -> Comparison:
    """Run each scenario with the same seed, iterations and sampler; compare them pairwise.

    Defaults come from the first scenario (``simulation.iterations``, ``simulation.seed`` or a
    fresh seed, ``simulation.sampler``). ``names`` defaults to the scenario file stems. Raises
    :class:`SimulationError` for fewer than two scenarios or different currencies.
    """
    if len(scenarios) < 2:
        raise SimulationError("compare needs at least two scenarios")
    first = scenarios[0]
    currencies = sorted({s.currency for s in scenarios})
    if len(currencies) > 1:
        raise SimulationError(
            f"the scenarios use different currencies ({', '.join(currencies)}); "
            "their costs cannot be compared"
        )
    names = list(names) if names is not None else alternative_names([s.path for s in scenarios])
    options = common_run_options(first, iterations, seed=seed, jobs=jobs, sampler=sampler)
    n = options.iterations
    assert n is not None  # common_run_options sets the size, seed and sampler
    # every alternative's results are kept until the comparison is made: they must fit together
    workers = jobs or default_jobs()
    memory.check(
        [memory.scenario_need(sc, n, workers) for sc in scenarios],
        together=True,
        what="compare",
    )
    started = now_utc()
    t0 = time.perf_counter()
    alternatives = []
    for name, sc in zip(names, scenarios, strict=True):
        raw = simulate(sc, options, progress=progress)
        alternatives.append(Alternative(name, sc, raw, samples_frame(raw)))
    alts = tuple(alternatives)
    meta = _meta(alts, options, started, time.perf_counter() - t0)
    table = comparison_table(alts)
    return Comparison(alts, table, difference_table(alts), meta, ranking_table(alts))


def _meta(
    alts: tuple[Alternative, ...], options: RunOptions, started: str, wall: float
) -> dict[str, Any]:
    """What ``compare.json`` records: the shared seed, iterations and sampler, each
    alternative's scenario, versions, times and the warnings about the pairing."""
    n = alts[0].raw.iterations
    horizons = sorted({int(a.scenario.inputs["scenario.horizon_months"].mean()) for a in alts})
    warnings = [w for a in alts for w in (f"{a.name}: {x}" for x in a.raw.warnings)]
    if len(horizons) > 1:
        warnings.append(
            f"the alternatives use different horizons ({', '.join(map(str, horizons))} months): "
            "their NPVs cover different periods"
        )
    warnings += unpaired_inputs(alts)
    warnings += summary.too_few_iterations(n, (10, 50, 80, 90))
    return {
        "seed": options.seed,
        "iterations": n,
        "sampler": options.sampler,
        "jobs": alts[0].raw.jobs,
        "reference": alts[0].name,
        "alternatives": [
            {
                "name": a.name,
                "scenario": a.scenario.name,
                "path": a.scenario.path,
                "sha256": a.scenario.sha256,
                "description": a.scenario.options.get("scenario.description", ""),
            }
            for a in alts
        ],
        "currency": alts[0].scenario.currency,
        "horizon_months": horizons[0],
        "versions": run_versions(),
        "started": started,
        "finished": now_utc(),
        "wall_seconds": round(wall, 3),
        "warnings": warnings,
    }


# Tables ------------------------------------------------------------------------------------------


def comparison_table(alternatives: Sequence[Alternative]) -> pd.DataFrame:
    """``comparison.csv``: P10/P50/P80/P90 and mean of every scalar output per alternative
    (from :func:`simulation.analysis.summary.summarise`, so missing values are left out), plus the
    indicator rows whose ``mean`` is a probability."""
    frames = []
    for alt in alternatives:
        table = summary.summarise(alt.samples, SCALAR_NAMES, alt.scenario.targets)
        table.insert(0, "alternative", alt.name)
        frames.append(table[list(COMPARISON_COLUMNS)])
    return pd.concat(frames, ignore_index=True)


# Chart data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """One empirical CDF to draw: ascending values and their cumulative probabilities (0..1)."""

    label: str
    values: FloatArray
    probability: FloatArray
    colour: str
    dashed: bool = False


def ecdf(values: FloatArray, label: str, colour: str, dashed: bool = False) -> Curve:
    """The ECDF points of a sample (missing values left out; at most :data:`MAX_CURVE_POINTS`
    evenly spaced ranks kept)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    x = x[~np.isnan(x)]
    n = x.size
    probability = np.arange(1, n + 1, dtype=np.float64) / max(n, 1)
    keep = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).round().astype(int))
    return Curve(label, x[keep], probability[keep], colour, dashed)


# Writing -----------------------------------------------------------------------------------------


def _write(comp: Comparison, folder: Path, report: bool) -> None:
    write_csv(comp.table, folder / "comparison.csv")
    write_csv(comp.differences, folder / "differences.csv")
    write_csv(comp.ranking, folder / "ranking.csv")
    for alt in comp.alternatives:
        write_csv(alt.samples, folder / f"samples_{alt.name}.csv")
    (folder / "compare.json").write_text(json_text(comp.meta, "compare.json"))
    if report:
        from simulation.report.compare import build_compare_report

        build_compare_report(comp, folder)


__all__ = [
    "BETTER",
    "COMPARE_ORDER",
    "COMPARISON_COLUMNS",
    "DIFFERENCE_COLUMNS",
    "KEY_OUTPUTS",
    "STATS",
    "Alternative",
    "Comparison",
    "Curve",
    "alternative_names",
    "compare",
    "comparison_table",
    "difference_table",
    "ecdf",
    "p_better",
    "p_equal",
    "paired_difference",
]
