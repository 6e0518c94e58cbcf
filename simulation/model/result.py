"""One run's outputs as a frozen object, for the single-run API and ``simulate trace``."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.model.record import RunRecord
from simulation.scenario import schema

#: Scalar outputs and monthly series of one run, in a fixed order (the contract in schema.py).
SCALAR_NAMES: tuple[str, ...] = schema.SCALAR_NAMES
SERIES_NAMES: tuple[str, ...] = schema.SERIES_NAMES


@dataclass(frozen=True)
class RunResult:
    """Outputs of one run (see SCALAR_NAMES / SERIES_NAMES and docs/model.md).

    ``monthly`` series have one value per month of the horizon (index 0 = month 1);
    ``events`` is ``(working day, message)`` and filled only with ``record_events``;
    ``sim_events`` counts the SimPy events processed.
    """

    scalars: Mapping[str, float]
    risks: Mapping[str, bool]
    monthly: Mapping[str, NDArray[np.float64]]
    events: tuple[tuple[float, str], ...] = ()
    sim_events: int = 0


def to_result(
    record: RunRecord, scalars: NDArray[np.float64], monthly: NDArray[np.float64]
) -> RunResult:
    """One run's outputs (a row of :class:`~simulation.model.outcomes.Outcomes`) as a RunResult.

    NaN (a break-even never reached) is always ``math.nan`` itself, so equal runs compare equal.
    """
    return RunResult(
        scalars=MappingProxyType(
            {
                k: v if v == v else math.nan
                for k, v in zip(SCALAR_NAMES, scalars.tolist(), strict=True)
            }
        ),
        risks=MappingProxyType(dict(record.risk_flags)),
        monthly=MappingProxyType({k: monthly[j].copy() for j, k in enumerate(SERIES_NAMES)}),
        events=record.log,
        sim_events=record.sim_events,
    )


def trace_frame(result: RunResult) -> pd.DataFrame:
    """Month-by-month table of one run (index: month 1..horizon), for ``simulate trace``."""
    frame = pd.DataFrame({k: np.asarray(result.monthly[k]) for k in SERIES_NAMES})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    return frame


def iter_scalars(result: RunResult) -> Iterator[tuple[str, float]]:
    """``(name, value)`` of every scalar in ``SCALAR_NAMES`` order."""
    for name in SCALAR_NAMES:
        yield name, float(result.scalars[name])
