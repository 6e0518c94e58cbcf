"""Which inputs drive each output (Spearman rank correlations and their share of the explained
variance), what each register risk does to the key outputs when it occurs, and the monthly
P10/P50/P90 bands of the series."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from simulation.analysis.summary import IN, OUT, RISK, column_values
from simulation.engine.convergence import (
    KEY_PERCENTILES,
)
from simulation.engine.cores import available_cores

__all__ = [
    "SENSITIVITY_COLUMNS",
    "TIMESERIES_COLUMNS",
    "risk_effects",
    "sensitivity",
    "timeseries_bands",
]


_T = TypeVar("_T")


SENSITIVITY_COLUMNS: tuple[str, ...] = ("output", "input", "spearman", "contribution", "rank")


TIMESERIES_COLUMNS: tuple[str, ...] = ("month", "series", "mean", "p10", "p50", "p90")


#: From this many iterations on, the summary's sorts run on all cores.
_THREADED_FROM = 10_000


def _map_sorts(fn: Callable[[Any], _T], items: Sequence[Any], iterations: int) -> list[_T]:
    """``[fn(item) for item in items]``, on all cores for large runs: numpy releases the GIL
    while it sorts and partitions, and the results do not depend on how many threads ran."""
    threads = available_cores()
    if iterations < _THREADED_FROM or len(items) < 2 or threads < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, items))


def _rank_row(row: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(stats.rankdata(row), dtype=np.float64)


def _centred_ranks(rows: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Average ranks of each row (one variable per row) minus their mean, and each row's norm.

    Rows are ranked on all cores (each row's sort releases the GIL); the ranks do not depend on
    how many threads ran."""
    data = np.ascontiguousarray(rows)
    ranks = np.vstack(_map_sorts(_rank_row, list(data), data.shape[1]))
    ranks -= ranks.mean(axis=1, keepdims=True)
    return ranks, np.sqrt(np.einsum("ij,ij->i", ranks, ranks))


def sensitivity(
    samples: pd.DataFrame, inputs: Sequence[str], outputs: Sequence[str]
) -> pd.DataFrame:
    """Spearman rank correlation of each uncertain input with each output (the tornado's data).

    ``inputs`` are dotted paths (column ``in.<path>``), ``outputs`` bare metrics (``out.<metric>``).
    Spearman's rho is the Pearson correlation of average ranks (ties share a rank, as
    ``scipy.stats.spearmanr``), computed for all inputs of an output in one matrix product.
    Rows whose output is NaN are left out for that output. A constant input or output gets
    rho = 0 (no information, no warning). ``contribution`` = rho² normalised to sum to 1 over
    the inputs of one output (all 0 when every rho is 0) — the usual "contribution to variance"
    approximation. Rows are grouped by output in the given order, then sorted by |rho|
    descending (ties keep input order); ``rank`` 1 is the top driver. Columns:
    :data:`SENSITIVITY_COLUMNS`.
    """
    if not inputs or not outputs:
        return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
    x = np.vstack([column_values(samples, IN, name) for name in inputs])  # (inputs, iterations)
    full_ranks: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
    frames: list[pd.DataFrame] = []
    for output in outputs:
        y = column_values(samples, OUT, output)
        valid = ~np.isnan(y) & ~np.isnan(x).any(axis=0)
        if valid.all():
            if full_ranks is None:
                full_ranks = _centred_ranks(x)
            x_ranks, x_norm = full_ranks
        else:
            x_ranks, x_norm = _centred_ranks(x[:, valid])
        rho = np.zeros(len(inputs))
        if valid.sum() >= 2:
            y_ranks, y_norm = _centred_ranks(y[None, valid])
            denom = x_norm * y_norm[0]
            num = x_ranks @ y_ranks[0]
            np.divide(num, denom, out=rho, where=denom > 0.0)
            rho = np.clip(rho, -1.0, 1.0)
        squared = rho**2
        total = squared.sum()
        contribution = squared / total if total > 0.0 else np.zeros_like(squared)
        order = np.argsort(-np.abs(rho), kind="stable")
        frames.append(
            pd.DataFrame(
                {
                    "output": output,
                    "input": np.asarray(inputs, dtype=object)[order],
                    "spearman": rho[order],
                    "contribution": contribution[order],
                    "rank": np.arange(1, len(inputs) + 1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def risk_effects(
    samples: pd.DataFrame,
    risk_names: Sequence[str],
    outputs: Sequence[str] = ("transition_cost", "transition_months"),
) -> pd.DataFrame:
    """How often each risk occurred and how the outputs differ with and without it.

    ``samples`` holds ``risk.<name>`` flags (0/1 or bool) and ``out.<metric>`` columns.
    Columns: ``risk, occurrence_rate`` (share of iterations, 0–1), ``occurrences`` (count), then
    per output ``<out>_with`` / ``<out>_without`` (mean over iterations where the risk did / did
    not occur, NaN outputs ignored; output units) and ``<out>_effect`` = with − without (NaN when
    either group is empty). A raw difference of means: it includes the effect of any input
    correlated with the risk.
    """
    columns = ["risk", "occurrence_rate", "occurrences"]
    for out in outputs:
        columns += [f"{out}_with", f"{out}_without", f"{out}_effect"]
    values = {out: column_values(samples, OUT, out) for out in outputs}
    rows: list[dict[str, Any]] = []
    for name in risk_names:
        flags = column_values(samples, RISK, name)
        occurred = flags > 0.5
        row: dict[str, Any] = {
            "risk": name,
            "occurrence_rate": float(occurred.mean()) if occurred.size else math.nan,
            "occurrences": int(occurred.sum()),
        }
        for out, y in values.items():
            with_mean, without_mean = _group_mean(y, occurred), _group_mean(y, ~occurred)
            row[f"{out}_with"], row[f"{out}_without"] = with_mean, without_mean
            row[f"{out}_effect"] = with_mean - without_mean
        rows.append(row)
    return pd.DataFrame(rows, columns=columns).astype({"occurrences": "int64"})


def _group_mean(y: NDArray[np.float64], mask: NDArray[np.bool_]) -> float:
    group = y[mask]
    group = group[~np.isnan(group)]
    return float(group.mean()) if group.size else math.nan


def timeseries_bands(series: NDArray[Any], names: Sequence[str]) -> pd.DataFrame:
    """Monthly mean and P10/P50/P90 bands across iterations, long format (``timeseries.csv``).

    ``series`` has shape ``(iterations, n_series, months)``, ``names`` the ``n_series`` series
    names in that order. Returns :data:`TIMESERIES_COLUMNS` with ``month`` 1-based, one block of
    ``months`` rows per series in ``names`` order; values in each series' units. NaN values are
    ignored (``np.nanpercentile``, used only when the series has any). Each series is copied
    once, months × iterations contiguous, and reduced with one ``np.percentile`` call; series
    run on all cores for large runs (numpy's partition releases the GIL), never the whole array
    twice.
    """
    data = np.asarray(series)
    if data.ndim != 3:
        raise ValueError(f"series must have shape (iterations, n_series, months), got {data.shape}")
    if data.shape[1] != len(names):
        raise ValueError(f"{len(names)} names given for {data.shape[1]} series")
    months = data.shape[2]

    def bands(index: int) -> pd.DataFrame:
        # one series at a time, months × iterations contiguous: each month's partition then
        # reads consecutive memory
        block = np.ascontiguousarray(data[:, index, :].T)
        if np.isnan(block).any():
            with np.errstate(invalid="ignore"):
                p10, p50, p90 = np.nanpercentile(block, KEY_PERCENTILES, axis=1)
                mean = np.nanmean(block, axis=1, dtype=np.float64)
        elif block.shape[1]:
            p10, p50, p90 = np.percentile(block, KEY_PERCENTILES, axis=1)
            mean = block.mean(axis=1, dtype=np.float64)
        else:
            p10 = p50 = p90 = mean = np.full(months, np.nan)
        return pd.DataFrame(
            {
                "month": np.arange(1, months + 1),
                "series": names[index],
                "mean": np.asarray(mean, dtype=float),
                "p10": np.asarray(p10, dtype=float),
                "p50": np.asarray(p50, dtype=float),
                "p90": np.asarray(p90, dtype=float),
            }
        )

    frames = _map_sorts(bands, range(len(names)), data.shape[0])
    if not frames:
        return pd.DataFrame(columns=list(TIMESERIES_COLUMNS))
    return pd.concat(frames, ignore_index=True)
