"""The report's section "What management had to do", read from summary.csv alone.

The weekly review pulls recovery levers (docs/model.md, section 10); every simulated future
records how much of each it used and what the response cost. This module turns the P50 and
P90 of those outputs (summary.csv; the plan's team size from inputs.csv) into the section's table
and into one plain sentence about the futures that needed the most help. It computes no
statistic: every number is one the engine wrote.

A results folder written before the management layer has none of these outputs: the section
and the sentence are then left out (:func:`management_section` and :func:`management_sentence`
return None).

Public API: :data:`MANAGEMENT_METRICS`, :func:`planned_team`, :func:`management_rows`,
:func:`management_sentence`, :func:`management_section`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulation.plotting.style import human
from simulation.scenario.outputs import BY_NAME

if TYPE_CHECKING:
    from simulation.results.types import Results

#: The outputs of the section, in the order its table lists them.
MANAGEMENT_METRICS: tuple[str, ...] = (
    "agency_agent_days",
    "overtime_weeks",
    "hypercare_agent_days",
    "abandoned_tickets",
    "final_target_agents",
    "response_cost",
)

#: The input that holds the team size of the plan (before any review raised it).
PLAN_INPUT = "staffing.target_agents"


@dataclass(frozen=True)
class _Lever:
    """How one lever reads in the sentence: what management did when the P90 is above zero
    (``{}`` is the P90, formatted), and the noun phrase after "no" when it is zero."""

    metric: str
    done: str
    unit: str
    none: str


_LEVERS = (
    _Lever("agency_agent_days", "brought in at least {} agency agent-days", "", "agency staff"),
    _Lever("overtime_weeks", "ran overtime for at least {}", "weeks", "overtime"),
    _Lever(
        "hypercare_agent_days",
        "called the outgoing vendor back for at least {} agent-days of hypercare",
        "",
        "hypercare from the outgoing vendor",
    ),
    _Lever(
        "abandoned_tickets", "closed at least {} stale tickets unworked", "", "stale-ticket triage"
    ),
)


def planned_team(data: Results) -> float | None:
    """The team size of the plan (``staffing.target_agents``) when inputs.csv holds it as a
    fixed value; None when it is uncertain (no single plan) or inputs.csv is absent."""
    inputs = data.inputs
    if inputs.empty or "input" not in inputs.columns:
        return None
    rows = inputs[inputs["input"] == PLAN_INPUT]
    if len(rows) != 1 or bool(rows["uncertain"].iloc[0]):
        return None
    value = float(rows["mean"].iloc[0])
    return value if math.isfinite(value) else None


def management_rows(data: Results) -> list[dict[str, str]]:
    """Rows of the section's table: label, what it counts, P50 and P90 (units and currency
    filled), for each output of :data:`MANAGEMENT_METRICS` that summary.csv has."""
    plan = planned_team(data)
    rows = []
    for metric in MANAGEMENT_METRICS:
        if not data.has(metric):
            continue
        info = data.info(metric)
        meaning = BY_NAME[metric].meaning  # at most MAX_MEANING characters: a PDF cell
        if metric == "final_target_agents" and plan is not None:
            meaning += f" (the plan: {human(plan, 'agents')})"
        rows.append(
            {
                "metric": metric,
                "label": info.label,
                "meaning": meaning,
                "p50": human(data.stat(metric, "p50"), info.unit),
                "p90": human(data.stat(metric, "p90"), info.unit),
            }
        )
    return rows


def _shown_positive(value: float, text: str) -> bool:
    """``value`` is above zero and its formatted ``text`` does not round it to zero (a P90 of
    0.01 agent-days reads as none rather than as "at least 0")."""
    return value > 0.0 and float(text.split()[0].replace(",", "")) > 0.0


def _and(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def management_sentence(data: Results) -> str | None:
    """One plain sentence on the futures that needed the most help, from the P90 of each output.

    A P90 above zero says that one future in ten needed at least that much of the lever; a P90
    of zero that nine futures in ten used none of it ("used", not "needed": with the response
    switched off, ``response.enabled = false``, management used nothing however much help the
    service needed, and a results folder does not record the switch). Each P90 is its own: the
    futures that needed the most agency staff need not be those with the longest overtime,
    hence "the most of each kind of help". The team counts as help when its P90 exceeds the
    plan (known only for a fixed plan, see :func:`planned_team`). Outputs missing from
    summary.csv (or without a value) are left out; None when there is nothing to say.
    """
    done, none = _levers_used(data)
    cost, money = _response_cost(data)
    if done:
        return _help_sentence(done, none, cost, money)
    if none:
        return _no_help_sentence(none, cost, money)
    if cost > 0.0:
        return f"In the 10% of futures with the costliest response, it cost at least {money}."
    if cost == 0.0:
        return "In nine futures in ten management's response cost nothing."
    return None


def _levers_used(data: Results) -> tuple[list[str], list[str]]:
    """What management did in the futures that needed the most of each lever (clauses of
    :attr:`_Lever.done`, the team raised above the plan), and the levers nine futures in ten
    did without (noun phrases); a lever without a P90 in neither."""
    done: list[str] = []
    none: list[str] = []
    for lever in _LEVERS:
        p90 = data.stat(lever.metric, "p90")
        if math.isnan(p90):
            continue
        text = human(p90, lever.unit)
        if _shown_positive(p90, text):
            done.append(lever.done.format(text))
        else:
            none.append(lever.none)
    team, plan = data.stat("final_target_agents", "p90"), planned_team(data)
    if plan is not None and not math.isnan(team):
        if team > plan:
            done.append(
                f"raised the team target from {human(plan, '')} to at least {human(team, 'agents')}"
            )
        else:
            none.append("larger team")
    return done, none


def _response_cost(data: Results) -> tuple[float, str]:
    """The P90 of the response cost (NaN when unknown; 0 when less than one unit of currency)
    and its text."""
    cost = data.stat("response_cost", "p90")
    money = human(cost, data.currency)
    if cost > 0.0 and not _shown_positive(cost, money):
        cost = 0.0  # less than one unit of currency
    return cost, money


def _help_sentence(done: list[str], none: list[str], cost: float, money: str) -> str:
    """Some lever was needed: what management did, at what cost, and what it did without."""
    sentence = (
        "In the 10% of futures that needed the most of each kind of help, management " + _and(done)
    )
    if cost > 0.0:
        sentence += f", at a response cost of at least {money}"
    if none:
        sentence += "; in nine futures in ten it used " + _and([f"no {x}" for x in none])
    return sentence + "."


def _no_help_sentence(none: list[str], cost: float, money: str) -> str:
    """No lever was needed in nine futures in ten; what the response cost all the same."""
    sentence = "In nine futures in ten management used " + _and([f"no {x}" for x in none])
    if cost == 0.0:
        return sentence + ", and the response cost nothing."
    if cost > 0.0:
        return (
            sentence + f"; the costliest 10% of responses still cost at least {money} (each lever "
            "was used in at most one future in ten)."
        )
    return sentence + "."


def management_section(data: Results) -> dict[str, Any] | None:
    """What the report's section shows (``rows``, ``sentence``), or None when summary.csv has
    none of :data:`MANAGEMENT_METRICS` (a folder written before the management layer)."""
    rows = management_rows(data)
    if not rows:
        return None
    return {"rows": rows, "sentence": management_sentence(data)}
