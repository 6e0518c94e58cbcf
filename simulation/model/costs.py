"""Cash flows of both paths for a batch of runs, month by month (docs/model.md, section 9).

All cash flows are accrued per month and discounted at the end of their month; the monthly
``cost_*`` series are cumulative discounted sums. Management's response (agency staff, overtime,
hypercare, abandoned tickets) is computed per working day first, so that the part paid before the
transition ends can be told from the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import periods, recvec, share, spread, vec
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


def _fee_base(
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
    index, base, floor = _fee_base(records, M, tickets_m)
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


def waves(
    records: Sequence[RunRecord],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Each run's waves as (runs × waves) arrays, padded with empty waves: their share of the
    contract, planned exit and cutover day (``inf``: not within the horizon); and (runs) the
    share the vendor keeps for good. One big bang is one wave of share 1."""
    k = len(records)
    width = max([len(r.wave_cutover) for r in records] + [1])
    shares = np.zeros((k, width))
    planned = np.full((k, width), np.inf)
    cut = np.full((k, width), np.inf)
    kept = np.zeros(k)
    for i, r in enumerate(records):
        if r.p.strategy == "stay":  # no wave: the vendor keeps everything
            kept[i] = 1.0
            continue
        if not r.wave_cutover:  # a record without waves: one big bang
            shares[i, 0], planned[i, 0], cut[i, 0] = 1.0, r.planned_exit, r.cutover_day
            continue
        n = len(r.wave_cutover)
        shares[i, :n] = [w for w, _ in r.p.waves]
        planned[i, :n] = r.wave_planned
        cut[i, :n] = r.wave_cutover
        kept[i] = r.p.kept_share
    return shares, planned, cut, kept


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
    rows, start, end = periods(records, "hypercare_periods")
    hypercare_days = spread(rows, start, end, k, n)
    hypercare = (
        hypercare_days
        * np.repeat(vendor_day_rate(records, M, D), D, axis=1)
        * vec(records, "hypercare_rate_factor")[:, None]
    )
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


def _failures_by_month(
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


def _raised_days(
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


def cash_flows(
    records: Sequence[RunRecord],
    ticket_days_m: NDArray[np.float64],
    response_m: NDArray[np.float64],
    cutover: NDArray[np.float64],
    M: int,
    D_days: int,
    sq_tickets_m: NDArray[np.float64] | None = None,
    vendor_late_m: NDArray[np.float64] | None = None,
    team_late_m: NDArray[np.float64] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Monthly nominal cash flows of both paths, discounted; see docs/model.md (Costs).

    ``ticket_days_m``: the ticket-days beyond SLA charged each month; ``response_m``: the
    response's cost each month (:func:`response_by_day` summed by month); ``sq_tickets_m``: the
    status-quo path's tickets each month (the per-ticket fee, the vendor's late tickets);
    ``vendor_late_m``: the vendor's late tickets each month on the backsourcing path (the
    outgoing vendor's while it serves, a new vendor's after a switch), charged at
    :func:`late_ticket_charge`; ``team_late_m``: the in-house team's own late tickets each month
    (``staffing.sla_compliance``), charged alike as disruption. All (runs × months), zero when
    not given."""
    k = len(records)
    D = float(D_days)
    H = M * D
    edges = np.arange(M + 1, dtype=np.float64) * D
    lo, hi = edges[None, :-1], edges[None, 1:]
    zero = np.zeros(k)
    horizon = np.full(k, H)
    nothing = np.zeros((k, M))
    sq_tickets = nothing if sq_tickets_m is None else sq_tickets_m
    vendor_late = nothing if vendor_late_m is None else vendor_late_m
    # the contract: the same price on both paths while the vendor serves
    fee_m = fee_by_month(records, M, sq_tickets)
    cut = np.minimum(cutover, H)
    # the vendor is paid pro rata for the waves it still serves and the part it keeps, with a
    # premium for each wave it serves past that wave's planned exit; each wave's exit pays its
    # share of the termination fee (one wave of share 1: the whole contract) unless the vendor
    # failed first (its replacement is a bridge to the planned exit) or the exit falls on or
    # after the end of the term in force at notice
    w_share, w_planned, w_cut, kept = waves(records)
    engaged = kept[:, None] * np.ones((1, M))
    pending = np.zeros((k, M))  # the waves' shares still with the vendor (the kept part aside)
    extended = np.zeros((k, M))
    in_house = np.zeros((k, M))  # the share of the service run in house, month by month
    termination = np.zeros((k, M))
    fee_end = vec(records, "termination_fee")
    notice = recvec(records, "notice_day")
    failure = recvec(records, "failure_day")
    term_end = contract_end_after(records, notice, D)
    last_exit = np.where(kept > 0.0, H, 0.0)  # until when the vendor serves anything
    for j in range(w_share.shape[1]):
        wj = w_share[:, j]
        cj = np.minimum(w_cut[:, j], H)
        pj = np.minimum(np.maximum(w_planned[:, j], 0.0), cj)
        with_vendor = wj[:, None] * share(lo, hi, zero, cj, D)
        engaged += with_vendor
        pending += with_vendor
        extended += wj[:, None] * share(lo, hi, pj, cj, D)
        in_house += wj[:, None] * share(lo, hi, cj, horizon, D)
        last_exit = np.where(wj > 0.0, np.maximum(last_exit, cj), last_exit)
        owed = (w_cut[:, j] < H) & (wj > 0.0) & (w_cut[:, j] < failure) & (w_cut[:, j] < term_end)
        exits = np.flatnonzero(owed)
        termination[exits, (w_cut[exits, j] // D).astype(np.int64)] += (fee_end * wj)[exits]
    # a part of the service: its fee pro rata, down to the floor while the vendor serves at all
    partial = (w_share[:, 0] < 1.0) | (kept > 0.0)
    vendor_base = fee_m * engaged
    if partial.any():
        prices, base, floor = _fee_base(records, M, sq_tickets)
        present = share(lo, hi, zero, last_exit, D)
        pro_rata = prices * np.maximum(base * engaged, floor * present)
        vendor_base = np.where(partial[:, None], pro_rata, vendor_base)
    stay = np.fromiter((r.p.strategy == "stay" for r in records), bool, k)
    if stay.any():  # staying: the renegotiated fee from stay.from_month on
        after = np.arange(M)[None, :] >= vec(records, "stay_from_month")[:, None]
        change = np.where(after, 1.0 + vec(records, "stay_fee_change")[:, None], 1.0)
        vendor_base = np.where(stay[:, None], vendor_base * change, vendor_base)
    extension = fee_m * vec(records, "extension_premium")[:, None] * extended
    governance = vec(records, "governance_share")[:, None]
    renewed = np.diff(renewals_by_month(records, M), axis=1, prepend=0.0) > 0.0
    retender = renewed * vec(records, "retender_cost")[:, None]
    # the programme renews as usual until it serves notice (a part kept outsourced for good:
    # to the horizon); a term that ends after notice is not renewed
    renewal_end = np.where(kept > 0.0, H, np.minimum(notice, cut))
    renews_too = edges[None, :-1] < renewal_end[:, None]
    # agents: employed over [hired, left)
    per_run = np.fromiter((len(r.hired) for r in records), np.int64, k)
    row = np.repeat(np.arange(k), per_run)
    starts = np.concatenate([r.hired for r in records]) if per_run.sum() else np.zeros(0)
    stops = (
        np.minimum(np.concatenate([r.left for r in records]), H) if per_run.sum() else np.zeros(0)
    )
    day_salary = vec(records, "salary_per_year") / (12.0 * D)
    per_hire = vec(records, "recruiting_cost_per_hire") + vec(records, "training_cost_per_hire")
    days_in = np.clip(np.minimum(hi, stops[:, None]) - np.maximum(lo, starts[:, None]), 0.0, None)
    # agents transferred from the vendor: paid their premium, a retention bonus when they join,
    # no recruiting or training
    moved = np.zeros(starts.shape, dtype=bool)
    if any(r.transferred_agents for r in records):
        moved = np.concatenate([np.asarray(r.moved, dtype=bool) for r in records])
        days_in *= (1.0 + vec(records, "transfer_salary_premium")[row] * moved)[:, None]
    salary_days = np.zeros((k, M))
    staffed = np.flatnonzero(per_run)
    if staffed.size:  # agents are grouped by run: one reduceat sums each run's rows
        first = np.concatenate(([0], np.cumsum(per_run)[:-1]))[staffed]
        salary_days[staffed] = np.add.reduceat(days_in, first, axis=0)
    salaries = day_salary[:, None] * salary_days
    overlap_days = np.bincount(
        row, weights=np.clip(np.minimum(stops, cut[row]) - starts, 0.0, None), minlength=k
    )  # (a transferred agent's premium and bonus count in the overlap below)
    hired_in = (starts < H) & ~moved
    hire_month = np.minimum((starts[hired_in] // D).astype(np.int64), M - 1)
    hires_m = np.bincount(row[hired_in] * M + hire_month, minlength=k * M).reshape(k, M)
    hiring = hires_m * per_hire[:, None]
    if moved.any():
        joined = moved & (starts < H)
        month = np.minimum((starts[joined] // D).astype(np.int64), M - 1)
        bonus = vec(records, "retention_bonus")[row[joined]]
        hiring += np.bincount(row[joined] * M + month, bonus, minlength=k * M).reshape(k, M)
    hires_in_overlap = np.bincount(
        row, weights=((starts < cut[row]) & ~moved).astype(np.float64), minlength=k
    )
    mgr_year = vec(records, "managers") * vec(records, "manager_salary_per_year")
    eval_end = recvec(records, "eval_end")
    managers = (mgr_year / 12.0)[:, None] * share(lo, hi, eval_end, horizon, D)
    monthly_total = np.fromiter((r.p.monthly_total for r in records), np.float64, k)
    monthly_items = monthly_total[:, None] * in_house
    one_off_total = np.fromiter((r.p.one_off_total for r in records), np.float64, k)
    if stay.any():  # staying: no programme to manage, its one-off is the renegotiation
        managers[stay] = 0.0
        one_off_total = np.where(stay, vec(records, "stay_renegotiation_cost"), one_off_total)
    disruption = vec(records, "disruption_per_ticket_day")[:, None] * ticket_days_m
    if team_late_m is not None and np.any(team_late_m > 0):  # the team's own misses
        disruption = disruption + team_late_m * late_ticket_charge(records)[:, None]
    overlap = (
        day_salary * overlap_days
        + hires_in_overlap * per_hire
        + mgr_year / (12.0 * D) * np.maximum(0.0, cut - np.minimum(eval_end, cut))
    )
    increase = vec(records, "salary_increase_per_year")
    rise = salaries_rise(records)
    if rise:
        index = salary_index(records, M)
        salaries = salaries * index
        managers = managers * index
        agents = _raised_days(row, starts, np.minimum(stops, cut[row]), increase, k, M, D)
        everyone = np.arange(k)
        boss = _raised_days(everyone, np.minimum(eval_end, cut), cut, increase, k, M, D)
        raised = day_salary * agents + hires_in_overlap * per_hire + mgr_year / (12.0 * D) * boss
        overlap = np.where(increase != 0.0, raised, overlap)
    if moved.any():  # transferred agents before cutover: their premium and their bonus
        early = moved & (starts < cut[row])
        r_early = row[early]
        until = np.minimum(stops, cut[row])[early]
        premium_days: NDArray[np.float64]
        if rise:
            premium_days = _raised_days(r_early, starts[early], until, increase, k, M, D)
        else:
            premium_days = np.bincount(
                r_early, np.clip(until - starts[early], 0.0, None), minlength=k
            ).astype(np.float64)
        overlap += premium_days * vec(records, "transfer_salary_premium") * day_salary
        overlap += np.bincount(r_early, vec(records, "retention_bonus")[r_early], minlength=k)
    multi = np.count_nonzero(w_share > 0.0, axis=1) > 1
    if multi.any():  # waves: internal cost runs double only for the share not yet taken back
        taken = np.maximum(w_share.sum(axis=1), 1e-12)[:, None]
        staged = ((salaries + hiring + managers) * (pending / taken)).sum(axis=1)
        overlap = np.where(multi, staged, overlap)
    if stay.any():
        overlap[stay] = 0.0
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    if incoming.any():  # a new vendor's team: its fees instead of salaries, hiring, managers
        new_fee, transition = _incoming_vendor(records, in_house, sq_tickets, M, D)
        salaries[incoming] = 0.0
        hiring[incoming] = 0.0
        managers[incoming] = 0.0
        # the retained organisation governs the new vendor as it did the old one
        monthly_items = monthly_items + new_fee * (1.0 + governance) + transition
        overlap[incoming] = transition[incoming].sum(axis=1)
    # what each path pays for the vendor, summed alike: the fee paid, governance on it,
    # re-tendering at a renewal, the vendor's late tickets (the programme renews only before
    # notice; its vendor serves only until cutover)
    vendor_late_cost = vendor_late * late_ticket_charge(records)[:, None]
    fee_paid = vendor_base + extension
    vendor_side = fee_paid + governance * fee_paid + retender * renews_too + vendor_late_cost
    if np.isfinite(failure).any():  # a failed vendor's part passes to a replacement
        serving = kept + np.sum(w_share * (w_cut > failure[:, None]), axis=1)
        vendor_side = vendor_side + serving[:, None] * _failures_by_month(records, M, D, failure)
    bs = (
        vendor_side
        + termination
        + salaries
        + hiring
        + managers
        + monthly_items
        + disruption
        + response_m
    )
    if M:
        bs[:, 0] += one_off_total
    _, sq_late_cost = vendor_quality(records, sq_tickets)
    sq = fee_m + governance * fee_m + retender + sq_late_cost + _failures_by_month(records, M, D)
    disc = (1.0 + vec(records, "discount_rate"))[:, None] ** (-np.arange(1, M + 1) / 12.0)
    cum_bs = np.cumsum(bs * disc, axis=1)
    cum_sq = np.cumsum(sq * disc, axis=1)
    return {
        "cum_bs": cum_bs,
        "cum_sq": cum_sq,
        "npv_bs": cum_bs[:, -1] if M else zero,
        "npv_sq": cum_sq[:, -1] if M else zero,
        "one_off": one_off_total,
        "overlap": overlap,
        "disruption": disruption.sum(axis=1),
        "termination": termination.sum(axis=1),
        "extension": extension.sum(axis=1),
        "vendor_disruption": vendor_late_cost.sum(axis=1),
        "sq_disruption": sq_late_cost.sum(axis=1),
        "breakeven": breakeven(cum_bs, cum_sq),
    }


def _incoming_vendor(
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
