"""What each chart of the run report draws, read from a
:class:`~simulation.results.types.Results`: percentiles and targets, ECDF and histogram data,
fan bands, the drivers of an output. Data only: the figures are drawn by
:mod:`simulation.plotting` (``distribution``, ``fans``, ``drivers``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.plotting.distribution import Percentiles, TargetLine
from simulation.plotting.fans import FanSeries
from simulation.results.metrics import MetricInfo
from simulation.results.types import Results
from simulation.scenario.schema import BY_PATH

__all__ = [
    "DistributionData",
    "Drivers",
    "MAX_CURVE_POINTS",
    "describe_input",
    "distribution_data",
    "drivers",
    "fan_data",
    "has_series",
    "parse_target",
    "percentiles",
    "target_line",
]


#: Most points drawn on an S-curve (evenly spaced ranks of the sorted sample): layout only.
MAX_CURVE_POINTS = 2000


_TARGET_RE = re.compile(r"^\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


def parse_target(text: str) -> tuple[str, float] | None:
    """``"<= 12"`` → ``("<=", 12.0)``; empty or unreadable text → ``None``."""
    match = _TARGET_RE.match(text or "")
    return (match.group(1), float(match.group(2))) if match else None


def target_line(data: Results, metric: str) -> TargetLine | None:
    """The target on ``metric`` with its probability of being met, from summary.csv."""
    if not data.has(metric) or "target" not in data.summary.columns:
        return None
    parsed = parse_target(str(data.by_metric.at[metric, "target"]))
    if parsed is None:
        return None
    return TargetLine(parsed[1], parsed[0], data.stat(metric, "p_within_target"))


def percentiles(data: Results, metric: str) -> Percentiles:
    """P10 / P50 / P90 of an output from summary.csv."""
    return Percentiles(data.stat(metric, "p10"), data.stat(metric, "p50"), data.stat(metric, "p90"))


@dataclass(frozen=True)
class DistributionData:
    """What the S-curve and histogram of one output need.

    ``values`` are the non-missing simulated values (ascending); ``curve_values`` /
    ``curve_probability`` the ECDF points drawn (at most :data:`MAX_CURVE_POINTS` evenly spaced
    ranks), ``n_missing`` the futures without a value (e.g. no break-even within the horizon).
    """

    metric: str
    info: MetricInfo
    values: np.ndarray
    curve_values: np.ndarray
    curve_probability: np.ndarray
    percentiles: Percentiles
    target: TargetLine | None
    n_missing: int


def distribution_data(data: Results, metric: str) -> DistributionData:
    """Sorted sample of ``out.<metric>`` and its empirical cumulative probabilities."""
    column = data.samples[f"out.{metric}"]
    values = np.sort(pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype=float))
    n = len(values)
    probability = np.arange(1, n + 1, dtype=float) / max(n, 1)
    keep = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).round().astype(int))
    return DistributionData(
        metric=metric,
        info=data.info(metric),
        values=values,
        curve_values=values[keep],
        curve_probability=probability[keep],
        percentiles=percentiles(data, metric),
        target=target_line(data, metric),
        n_missing=int(column.isna().sum()),
    )


def fan_data(data: Results, series: str, label: str | None = None) -> FanSeries:
    """P10 / P50 / P90 band of one monthly series from timeseries.csv."""
    rows = data.timeseries[data.timeseries["series"] == series].sort_values("month")
    return FanSeries(
        label=label or series.replace("_", " ").capitalize(),
        months=rows["month"].to_numpy(dtype=float),
        p10=rows["p10"].to_numpy(dtype=float),
        p50=rows["p50"].to_numpy(dtype=float),
        p90=rows["p90"].to_numpy(dtype=float),
    )


def has_series(data: Results, *names: str) -> bool:
    if data.timeseries.empty or "series" not in data.timeseries.columns:
        return False
    present = set(data.timeseries["series"].unique())
    return all(name in present for name in names)


@dataclass(frozen=True)
class Drivers:
    """Top drivers of one output, in rank order (from sensitivity.csv)."""

    output: str
    inputs: tuple[str, ...]
    spearman: np.ndarray
    contribution: np.ndarray


def drivers(data: Results, output: str, top: int = 8) -> Drivers:
    """The ``top`` highest-ranked inputs of ``output`` (rank 1 = strongest driver)."""
    table = data.sensitivity
    rows = table[table["output"] == output] if not table.empty else table
    rows = rows.sort_values("rank").head(top) if not rows.empty else rows
    return Drivers(
        output=output,
        inputs=tuple(str(x) for x in rows.get("input", [])),
        spearman=rows["spearman"].to_numpy(dtype=float) if len(rows) else np.array([]),
        contribution=rows["contribution"].to_numpy(dtype=float) if len(rows) else np.array([]),
    )


def describe_input(path: str) -> str:
    """Plain-language meaning of a dotted input path (the schema's doc), else the path."""
    spec = BY_PATH.get(path)
    if spec is not None:
        return spec.doc
    if path.startswith("risks."):
        parts = path.split(".")
        return f"Risk '{parts[1]}': {'.'.join(parts[2:])}" if len(parts) > 2 else path
    return path
