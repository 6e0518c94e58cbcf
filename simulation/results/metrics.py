"""How the outputs of a run are shown to people: each output's label, unit and direction
(:data:`METRICS`, a view of the outputs table) and the order the report lists them in
(:data:`REPORT_ORDER`); and a table cell read as a number (:func:`as_float`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.scenario.outputs import in_order

__all__ = [
    "METRICS",
    "MetricInfo",
    "REPORT_ORDER",
    "as_float",
]


@dataclass(frozen=True)
class MetricInfo:
    """How an output is named for people and in which unit (``"currency"`` = the run currency).

    ``more_is_worse``: True when a higher value is worse (costs, durations, backlog), False when
    it is better (savings, SLA compliance), None when neither (a size, such as the team
    management ended up aiming for: larger is a choice, not a score)."""

    label: str
    unit: str
    more_is_worse: bool | None = True


#: The order in which the report lists outputs: the decision figures first. Only the order: each
#: output's label, unit and direction come from the outputs table, and an output not named here
#: follows in the table's order (``simulation.scenario.outputs.in_order``).
REPORT_ORDER: tuple[str, ...] = (
    "transition_months",
    "transition_cost",
    "npv_savings",
    "cutover_month",
    "breakeven_month",
    "extension_months",
    "peak_backlog",
    "one_off_cost",
    "overlap_cost",
    "disruption_cost",
    "backsourcing_npv",
    "status_quo_npv",
    "status_quo_disruption_cost",
    "vendor_disruption_cost",
    "steady_sla_compliance",
    "status_quo_sla_compliance",
    "tickets_breached",
    "sla_breach_weeks",
    "knowledge_lost_domains",
    "hires",
    "leavers",
    "response_cost",
    "agency_agent_days",
    "overtime_weeks",
    "hypercare_agent_days",
    "final_target_agents",
    "abandoned_tickets",
    "relapse_weeks",
    "backlog_at_horizon_days",
    "disruption_after_stabilisation_cost",
)


_WORSE: dict[str | None, bool | None] = {"lower": True, "higher": False, None: None}


#: Label, unit and direction of every output the model writes, in :data:`REPORT_ORDER`: a view
#: of :data:`simulation.scenario.outputs.OUTPUTS`. A summary row that is no output of the table (an
#: indicator row, or an output of a folder written by another version) falls back to a label
#: made from its name (:meth:`simulation.results.types.Results.info`).
METRICS: dict[str, MetricInfo] = {
    o.name: MetricInfo(o.label, o.unit, _WORSE[o.better]) for o in in_order(REPORT_ORDER)
}


def as_float(value: object) -> float:
    """A table cell as a float; empty, missing or non-numeric cells give NaN."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
