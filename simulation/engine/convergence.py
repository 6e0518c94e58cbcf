"""When an ``--iterations auto`` run has drawn enough: the P10/P50/P90 of the key outputs
between two batches moved by less than a tolerance of each metric's scale.

The engine watches them while it runs; :mod:`simulation.analysis.summary` re-exports them with
the rest of a run's statistics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

#: Default absolute floor of the convergence scale when a metric's P50 is 0 (metric units).
CONVERGENCE_FLOOR = 1e-9

#: Percentiles (in percent) watched by the convergence check.
KEY_PERCENTILES: tuple[int, int, int] = (10, 50, 90)

__all__ = [
    "CONVERGENCE_FLOOR",
    "KEY_PERCENTILES",
    "ConvergenceCheck",
    "has_converged",
    "key_quantiles",
    "output_column",
]


def output_column(samples: pd.DataFrame, name: str) -> NDArray[np.float64]:
    """The ``out.<name>`` column of a samples table as float64 (missing values NaN)."""
    col = "out." + name
    if col not in samples.columns:
        raise ValueError(f"samples have no column {col!r}")
    return samples[col].to_numpy(dtype=float, na_value=np.nan)


def key_quantiles(samples: pd.DataFrame, metrics: Sequence[str]) -> NDArray[np.float64]:
    """P10, P50, P90 of each metric (NaN ignored): array of shape ``(len(metrics), 3)``."""
    result = np.full((len(metrics), len(KEY_PERCENTILES)), np.nan)
    for i, name in enumerate(metrics):
        values = output_column(samples, name)
        values = values[~np.isnan(values)]
        if values.size:
            result[i] = np.percentile(values, KEY_PERCENTILES)
    return result


def has_converged(
    previous: NDArray[np.float64],
    current: NDArray[np.float64],
    tolerance: float,
    floor: float | NDArray[np.float64] = CONVERGENCE_FLOOR,
) -> bool:
    """Whether every P10/P50/P90 moved by less than ``tolerance`` × the metric's scale.

    ``previous`` / ``current`` are :func:`key_quantiles` arrays (rows = metrics, columns =
    P10/P50/P90). A metric's scale is ``max(|current P50|, floor)``: ``floor`` (metric units, a
    scalar or one value per metric, default 1e-9) is an absolute floor, so a metric whose P50 is 0
    converges only if its quantiles have (numerically) stopped moving. A quantile that is NaN in
    both arrays (no data) counts as settled; NaN in only one does not.
    """
    prev, cur = np.asarray(previous, dtype=float), np.asarray(current, dtype=float)
    if prev.shape != cur.shape or cur.ndim != 2:
        raise ValueError(f"quantile arrays differ in shape: {prev.shape} vs {cur.shape}")
    scale = np.maximum(np.abs(cur[:, 1]), np.asarray(floor, dtype=float))
    both_nan = np.isnan(prev) & np.isnan(cur)
    with np.errstate(invalid="ignore"):
        moved_ok = np.abs(cur - prev) < tolerance * scale[:, None]
    return bool(np.all(moved_ok | both_nan))


@dataclass(frozen=True)
class ConvergenceCheck:
    """The ``--iterations auto`` rule for a fixed set of key metrics.

    ``tolerance`` is a fraction of each metric's P50 (default 1%), ``floor`` the absolute floor of
    the scale in metric units (see :func:`has_converged`).
    """

    metrics: tuple[str, ...] = ("transition_months", "transition_cost", "npv_savings")
    tolerance: float = 0.01
    floor: float = CONVERGENCE_FLOOR

    def quantiles(self, samples: pd.DataFrame) -> NDArray[np.float64]:
        """:func:`key_quantiles` of the metrics present in ``samples``."""
        return key_quantiles(samples, self.present(samples.columns))

    def present(self, columns: Iterable[object]) -> list[str]:
        have = set(map(str, columns))
        return [m for m in self.metrics if f"out.{m}" in have]

    def converged(self, previous: NDArray[np.float64], current: NDArray[np.float64]) -> bool:
        return has_converged(previous, current, self.tolerance, self.floor)
