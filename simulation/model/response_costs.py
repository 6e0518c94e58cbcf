"""Management's response priced per run and working day (docs/model.md, sections 9 and 10):
agency staff, overtime, hypercare and stale tickets closed unworked. Per day, so that the part
paid before the transition ends can be told from the rest (:mod:`simulation.model.outcomes`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import periods, spread, vec
from simulation.model.fees import salaries_rise, salary_index, vendor_day_rate
from simulation.model.record import RunRecord


def response_by_day(
    records: Sequence[RunRecord],
    heads: NDArray[np.float64],
    overtime: NDArray[np.float64],
    abandoned: NDArray[np.float64],
    D: int,
) -> dict[str, NDArray[np.float64]]:
    """Management's response, per run and working day (nominal, scenario currency):

    * agency staff: ``agency_cost_factor`` × an internal agent's fully loaded cost per day, for
      every day present, and at least ``agency_min_days`` per person;
    * overtime: ``heads × overtime_hours × (1 + overtime_premium)`` agent-days of pay per day;
    * hypercare: ``hypercare_rate_factor`` × the contract's price per vendor agent-day
      (:func:`vendor_day_rate`: the month's fixed fee ÷ vendor agents ÷ working days a month,
      plus a vendor agent-day's tickets at the price per ticket);
    * abandoned tickets: ``costs.abandoned_ticket_cost`` each.

    Agency staff and overtime are priced from the agent's salary, so they rise with it
    (:func:`salary_index`).

    When a new vendor builds the team (``incoming.kind = "vendor"``) its agency staff and
    overtime are its own cost, within its fee: only hypercare and abandoned tickets are paid.

    Also the agent-days of agency and hypercare staff and the overtime days, per run.
    """
    k, n = heads.shape
    M = n // D if D else 0
    day_salary = vec(records, "salary_per_year") / (12.0 * D)
    raised = np.repeat(salary_index(records, M), D, axis=1) if salaries_rise(records) else None
    agency_days, agency = agency_cost(records, day_salary, k, n)
    hypercare_days, hypercare = hypercare_cost(records, k, n, D)
    pay = day_salary * vec(records, "overtime_hours") * (1.0 + vec(records, "overtime_premium"))
    overtime_cost = heads * overtime * pay[:, None]
    if raised is not None:
        agency = agency * raised
        overtime_cost = overtime_cost * raised
    tickets = abandoned * vec(records, "abandoned_ticket_cost")[:, None]
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    if incoming.any():  # a new vendor's own staff and hours are its cost, within its fee
        agency[incoming] = 0.0
        overtime_cost[incoming] = 0.0
    return {
        "cost": agency + hypercare + overtime_cost + tickets,
        "agency_days": agency_days.sum(axis=1),
        "hypercare_days": hypercare_days.sum(axis=1),
        "overtime_days": overtime.sum(axis=1),
    }


def agency_cost(
    records: Sequence[RunRecord], day_salary: NDArray[np.float64], k: int, n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Agency staff per run and working day: the agent-days present, and their cost before the
    salary index (``agency_cost_factor`` × ``day_salary``, an internal agent's pay per working
    day; at least ``agency_min_days`` per person, the rest billed on the person's last day)."""
    rows, start, end = periods(records, "agency_periods")
    agency_days = spread(rows, start, end, k, n)
    agency = agency_days * (vec(records, "agency_cost_factor") * day_salary)[:, None]
    if rows.size:  # the minimum billed per person, paid on its last day
        stay = np.minimum(end, float(n)) - start
        short = np.maximum(vec(records, "agency_min_days")[rows] - stay, 0.0)
        last = np.clip(np.floor(np.minimum(end, float(n)) - 1e-9), 0, n - 1).astype(np.intp)
        np.add.at(
            agency, (rows, last), short * (vec(records, "agency_cost_factor") * day_salary)[rows]
        )
    return agency_days, agency


def hypercare_cost(
    records: Sequence[RunRecord], k: int, n: int, D: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Hypercare per run and working day: the vendor agent-days, and their cost at
    ``hypercare_rate_factor`` × the contract's price per vendor agent-day."""
    rows, start, end = periods(records, "hypercare_periods")
    hypercare_days = spread(rows, start, end, k, n)
    M = n // D if D else 0
    hypercare = (
        hypercare_days
        * np.repeat(vendor_day_rate(records, M, D), D, axis=1)
        * vec(records, "hypercare_rate_factor")[:, None]
    )
    return hypercare_days, hypercare
