"""Cash flows of both paths for a batch of runs, month by month (docs/model.md, section 9).

All cash flows are accrued per month and discounted at the end of their month; the monthly
``cost_*`` series are cumulative discounted sums. Management's response (agency staff, overtime,
hypercare, abandoned tickets) is computed per working day first, so that the part paid before the
transition ends can be told from the rest. The contract's prices and terms come from
:mod:`simulation.model.fees`; :func:`cash_flows` puts the lines together: the vendor's part
(:mod:`simulation.model.vendor_costs`), the team's and the double running before cutover
(:mod:`simulation.model.team_costs`), each strategy's adjustments (:func:`in_house_lines`) and
the disruption of late tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import FloatArray, vec
from simulation.model.cost_months import Months, breakeven, discounted
from simulation.model.fees import (
    failures_by_month,
    fee_by_month,
    incoming_vendor,
    late_ticket_charge,
    salaries_rise,
    salary_index,
    vendor_quality,
)
from simulation.model.record import RunRecord
from simulation.model.team_costs import overlap_cost, team_lines
from simulation.model.vendor_costs import VendorLines, paid_for_the_vendor, vendor_lines


@dataclass(frozen=True)
class ServiceByMonth:
    """What the service did each month that costs money (runs × months).

    ``ticket_days``: the ticket-days beyond SLA charged; ``response``: the response's cost
    (:func:`response_by_day` summed by month); ``sq_tickets``: the status-quo path's tickets
    (the per-ticket fee, the vendor's late tickets); ``vendor_late``: the vendor's late tickets
    on the backsourcing path (the outgoing vendor's while it serves, a new vendor's after a
    switch), charged at :func:`late_ticket_charge`; ``team_late``: the in-house team's own late
    tickets (``staffing.sla_compliance``), charged alike as disruption. The last three are zero
    when not given."""

    ticket_days: FloatArray
    response: FloatArray
    sq_tickets: FloatArray | None = None
    vendor_late: FloatArray | None = None
    team_late: FloatArray | None = None


@dataclass(frozen=True)
class InHouseLines:
    """The backsourcing path's own costs once each strategy is accounted for (runs × months,
    currency): ``salaries`` and ``managers`` (after the salary index), ``hiring``, the
    ``items`` (``costs.monthly_*`` for the share run in house, a new vendor's fees); per run
    the ``one_off`` (paid in month 1) and the ``overlap`` (nominal)."""

    salaries: FloatArray
    hiring: FloatArray
    managers: FloatArray
    items: FloatArray
    one_off: FloatArray
    overlap: FloatArray


def in_house_lines(
    records: Sequence[RunRecord],
    cal: Months,
    cut: FloatArray,
    v: VendorLines,
    sq_tickets: FloatArray,
    stay: NDArray[np.bool_],
) -> InHouseLines:
    """The team's pay (:func:`team_lines`), raised by the salary index, with the monthly and
    one-off cost items and the double running (:func:`overlap_cost`). Staying has no programme
    to manage, its one-off is the renegotiation and nothing runs double; when a new vendor
    builds the team its fees (governed as the old one's) replace salaries, hiring and managers,
    and its transition fee is the overlap."""
    k, M = cal.k, cal.M
    team = team_lines(records, cal, cut)
    salaries, hiring, managers = team.salaries, team.hiring, team.managers
    monthly_total = np.fromiter((r.p.monthly_total for r in records), np.float64, k)
    items = monthly_total[:, None] * v.in_house
    one_off = np.fromiter((r.p.one_off_total for r in records), np.float64, k)
    if stay.any():  # staying: no programme to manage, its one-off is the renegotiation
        managers[stay] = 0.0
        one_off = np.where(stay, vec(records, "stay_renegotiation_cost"), one_off)
    if salaries_rise(records):
        index = salary_index(records, M)
        salaries = salaries * index
        managers = managers * index
    overlap = overlap_cost(records, cal, cut, team, salaries, managers, v)
    if stay.any():
        overlap[stay] = 0.0
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    if incoming.any():  # a new vendor's team: its fees instead of salaries, hiring, managers
        new_fee, transition = incoming_vendor(records, v.in_house, sq_tickets, M, cal.D)
        salaries[incoming] = 0.0
        hiring[incoming] = 0.0
        managers[incoming] = 0.0
        # the retained organisation governs the new vendor as it did the old one
        governance = vec(records, "governance_share")[:, None]
        items = items + new_fee * (1.0 + governance) + transition
        overlap[incoming] = transition[incoming].sum(axis=1)
    return InHouseLines(salaries, hiring, managers, items, one_off, overlap)


def disruption_by_month(records: Sequence[RunRecord], service: ServiceByMonth) -> FloatArray:
    """(runs × months) the disruption of the backsourcing path's late tickets: each ticket-day
    beyond SLA at ``costs.disruption_per_ticket_day``, and the team's own late tickets at
    :func:`late_ticket_charge`."""
    disruption = vec(records, "disruption_per_ticket_day")[:, None] * service.ticket_days
    team_late = service.team_late
    if team_late is not None and np.any(team_late > 0):  # the team's own misses
        disruption = disruption + team_late * late_ticket_charge(records)[:, None]
    return disruption


def cash_flows(
    records: Sequence[RunRecord], service: ServiceByMonth, cutover: FloatArray, M: int, D_days: int
) -> dict[str, FloatArray]:
    """Monthly nominal cash flows of both paths, discounted; see docs/model.md (Costs).

    ``service``: what the service did each month that costs money; ``cutover``: each run's
    cutover day; ``M`` months of ``D_days`` working days. Per run the NPVs, the cost lines
    (nominal) and the breakeven month; (runs × months) the cumulative discounted costs."""
    k = len(records)
    cal = Months(k, M, float(D_days))
    D, H = cal.D, cal.H
    zero = np.zeros(k)
    nothing = np.zeros((k, M))
    sq_tickets = nothing if service.sq_tickets is None else service.sq_tickets
    vendor_late = nothing if service.vendor_late is None else service.vendor_late
    # the contract: the same price on both paths while the vendor serves
    fee_m = fee_by_month(records, M, sq_tickets)
    cut = np.minimum(cutover, H)
    stay = np.fromiter((r.p.strategy == "stay" for r in records), bool, k)
    v = vendor_lines(records, cal, fee_m, sq_tickets, cut, stay)
    governance = vec(records, "governance_share")[:, None]
    own = in_house_lines(records, cal, cut, v, sq_tickets, stay)
    disruption = disruption_by_month(records, service)
    vendor_side, vendor_late_cost = paid_for_the_vendor(records, v, vendor_late, governance, M, D)
    bs = (
        vendor_side
        + v.termination
        + own.salaries
        + own.hiring
        + own.managers
        + own.items
        + disruption
        + service.response
    )
    if M:
        bs[:, 0] += own.one_off
    _, sq_late_cost = vendor_quality(records, sq_tickets)
    sq = fee_m + governance * fee_m + v.retender + sq_late_cost + failures_by_month(records, M, D)
    cum_bs, cum_sq = discounted(records, M, bs), discounted(records, M, sq)
    return {
        "cum_bs": cum_bs,
        "cum_sq": cum_sq,
        "npv_bs": cum_bs[:, -1] if M else zero,
        "npv_sq": cum_sq[:, -1] if M else zero,
        "one_off": own.one_off,
        "overlap": own.overlap,
        "disruption": disruption.sum(axis=1),
        "termination": v.termination.sum(axis=1),
        "extension": v.extension.sum(axis=1),
        "vendor_disruption": vendor_late_cost.sum(axis=1),
        "sq_disruption": sq_late_cost.sum(axis=1),
        "breakeven": breakeven(cum_bs, cum_sq),
    }
