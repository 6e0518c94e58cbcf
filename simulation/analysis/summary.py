"""Statistics of a Monte Carlo results table.

Pure functions on numpy arrays and pandas DataFrames: no file I/O, no plotting. The engine and
``results.py`` call them to build ``summary.csv`` / ``summary.json``, ``timeseries.csv``,
``sensitivity.csv`` and ``risks.csv``, and to decide convergence of ``--iterations auto``.

Conventions
-----------
* The samples table has one row per iteration and columns ``in.<dotted.path>`` (uncertain inputs),
  ``out.<metric>`` (scalar outputs, in the metric's units: months, currency, tickets ...) and
  ``risk.<name>`` (0/1 occurrence flags). Functions take *bare* names (``transition_cost``,
  ``staffing.time_to_hire_days``) and add the prefixes themselves.
* Percentiles use numpy's default ``linear`` method (Hyndman & Fan type 7: linear interpolation
  between the order statistics at ranks ``floor(h)`` and ``ceil(h)``, ``h = (n - 1) * q``), the same
  as ``pandas.Series.quantile``. NaN values of an output (e.g. ``breakeven_month`` when break-even
  is never reached) are left out of its percentiles, mean, std, min and max, and counted in
  ``n_missing``.
* Standard deviations are sample standard deviations (``ddof = 1``, as pandas).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from simulation.engine.convergence import (
    ConvergenceCheck,
    has_converged,
    key_quantiles,
)
from simulation.scenario.outputs import KEY_OUTPUTS
from simulation.scenario.types import Target

#: Percentiles (in percent) reported for every output metric.
PERCENTILES: tuple[int, ...] = (5, 10, 20, 50, 80, 90, 95)

#: Normal quantile of the two-sided 95% interval used by :func:`percentile_se`.
Z_95 = 1.96

#: Samples needed beyond a tail percentile for it to be estimated with any precision.
MIN_TAIL_SAMPLES = 10

SUMMARY_COLUMNS: tuple[str, ...] = (
    "metric",
    "mean",
    "std",
    "min",
    *(f"p{q}" for q in PERCENTILES),
    "max",
    "p50_se",
    "p90_se",
    "n",
    "n_missing",
    "target",
    "p_within_target",
    "p_within_target_se",
)


IN, OUT, RISK = "in.", "out.", "risk."


# --------------------------------------------------------------------------- percentiles


@overload
def percentile_se(x: ArrayLike, q: float) -> float: ...


@overload
def percentile_se(x: ArrayLike, q: Sequence[float] | NDArray[Any]) -> NDArray[np.float64]: ...


def percentile_se(
    x: ArrayLike, q: float | Sequence[float] | NDArray[Any]
) -> float | NDArray[np.float64]:
    """Distribution-free standard error of the sample ``q``-quantile(s) of ``x``.

    ``q`` is a fraction in (0, 1) (``0.9`` for P90), a scalar or a sequence (vectorised: one sort
    of ``x`` for all of them). The number of sample values at or below the true quantile is
    Binomial(n, q), so the order statistics at the (1-based) ranks
    ``n·q ± z·sqrt(n·q·(1 − q))`` with ``z`` = 1.96 bound a 95% confidence interval of the
    quantile; the standard error is that interval's width over ``2z``. Fractional ranks are
    interpolated linearly between neighbouring order statistics. NaN values of ``x`` are ignored.

    Returns NaN (for that ``q``) when n is too small for the interval to stay inside the sample
    (lower rank < 1 or upper rank > n). The result is in the units of ``x``.
    """
    values = np.asarray(x, dtype=float).ravel()
    values = np.sort(values[~np.isnan(values)])
    qs = np.asarray(q, dtype=float)
    if np.any((qs <= 0.0) | (qs >= 1.0)) or np.any(np.isnan(qs)):
        raise ValueError(f"percentile_se: q must be a fraction strictly between 0 and 1, got {q}")
    n = values.size
    half = Z_95 * np.sqrt(n * qs * (1.0 - qs))
    lo_rank, hi_rank = n * qs - half, n * qs + half
    ok = (n > 0) & (lo_rank >= 1.0) & (hi_rank <= n)
    se = np.full(qs.shape, np.nan)
    if n > 0:
        positions = np.arange(n, dtype=float)
        lo = np.interp(lo_rank - 1.0, positions, values)
        hi = np.interp(hi_rank - 1.0, positions, values)
        se = np.where(ok, (hi - lo) / (2.0 * Z_95), np.nan)
    if qs.ndim == 0:
        return float(se)
    return np.asarray(se, dtype=np.float64)


def too_few_iterations(n: int, percentiles: Iterable[float] = PERCENTILES) -> list[str]:
    """Warnings for the requested percentiles (in percent) that ``n`` iterations cannot support.

    A percentile ``q`` needs about :data:`MIN_TAIL_SAMPLES` (10) samples beyond it, i.e. at
    least ``10 / min(q, 1 − q)`` iterations (200 for P5/P95, 100 for P10/P90, 20 for P50); at that
    count :func:`percentile_se` also becomes defined. P0 / P100 (min / max) need no tail and are
    never warned about. Returns an empty list when ``n`` suffices for all of them.
    """
    warnings: list[str] = []
    for q in percentiles:
        tail = min(float(q), 100.0 - float(q)) / 100.0
        if tail <= 0.0:
            continue
        needed = math.ceil(MIN_TAIL_SAMPLES / tail - 1e-9)
        if n < needed:
            warnings.append(
                f"P{q:g} needs at least {needed} iterations ({MIN_TAIL_SAMPLES} beyond the "
                f"{tail:.0%} tail) to be estimated reliably; only {n} were run"
            )
    return warnings


# --------------------------------------------------------------------------- summary table


def column_values(samples: pd.DataFrame, prefix: str, name: str) -> NDArray[np.float64]:
    col = prefix + name
    if col not in samples.columns:
        raise ValueError(f"samples have no column {col!r}")
    return samples[col].to_numpy(dtype=float, na_value=np.nan)


def _describe(values: NDArray[np.float64]) -> dict[str, float | int]:
    """Mean, std, min, percentiles, max and P50/P90 standard errors of the non-NaN values."""
    missing = np.isnan(values)
    x = values[~missing]
    row: dict[str, float | int] = {}
    if x.size:
        pct = np.percentile(x, PERCENTILES)
        se = percentile_se(x, (0.5, 0.9))
        row["mean"] = float(np.mean(x))
        row["std"] = float(np.std(x, ddof=1)) if x.size > 1 else math.nan
        row["min"] = float(np.min(x))
        row.update({f"p{q}": float(v) for q, v in zip(PERCENTILES, pct, strict=True)})
        row["max"] = float(np.max(x))
        row["p50_se"], row["p90_se"] = float(se[0]), float(se[1])
    else:
        names = ["mean", "std", "min", *(f"p{q}" for q in PERCENTILES), "max", "p50_se", "p90_se"]
        row.update(dict.fromkeys(names, math.nan))
    row["n"] = int(x.size)
    row["n_missing"] = int(missing.sum())
    return row


def _bound_text(targets: Sequence[Target]) -> str:
    parts: list[str] = []
    for t in targets:
        if t.at_most is not None:
            parts.append(f"<= {t.at_most:g}")
        if t.at_least is not None:
            parts.append(f">= {t.at_least:g}")
    return " and ".join(parts)


def target_met(values: NDArray[np.float64], targets: Sequence[Target]) -> NDArray[np.bool_]:
    """Per iteration, whether every target (all on the same metric) is met; NaN never meets one."""
    met = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        for t in targets:
            if t.at_most is not None:
                met &= values <= t.at_most
            if t.at_least is not None:
                met &= values >= t.at_least
    return met


def binomial_se(p: float, n: int) -> float:
    """Standard error ``sqrt(p (1 − p) / n)`` of a proportion ``p`` estimated from ``n`` trials."""
    return math.sqrt(p * (1.0 - p) / n) if n > 0 else math.nan


def summarise(
    samples: pd.DataFrame, metrics: Sequence[str], targets: Sequence[Target] = ()
) -> pd.DataFrame:
    """The ``summary.csv`` table: one row per metric, then the two indicator rows.

    ``metrics`` are bare output names (column ``out.<metric>``), in row order; a metric that
    only appears in ``targets`` is appended. Columns are :data:`SUMMARY_COLUMNS`:

    * ``mean, std, min, p5 … p95, max`` of the non-NaN values (metric units), ``p50_se`` /
      ``p90_se`` their order-statistic standard errors (:func:`percentile_se`; NaN when too few);
    * ``n`` the count of non-NaN values, ``n_missing`` the NaN count (``n + n_missing`` = rows);
    * ``target`` the bound as text (``"<= 12"``, ``">= 0"``, several targets on one metric are
      joined with ``" and "`` and must all be met), empty when the metric has none;
      ``p_within_target`` the share of *all* iterations meeting it (NaN counts as not met),
      ``p_within_target_se`` its binomial standard error ``sqrt(p (1 − p) / rows)``.

    Then, only when the columns exist, the indicator rows ``p_npv_savings_positive``
    (``out.npv_savings > 0``) and ``p_breakeven_within_horizon`` (``out.breakeven_month`` not
    NaN): the statistics of the 0/1 indicator, so ``mean`` is the probability.
    """
    by_metric: dict[str, list[Target]] = {}
    for t in targets:
        by_metric.setdefault(t.metric, []).append(t)
    names = list(dict.fromkeys([*metrics, *by_metric]))
    rows_total = len(samples)
    rows: list[dict[str, Any]] = []
    for name in names:
        values = column_values(samples, OUT, name)
        row: dict[str, Any] = {"metric": name, **_describe(values)}
        own = by_metric.get(name, [])
        row["target"] = _bound_text(own)
        if own and rows_total:
            p = float(np.mean(target_met(values, own)))
            row["p_within_target"], row["p_within_target_se"] = p, binomial_se(p, rows_total)
        else:
            row["p_within_target"] = row["p_within_target_se"] = math.nan
        rows.append(row)
    for name, indicator in _indicators(samples).items():
        row = {"metric": name, **_describe(indicator.astype(float)), "target": ""}
        row["p_within_target"] = row["p_within_target_se"] = math.nan
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return table.astype({"n": "int64", "n_missing": "int64", "target": str})


def _indicators(samples: pd.DataFrame) -> dict[str, NDArray[np.bool_]]:
    out: dict[str, NDArray[np.bool_]] = {}
    if OUT + "npv_savings" in samples.columns:
        savings = column_values(samples, OUT, "npv_savings")
        with np.errstate(invalid="ignore"):
            out["p_npv_savings_positive"] = savings > 0.0
    if OUT + "breakeven_month" in samples.columns:
        breakeven = column_values(samples, OUT, "breakeven_month")
        out["p_breakeven_within_horizon"] = ~np.isnan(breakeven)
    return out


def headline(summary: pd.DataFrame) -> dict[str, dict[str, float | int | str | None]]:
    """A JSON-ready nested dict of a :func:`summarise` table, for ``summary.json``.

    ``{metric: {column: value}}`` with Python floats / ints; NaN becomes ``None`` (JSON
    ``null``: strict JSON has no NaN); ``target`` is kept as text only when non-empty.
    """
    result: dict[str, dict[str, float | int | str | None]] = {}
    for record in summary.to_dict(orient="records"):
        entry: dict[str, float | int | str | None] = {}
        for key, value in record.items():
            col = str(key)
            if col == "metric":
                continue
            if col == "target":
                if isinstance(value, str) and value:
                    entry[col] = value
            elif col in ("n", "n_missing"):
                entry[col] = int(value)
            else:
                number = float(value)
                entry[col] = None if math.isnan(number) else number
        result[str(record["metric"])] = entry
    return result


# --------------------------------------------------------------------------- sensitivity


# --------------------------------------------------------------------------- risk register


# --------------------------------------------------------------------------- monthly bands


__all__: list[str] = [
    "IN",
    "OUT",
    "RISK",
    "column_values",
    "KEY_OUTPUTS",
    "PERCENTILES",
    "SUMMARY_COLUMNS",
    "ConvergenceCheck",
    "binomial_se",
    "has_converged",
    "headline",
    "key_quantiles",
    "percentile_se",
    "summarise",
    "target_met",
    "too_few_iterations",
]
