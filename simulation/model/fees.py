"""The contract's prices and terms for a batch of runs (docs/model.md, section 9): the fee
month by month (fixed or per ticket, indexed, renewed, with its floor), the salary index, the
price of a vendor agent-day, the charge of a late ticket, the contract terms a cutover meets
and the emergency transitions of a vendor failure. Both paths price the vendor from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import recvec, vec
from simulation.model.record import RunRecord


def _years(M: int) -> NDArray[np.float64]:
    """Whole years since programme start at the beginning of each month (0-based months)."""
    return np.floor(np.arange(M) / 12.0)


def renewals_by_month(records: Sequence[RunRecord], M: int) -> NDArray[np.float64]:
    """(runs × months) how many times the contract has renewed by the start of each month.

    The first renewal is at the end of month ``contract_end_month`` (0: none), the next every
    ``renewal_term_months`` after it (0: it renews once)."""
    end = vec(records, "contract_end_month")[:, None]
    term = vec(records, "renewal_term_months")[:, None]
    since = np.arange(M, dtype=np.float64)[None, :] - end
    later = np.floor(since / np.where(term > 0, term, 1.0))
    count = np.where(term > 0, 1.0 + later, 1.0)
    return np.where((end > 0) & (since >= 0), count, 0.0)


def price_index(records: Sequence[RunRecord], M: int) -> NDArray[np.float64]:
    """(runs × months) the vendor's price relative to programme start: ``annual_price_increase``
    on each anniversary of the start, times ``1 + renewal_price_change`` at each renewal."""
    yearly = (1.0 + vec(records, "annual_price_increase"))[:, None] ** _years(M)
    change = (1.0 + vec(records, "renewal_price_change"))[:, None]
    return yearly * change ** renewals_by_month(records, M)


def salary_index(records: Sequence[RunRecord], M: int) -> NDArray[np.float64]:
    """(runs × months) every salary-priced cost relative to programme start:
    ``salary_increase_per_year`` on each anniversary of the start."""
    return (1.0 + vec(records, "salary_increase_per_year"))[:, None] ** _years(M)


def fee_base(
    records: Sequence[RunRecord], M: int, tickets_m: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The three parts of the vendor's monthly fee (see :func:`fee_by_month`): its price index
    (runs × months), its base before the index (runs × months: ``monthly_fee``, plus
    ``price_per_ticket × tickets_m`` under ``per_ticket``) and its floor (runs × 1)."""
    fixed = vec(records, "monthly_fee")[:, None]
    per_ticket = np.fromiter((r.p.fee_model == "per_ticket" for r in records), bool, len(records))
    base: NDArray[np.float64] = np.broadcast_to(fixed, (len(records), M))
    if per_ticket.any():
        if tickets_m is None:
            raise ValueError("a per-ticket fee needs the tickets of each month")
        price = np.where(per_ticket, vec(records, "price_per_ticket"), 0.0)[:, None]
        base = fixed + price * tickets_m
    return price_index(records, M), base, vec(records, "minimum_fee")[:, None]


def fee_by_month(
    records: Sequence[RunRecord],
    M: int,
    tickets_m: NDArray[np.float64] | None = None,
    share_m: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """(runs × months) the vendor's full monthly fee (currency/month) while it serves:

    ``price_index × max(base, minimum_fee)`` with ``base`` = ``monthly_fee`` (``fixed``) or
    ``monthly_fee + price_per_ticket × tickets_m`` (``per_ticket``: ``tickets_m`` the month's
    tickets, runs × months). ``share_m`` (runs × months, optional): the share of the service the
    vendor still provides, which scales ``base`` (a partial termination) but not the floor."""
    index, base, floor = fee_base(records, M, tickets_m)
    if share_m is not None:
        base = base * share_m
    return index * np.maximum(base, floor)


def vendor_day_rate(records: Sequence[RunRecord], M: int, D: int) -> NDArray[np.float64]:
    """(runs × months) the contract's price of one vendor agent-day: the fixed fee (at least
    the floor) over the vendor's agents and ``D`` working days a month, plus under
    ``per_ticket`` the tickets one vendor agent resolves a day at the price per ticket."""
    index = price_index(records, M)
    fixed = np.maximum(vec(records, "monthly_fee"), vec(records, "minimum_fee"))
    per_ticket = np.fromiter((r.p.fee_model == "per_ticket" for r in records), bool, len(records))
    fixed = np.where(per_ticket, vec(records, "monthly_fee"), fixed)
    rate = index * fixed[:, None] / (np.maximum(vec(records, "vendor_agents"), 1.0) * D)[:, None]
    if per_ticket.any():
        ticket = vec(records, "price_per_ticket") * vec(records, "vendor_tickets_per_agent_day")
        rate = rate + index * np.where(per_ticket, ticket, 0.0)[:, None]
    return rate


def salaries_rise(records: Sequence[RunRecord]) -> bool:
    """Whether any run of the batch raises its salaries during the horizon."""
    return bool(np.any(vec(records, "salary_increase_per_year") != 0.0))


def late_ticket_charge(records: Sequence[RunRecord]) -> NDArray[np.float64]:
    """Expected disruption charge of one late vendor ticket (currency), per run.

    A late ticket is charged ``costs.disruption_per_ticket_day`` (``c``) per day beyond the SLA,
    for at most ``K = disruption_cap_per_ticket / c`` days — the rate and cap of the
    backsourcing path's queue. Its lateness is taken as exponential with mean
    ``vendor.late_days`` (``L``, an assumption), so the expected charge is
    ``c · E[min(X, K)] = c · L · (1 − exp(−K / L))`` (``c · L`` without a cap, 0 with cap 0)."""
    rate = vec(records, "disruption_per_ticket_day")
    late = vec(records, "vendor_late_days")
    cap = vec(records, "disruption_cap_per_ticket")
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(rate > 0, cap / np.where(rate > 0, rate, 1.0), np.inf)
        saturating = -np.expm1(-days / np.where(late > 0, late, 1.0))
    return np.where((late > 0) & (rate > 0), rate * late * saturating, 0.0)


def vendor_quality(
    records: Sequence[RunRecord], served: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The vendor's late tickets and their disruption cost, on expected values (no random
    draw): ``served`` (runs × days or months) the tickets the vendor serves; returns the late
    tickets ``served × (1 − vendor.sla_compliance)`` and their cost (late tickets ×
    :func:`late_ticket_charge`), both shaped like ``served``."""
    miss = 1.0 - vec(records, "vendor_sla_compliance")
    shape = (-1,) + (1,) * (served.ndim - 1)
    late = served * miss.reshape(shape)
    return late, late * late_ticket_charge(records).reshape(shape)


def contract_end_after(
    records: Sequence[RunRecord], day: NDArray[np.float64], D: float
) -> NDArray[np.float64]:
    """Per run, the first end of a contract term on or after ``day`` (working days; inf when
    none is left): the terms end at ``contract_end_month`` and every ``renewal_term_months``
    after it. A term that ended before ``day`` was renewed; one that renewed once
    (``renewal_term_months`` 0) runs beyond the horizon."""
    end = vec(records, "contract_end_month") * D
    term = vec(records, "renewal_term_months") * D
    with np.errstate(divide="ignore", invalid="ignore"):
        later = end + np.ceil((day - end) / np.where(term > 0, term, 1.0)) * term
    after = np.where(day <= end, end, np.where(term > 0, later, np.inf))
    return np.where(end > 0, after, np.inf)


def failures_by_month(
    records: Sequence[RunRecord], M: int, D: float, day: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """(runs × months) ``vendor.emergency_transition_cost``, once in the month of each vendor
    failure within the horizon. ``day`` not given: the status quo's failures, every
    ``vendor_failure`` timed from programme start (the events timed from notice belong to the
    backsourcing programme); ``day`` (runs): the day the vendor failed on the backsourcing path
    (inf: it did not)."""
    out = np.zeros((len(records), M))
    if day is not None:
        hit = np.flatnonzero(day < M * D)
        out[hit, (day[hit] // D).astype(np.int64)] = vec(records, "emergency_transition_cost")[hit]
        return out
    for i, r in enumerate(records):
        for e in r.p.events:
            when = e.at_month * D
            if e.event == "vendor_failure" and e.relative_to == "start" and when < M * D:
                out[i, int(when // D)] += r.p.emergency_transition_cost
    return out


def raised_days(
    row: NDArray[np.intp],
    start: NDArray[np.float64],
    stop: NDArray[np.float64],
    increase: NDArray[np.float64],
    k: int,
    M: int,
    D: float,
) -> NDArray[np.float64]:
    """Per run, the working days of the intervals ``[start, stop)`` of run ``row``, each day
    weighted by the run's salary index ``(1 + increase)^year`` (years from programme start)."""
    years = max(1, math.ceil(M / 12))
    lo = np.arange(years, dtype=np.float64) * 12.0 * D
    days = np.clip(
        np.minimum(stop[:, None], lo + 12.0 * D) - np.maximum(start[:, None], lo), 0, None
    )
    factor = (1.0 + increase[row])[:, None] ** np.arange(years, dtype=np.float64)
    weighted = np.bincount(row, weights=(days * factor).sum(axis=1), minlength=k)
    return weighted.astype(np.float64)


def incoming_vendor(
    records: Sequence[RunRecord],
    in_house: NDArray[np.float64],
    tickets_m: NDArray[np.float64],
    M: int,
    D: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(runs × months) a new vendor's fee and its transition fee (paid in the month of notice);
    zero for runs whose team is built in house.

    The fee is ``incoming.monthly_fee + incoming.price_per_ticket × tickets_m`` for the whole
    service (``tickets_m``: the status-quo demand of each month, growth included), rising by its
    own yearly price increase on each anniversary of the start, paid for the share it has taken
    over (``in_house``)."""
    k = len(records)
    on = np.fromiter((r.p.incoming_vendor for r in records), np.float64, k)
    rise = (1.0 + vec(records, "incoming_price_increase"))[:, None] ** np.floor(np.arange(M) / 12.0)
    whole = vec(records, "incoming_monthly_fee")[:, None] + (
        vec(records, "incoming_price_per_ticket")[:, None] * tickets_m
    )
    fee = whole * on[:, None] * rise * in_house
    transition = np.zeros((k, M))
    day = recvec(records, "notice_day")
    pay = (on > 0.0) & (day < M * D)
    notice = np.minimum(np.where(pay, day, 0.0) // D, max(M - 1, 0)).astype(np.int64)
    if M:
        transition[np.flatnonzero(pay), notice[pay]] = vec(records, "incoming_transition_fee")[pay]
    return fee, transition
