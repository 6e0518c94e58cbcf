"""Which option a board should pick, and whether the comparison is fair
(:mod:`simulation.analysis.compare`): every option ranked by its mean NPV of cost over the
horizon, staying on today's contract included (``ranking.csv``), and a check that the
alternatives share the reference's simulated futures (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

if TYPE_CHECKING:
    from simulation.analysis.compare import Alternative


#: ``ranking.csv``: the options ranked by their mean NPV of cost over the horizon.
RANKING_COLUMNS = (
    "rank",
    "option",
    "npv_cost_mean",
    "npv_cost_p10",
    "npv_cost_p50",
    "npv_cost_p90",
    "p_lowest_cost",
    "p_cheaper_than_status_quo",
    "transition_cost_p80",
    "transition_months_p80",
    "steady_sla_compliance_p50",
)

#: The row of ``ranking.csv`` for staying on today's contract.
STATUS_QUO_OPTION = "status quo (today's contract)"


def ranking_table(alternatives: Sequence[Alternative]) -> pd.DataFrame:
    """``ranking.csv``: every option a board chooses between, ranked by the mean NPV of its
    cost over the horizon (``backsourcing_npv``: the option's own path, whatever the option;
    risk-neutral, with its P10/P50/P90 beside it), ties broken by the P90. Staying on today's
    contract is an option too: its row is the status-quo path (``status_quo_npv``, the first
    alternative's; it is the same for all when they share the vendor's terms).

    ``p_lowest_cost``: the share of the paired futures in which the option costs least of all
    options (a tie shares the future equally); ``p_cheaper_than_status_quo``: P(NPV savings ≥
    0). ``steady_sla_compliance_p50``: the median SLA compliance in the last year (staying on
    today's contract: ``status_quo_sla_compliance``)."""
    ref = alternatives[0]
    cost = np.vstack(
        [a.values("backsourcing_npv") for a in alternatives] + [ref.values("status_quo_npv")]
    )
    p_lowest = _p_lowest(cost)
    rows = [_option_row(alt) for alt in alternatives] + [_status_quo_row(ref)]
    for row, c, p in zip(rows, cost, p_lowest, strict=True):
        row |= _npv_cost(c) | {"p_lowest_cost": float(p)}
    table = pd.DataFrame(rows).sort_values(
        ["npv_cost_mean", "npv_cost_p90"], kind="stable", na_position="last"
    )
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[list(RANKING_COLUMNS)].reset_index(drop=True)


def _p_lowest(cost: NDArray[np.float64]) -> NDArray[np.float64]:
    """For each option (row of ``cost``: options × paired futures), the share of the futures in
    which it costs least of all (a tie shares the future equally; a missing cost is never
    least)."""
    finite = np.where(np.isfinite(cost), cost, np.inf)
    lowest = finite == finite.min(axis=0)
    if cost.shape[1]:
        return np.asarray((lowest / lowest.sum(axis=0)).mean(axis=1), dtype=np.float64)
    return np.full(cost.shape[0], np.nan)


def _npv_cost(cost: NDArray[np.float64]) -> dict[str, float]:
    """Mean and P10/P50/P90 of an option's NPV of cost over its futures (missing left out)."""
    ok = cost[np.isfinite(cost)]
    p10, p50, p90 = np.percentile(ok, (10, 50, 90)) if ok.size else (math.nan,) * 3
    return {
        "npv_cost_mean": float(ok.mean()) if ok.size else math.nan,
        "npv_cost_p10": float(p10),
        "npv_cost_p50": float(p50),
        "npv_cost_p90": float(p90),
    }


def _p80(alt: Alternative, metric: str) -> float:
    v = alt.values(metric)
    return float(np.nanpercentile(v, 80)) if np.isfinite(v).any() else math.nan


def _option_row(alt: Alternative) -> dict[str, object]:
    """An alternative's own columns: P(cheaper than today's contract), its P80 transition cost
    and months, its median steady SLA compliance."""
    return {
        "option": alt.name,
        "p_cheaper_than_status_quo": float(np.mean(alt.values("npv_savings") >= 0)),
        "transition_cost_p80": _p80(alt, "transition_cost"),
        "transition_months_p80": _p80(alt, "transition_months"),
        "steady_sla_compliance_p50": float(np.nanmedian(alt.values("steady_sla_compliance"))),
    }


def _status_quo_row(ref: Alternative) -> dict[str, object]:
    """Staying on today's contract: no transition, the vendor's SLA compliance (the reference
    alternative's status-quo path)."""
    return {
        "option": STATUS_QUO_OPTION,
        "p_cheaper_than_status_quo": math.nan,
        "transition_cost_p80": 0.0,
        "transition_months_p80": 0.0,
        "steady_sla_compliance_p50": float(np.nanmedian(ref.values("status_quo_sla_compliance"))),
    }


def unpaired_inputs(alts: tuple[Alternative, ...]) -> list[str]:
    """A warning for each alternative whose futures are not the reference's: an input both
    scenarios give the same distribution but that was drawn differently (a ``[[correlations]]``
    table one of them adds or changes reorders the correlated inputs' samples), so the paired
    differences would mix different futures. Empty when every shared input is drawn alike."""
    ref = alts[0]
    out = []
    for alt in alts[1:]:
        differ = []
        for path, dist in ref.scenario.inputs.items():
            column = f"in.{path}"
            if (
                dist.is_fixed
                or alt.scenario.inputs.get(path) != dist
                or column not in ref.samples
                or column not in alt.samples
            ):
                continue
            a, b = ref.samples[column].to_numpy(), alt.samples[column].to_numpy()
            if not np.array_equal(a, b, equal_nan=True):
                differ.append(path)
        if differ:
            more = f" and {len(differ) - 4} more" if len(differ) > 4 else ""
            shown = ", ".join(differ[:4]) + more
            out.append(
                f"{alt.name}: {shown} have the same distribution as in {ref.name} but were drawn "
                "differently (a [[correlations]] table that differs between the scenarios reorders "
                "them): the paired differences against it mix different futures"
            )
    return out


__all__ = ["RANKING_COLUMNS", "STATUS_QUO_OPTION", "ranking_table", "unpaired_inputs"]
