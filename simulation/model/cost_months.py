"""The months of a batch's cash flows: their calendar (:class:`Months`), discounting at each
month's end (:func:`discounted`) and the month from which backsourcing has cost no more than the
status quo (:func:`breakeven`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import FloatArray, vec
from simulation.model.record import RunRecord


@dataclass(frozen=True)
class Months:
    """The calendar of a batch: ``k`` runs of ``M`` months of ``D`` working days (horizon ``H``
    days); ``lo`` / ``hi`` each month's first and end day (1 × months)."""

    k: int
    M: int
    D: float

    @property
    def H(self) -> float:
        return self.M * self.D

    @property
    def edges(self) -> FloatArray:
        return np.arange(self.M + 1, dtype=np.float64) * self.D


def discounted(records: Sequence[RunRecord], M: int, flows: FloatArray) -> FloatArray:
    """(runs × months) cumulative sums of monthly cash flows, each discounted at the end of
    its month, ``(1 + scenario.discount_rate)^(−m/12)``."""
    disc = (1.0 + vec(records, "discount_rate"))[:, None] ** (-np.arange(1, M + 1) / 12.0)
    return np.cumsum(flows * disc, axis=1)


def breakeven(cum_bs: NDArray[np.float64], cum_sq: NDArray[np.float64]) -> NDArray[np.float64]:
    """First month (1-based) from which cumulative backsourcing cost stays <= status quo;
    NaN when it is still above at the horizon."""
    k, M = cum_bs.shape
    if M == 0:
        return np.full(k, math.nan)
    tol = 1e-6 * np.maximum(1.0, np.max(np.abs(cum_sq), axis=1))
    worse = cum_bs > cum_sq + tol[:, None]
    last = M - 1 - np.argmax(worse[:, ::-1], axis=1)
    out = np.where(worse.any(axis=1), last + 2.0, 1.0)
    out[worse[:, -1]] = math.nan
    return out
