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


def fee_by_month(records: Sequence[RunRecord], M: int) -> NDArray[np.float64]:
    """(runs × months) the vendor's monthly fee, stepping up each anniversary of the start."""
    price = (1.0 + vec(records, "annual_price_increase"))[:, None] ** np.floor(np.arange(M) / 12.0)
    return vec(records, "monthly_fee")[:, None] * price


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
    * hypercare: ``hypercare_rate_factor`` × the contract's price per vendor agent-day (the
      month's fee ÷ vendor agents ÷ working days a month);
    * abandoned tickets: ``costs.abandoned_ticket_cost`` each.

    When a new vendor builds the team (``incoming.kind = "vendor"``) its agency staff and
    overtime are its own cost, within its fee: only hypercare and abandoned tickets are paid.

    Also the agent-days of agency and hypercare staff and the overtime days, per run.
    """
    k, n = heads.shape
    M = n // D if D else 0
    day_salary = vec(records, "salary_per_year") / (12.0 * D)
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
    per_agent_day = (
        fee_by_month(records, M) / (np.maximum(vec(records, "vendor_agents"), 1.0) * D)[:, None]
    )
    hypercare = (
        hypercare_days
        * np.repeat(per_agent_day, D, axis=1)
        * vec(records, "hypercare_rate_factor")[:, None]
    )
    pay = day_salary * vec(records, "overtime_hours") * (1.0 + vec(records, "overtime_premium"))
    overtime_cost = heads * overtime * pay[:, None]
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


def cash_flows(
    records: Sequence[RunRecord],
    ticket_days_m: NDArray[np.float64],
    response_m: NDArray[np.float64],
    cutover: NDArray[np.float64],
    M: int,
    D_days: int,
) -> dict[str, NDArray[np.float64]]:
    """Monthly nominal cash flows of both paths, discounted; see docs/model.md (Costs).

    ``ticket_days_m``: the ticket-days beyond SLA charged each month; ``response_m``: the
    response's cost each month (:func:`response_by_day` summed by month)."""
    k = len(records)
    D = float(D_days)
    H = M * D
    edges = np.arange(M + 1, dtype=np.float64) * D
    lo, hi = edges[None, :-1], edges[None, 1:]
    zero = np.zeros(k)
    horizon = np.full(k, H)
    fee_m = fee_by_month(records, M)
    cut = np.minimum(cutover, H)
    # the vendor is paid pro rata for the waves it still serves and the part it keeps, with a
    # premium for each wave it serves past that wave's planned exit; each wave's exit pays its
    # share of the termination fee (one wave of share 1: the whole contract)
    w_share, w_planned, w_cut, kept = waves(records)
    engaged = kept[:, None] * np.ones((1, M))
    extended = np.zeros((k, M))
    in_house = np.zeros((k, M))  # the share of the service run in house, month by month
    termination = np.zeros((k, M))
    fee_end = vec(records, "termination_fee")
    for j in range(w_share.shape[1]):
        wj = w_share[:, j]
        cj = np.minimum(w_cut[:, j], H)
        pj = np.minimum(np.maximum(w_planned[:, j], 0.0), cj)
        engaged += wj[:, None] * share(lo, hi, zero, cj, D)
        extended += wj[:, None] * share(lo, hi, pj, cj, D)
        in_house += wj[:, None] * share(lo, hi, cj, horizon, D)
        exits = np.flatnonzero((w_cut[:, j] < H) & (wj > 0.0))
        termination[exits, (w_cut[exits, j] // D).astype(np.int64)] += (fee_end * wj)[exits]
    vendor_base = fee_m * engaged
    extension = fee_m * vec(records, "extension_premium")[:, None] * extended
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
    disruption = vec(records, "disruption_per_ticket_day")[:, None] * ticket_days_m
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    if incoming.any():  # a new vendor's team: its fees instead of salaries, hiring, managers
        new_fee, transition = _incoming_vendor(records, in_house, M, D)
        salaries[incoming] = 0.0
        hiring[incoming] = 0.0
        managers[incoming] = 0.0
        monthly_items = monthly_items + new_fee + transition
    bs = (
        vendor_base
        + extension
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
    disc = (1.0 + vec(records, "discount_rate"))[:, None] ** (-np.arange(1, M + 1) / 12.0)
    cum_bs = np.cumsum(bs * disc, axis=1)
    cum_sq = np.cumsum(fee_m * disc, axis=1)
    overlap = (
        day_salary * overlap_days
        + hires_in_overlap * per_hire
        + mgr_year / (12.0 * D) * np.maximum(0.0, cut - np.minimum(eval_end, cut))
    )
    if moved.any():  # transferred agents before cutover: their premium and their bonus
        early = moved & (starts < cut[row])
        premium = vec(records, "transfer_salary_premium")[row] * day_salary[row]
        extra = np.clip(np.minimum(stops, cut[row]) - starts, 0.0, None) * premium
        extra += vec(records, "retention_bonus")[row]
        overlap += np.bincount(row[early], extra[early], minlength=k)
    if incoming.any():  # before cutover the new vendor is paid its transition fee only
        overlap[incoming] = transition[incoming].sum(axis=1)
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
        "breakeven": breakeven(cum_bs, cum_sq),
    }


def _incoming_vendor(
    records: Sequence[RunRecord], in_house: NDArray[np.float64], M: int, D: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(runs × months) a new vendor's fee (``incoming.monthly_fee`` for the whole service,
    rising by its own yearly price increase on each anniversary of the start, paid for the
    share it has taken over) and its transition fee, paid in the month of notice; zero for
    runs whose team is built in house."""
    k = len(records)
    on = np.fromiter((r.p.incoming_vendor for r in records), np.float64, k)
    rise = (1.0 + vec(records, "incoming_price_increase"))[:, None] ** np.floor(np.arange(M) / 12.0)
    fee = (vec(records, "incoming_monthly_fee") * on)[:, None] * rise * in_house
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
