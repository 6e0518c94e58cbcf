"""Paired differences of alternatives run on common random numbers
(:mod:`simulation.analysis.compare`): iteration ``i`` of B against iteration ``i`` of A, per
compared output, with what "better" means for it (``differences.csv``).

Because the alternatives share every input's stream and each iteration's model stream, the
difference B − A is taken future by future: its mean and P10/P50/P90 (metric units), the share
of futures in which B is better (``p_better``) and in which both are equal (``p_equal``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.scenario.outputs import Better, in_order

if TYPE_CHECKING:
    from simulation.analysis.compare import Alternative

FloatArray = NDArray[np.float64]

#: The order of the compared outputs in ``differences.csv`` and the comparison report: the key
#: figures first. Only the order: whether and which way an output is compared comes from the
#: outputs table, and a compared output not named here follows in the table's order.
COMPARE_ORDER: tuple[str, ...] = (
    "transition_cost",
    "transition_months",
    "npv_savings",
    "backsourcing_npv",
    "cutover_month",
    "extension_months",
    "one_off_cost",
    "overlap_cost",
    "disruption_cost",
    "breakeven_month",
    "peak_backlog",
    "tickets_breached",
    "sla_breach_weeks",
    "knowledge_lost_domains",
    "stabilised",
    "response_cost",
    "agency_agent_days",
    "overtime_weeks",
    "hypercare_agent_days",
    "abandoned_tickets",
    "relapse_weeks",
    "backlog_at_horizon_days",
    "disruption_after_stabilisation_cost",
    "vendor_disruption_cost",
    "steady_sla_compliance",
)

#: What "B better than A" means for each compared metric: a view of the outputs table
#: (:data:`simulation.scenario.outputs.OUTPUTS`, ``better`` of each output whose ``not_compared`` is
#: empty; that column says why the others are not compared, e.g. ``status_quo_npv``, the
#: reference path, and ``final_target_agents``, a size that is neither better nor worse).
#: ``breakeven_month``: a future that never breaks even (missing value) counts as later than any
#: month (:func:`p_better`).
BETTER: dict[str, Better] = {
    o.name: o.better for o in in_order(COMPARE_ORDER) if o.compared and o.better is not None
}

#: ``differences.csv``: one row per later alternative and compared output.
DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "alternative",
    "reference",
    "metric",
    "better",
    "mean",
    "p10",
    "p50",
    "p90",
    "p_better",
    "p_equal",
    "n_pairs",
)


def paired_difference(reference: FloatArray, other: FloatArray) -> FloatArray:
    """Iteration by iteration ``other − reference`` (NaN where either is missing)."""
    return np.asarray(other, dtype=np.float64) - np.asarray(reference, dtype=np.float64)


def p_better(reference: FloatArray, other: FloatArray, better: Better) -> float:
    """Share of paired iterations in which ``other`` is strictly better than ``reference``.

    A missing value (NaN, e.g. no break-even within the horizon) counts as the worst possible:
    +inf when lower is better, -inf when higher is better; two missing values are equal.
    """
    worst = np.inf if better == "lower" else -np.inf
    a = np.where(np.isnan(reference), worst, reference)
    b = np.where(np.isnan(other), worst, other)
    wins = b < a if better == "lower" else b > a
    return float(np.mean(wins)) if wins.size else math.nan


def p_equal(reference: FloatArray, other: FloatArray) -> float:
    """Share of paired iterations with equal values (two missing values count as equal)."""
    same = (reference == other) | (np.isnan(reference) & np.isnan(other))
    return float(np.mean(same)) if same.size else math.nan


def difference_table(alternatives: Sequence[Alternative]) -> pd.DataFrame:
    """``differences.csv``: each later alternative B against the first A, per metric of
    :data:`BETTER`: mean and P10/P50/P90 of the paired difference B − A (metric units, over
    the ``n_pairs`` iterations where both values exist), ``p_better`` and ``p_equal``."""
    ref = alternatives[0]
    rows: list[dict[str, Any]] = []
    for alt in alternatives[1:]:
        for metric, better in BETTER.items():
            col = f"out.{metric}"
            if col not in ref.samples or col not in alt.samples:
                continue
            a, b = ref.values(metric), alt.values(metric)
            d = paired_difference(a, b)
            d = d[~np.isnan(d)]
            pct = np.percentile(d, (10, 50, 90)) if d.size else np.full(3, np.nan)
            rows.append(
                {
                    "alternative": alt.name,
                    "reference": ref.name,
                    "metric": metric,
                    "better": better,
                    "mean": float(d.mean()) if d.size else math.nan,
                    "p10": float(pct[0]),
                    "p50": float(pct[1]),
                    "p90": float(pct[2]),
                    "p_better": p_better(a, b, better),
                    "p_equal": p_equal(a, b),
                    "n_pairs": int(d.size),
                }
            )
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


__all__ = [
    "BETTER",
    "COMPARE_ORDER",
    "DIFFERENCE_COLUMNS",
    "difference_table",
    "p_better",
    "p_equal",
    "paired_difference",
]
