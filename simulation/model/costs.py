"""Cash flows of both paths for a batch of runs, month by month (docs/model.md, section 9).

All cash flows are accrued per month and discounted at the end of their month; the monthly
``cost_*`` series are cumulative discounted sums. Management's response (agency staff, overtime,
hypercare, abandoned tickets) is computed per working day first, so that the part paid before the
transition ends can be told from the rest. The contract's prices and terms come from
:mod:`simulation.model.fees`; :func:`cash_flows` puts the lines together: the vendor's part
(:func:`vendor_lines`), the team's (:func:`team_lines`), the double running before cutover
(:func:`overlap_cost`) and each strategy's adjustments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import recvec, share, vec, waves
from simulation.model.fees import (
    contract_end_after,
    failures_by_month,
    fee_base,
    fee_by_month,
    incoming_vendor,
    late_ticket_charge,
    raised_days,
    renewals_by_month,
    salaries_rise,
    salary_index,
    vendor_quality,
)
from simulation.model.record import RunRecord

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Months:
    """The calendar of a batch: ``k`` runs of ``M`` months of ``D`` working days (horizon ``H``
    days); ``lo`` / ``hi`` each month's first and end day (1 × months)."""

    k: int
    M: int
    D: float

    @property
    def H(self) -> float:
        return self.M * self.D

    @property
    def edges(self) -> FloatArray:
        return np.arange(self.M + 1, dtype=np.float64) * self.D


@dataclass(frozen=True)
class VendorLines:
    """The vendor's side of the backsourcing path (runs × months, currency unless said):
    ``engaged`` the share of the service the vendor serves (month-weighted), ``pending`` the
    waves' part of it (the kept part aside), ``in_house`` the share run in house, the fee paid
    ``base``, the ``extension`` premium, the ``termination`` fees, re-tendering (``retender`` ×
    ``renews``), and per run the waves (``w_share``, ``w_cut``), the ``kept`` share and the
    ``failure`` day."""

    engaged: FloatArray
    pending: FloatArray
    in_house: FloatArray
    base: FloatArray
    extension: FloatArray
    termination: FloatArray
    retender: FloatArray
    renews: NDArray[np.bool_]
    w_share: FloatArray
    w_cut: FloatArray
    kept: FloatArray
    failure: FloatArray


def vendor_lines(
    records: Sequence[RunRecord],
    cal: Months,
    fee_m: FloatArray,
    sq_tickets: FloatArray,
    cut: FloatArray,
    stay: NDArray[np.bool_],
) -> VendorLines:
    """The vendor is paid pro rata for the waves it still serves and the part it keeps, with a
    premium for each wave it serves past that wave's planned exit; each wave's exit pays its
    share of the termination fee (one wave of share 1: the whole contract) unless the vendor
    failed first (its replacement is a bridge to the planned exit) or the exit falls on or
    after the end of the term in force at notice. A part of the service pays its fee pro rata,
    down to the floor while the vendor serves at all; staying pays the renegotiated fee from
    ``stay.from_month`` on. The programme renews as usual until it serves notice (a part kept
    outsourced for good: to the horizon); a term that ends after notice is not renewed."""
    k, M, D, H = cal.k, cal.M, cal.D, cal.H
    edges = cal.edges
    lo, hi = edges[None, :-1], edges[None, 1:]
    zero = np.zeros(k)
    horizon = np.full(k, H)
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
    partial = (w_share[:, 0] < 1.0) | (kept > 0.0)
    base = fee_m * engaged
    if partial.any():
        prices, full, floor = fee_base(records, M, sq_tickets)
        present = share(lo, hi, zero, last_exit, D)
        pro_rata = prices * np.maximum(full * engaged, floor * present)
        base = np.where(partial[:, None], pro_rata, base)
    if stay.any():
        after = np.arange(M)[None, :] >= vec(records, "stay_from_month")[:, None]
        change = np.where(after, 1.0 + vec(records, "stay_fee_change")[:, None], 1.0)
        base = np.where(stay[:, None], base * change, base)
    extension = fee_m * vec(records, "extension_premium")[:, None] * extended
    renewed = np.diff(renewals_by_month(records, M), axis=1, prepend=0.0) > 0.0
    retender = renewed * vec(records, "retender_cost")[:, None]
    renewal_end = np.where(kept > 0.0, H, np.minimum(notice, cut))
    renews = edges[None, :-1] < renewal_end[:, None]
    return VendorLines(
        engaged, pending, in_house, base, extension, termination, retender, renews,
        w_share, w_cut, kept, failure,
    )  # fmt: skip


@dataclass(frozen=True)
class TeamLines:
    """The in-house team's pay (runs × months, currency): ``salaries`` (transfer premiums
    included), ``hiring`` (recruiting and training per hire, retention bonuses) and
    ``managers``; and what the double running before cutover needs: per agent its ``row``,
    ``starts``, ``stops`` and whether it was ``moved`` from the vendor; per run
    ``overlap_days`` (agent-days employed before cutover), ``hires_in_overlap``, the
    ``day_salary``, ``per_hire`` cost, ``mgr_year`` and ``eval_end``."""

    salaries: FloatArray
    hiring: FloatArray
    managers: FloatArray
    row: NDArray[np.intp]
    starts: FloatArray
    stops: FloatArray
    moved: NDArray[np.bool_]
    overlap_days: FloatArray
    hires_in_overlap: FloatArray
    day_salary: FloatArray
    per_hire: FloatArray
    mgr_year: FloatArray
    eval_end: FloatArray


def team_lines(records: Sequence[RunRecord], cal: Months, cut: FloatArray) -> TeamLines:
    """Agents are paid over ``[hired, left)``; agents transferred from the vendor are paid
    their premium and a retention bonus when they join, and cost no recruiting or training;
    the managers are paid from the end of evaluation. Nominal, before the salary index."""
    k, M, D, H = cal.k, cal.M, cal.D, cal.H
    edges = cal.edges
    lo, hi = edges[None, :-1], edges[None, 1:]
    horizon = np.full(k, H)
    per_run = np.fromiter((len(r.hired) for r in records), np.int64, k)
    row = np.repeat(np.arange(k), per_run)
    starts = np.concatenate([r.hired for r in records]) if per_run.sum() else np.zeros(0)
    stops = (
        np.minimum(np.concatenate([r.left for r in records]), H) if per_run.sum() else np.zeros(0)
    )
    day_salary = vec(records, "salary_per_year") / (12.0 * D)
    per_hire = vec(records, "recruiting_cost_per_hire") + vec(records, "training_cost_per_hire")
    days_in = np.clip(np.minimum(hi, stops[:, None]) - np.maximum(lo, starts[:, None]), 0.0, None)
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
    ).astype(np.float64, copy=False)  # (transferred agents' premiums: overlap_cost)
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
    ).astype(np.float64, copy=False)
    mgr_year = vec(records, "managers") * vec(records, "manager_salary_per_year")
    eval_end = recvec(records, "eval_end")
    managers = (mgr_year / 12.0)[:, None] * share(lo, hi, eval_end, horizon, D)
    return TeamLines(
        salaries, hiring, managers, row, starts, stops, moved, overlap_days, hires_in_overlap,
        day_salary, per_hire, mgr_year, eval_end,
    )  # fmt: skip


def overlap_cost(
    records: Sequence[RunRecord],
    cal: Months,
    cut: FloatArray,
    team: TeamLines,
    salaries: FloatArray,
    managers: FloatArray,
    vendor: VendorLines,
) -> FloatArray:
    """Per run, the internal cost paid while the vendor is still paid (nominal): salaries
    (raised by the salary index), hiring and managers before cutover, transferred agents'
    premiums and bonuses; with several waves each month's internal cost × the share of the
    service taken back that is still with the vendor. ``salaries`` and ``managers``: the
    team's, after the salary index."""
    k, M, D = cal.k, cal.M, cal.D
    row, starts, stops, moved = team.row, team.starts, team.stops, team.moved
    day_salary, per_hire, mgr_year = team.day_salary, team.per_hire, team.mgr_year
    overlap = (
        day_salary * team.overlap_days
        + team.hires_in_overlap * per_hire
        + mgr_year / (12.0 * D) * np.maximum(0.0, cut - np.minimum(team.eval_end, cut))
    )
    increase = vec(records, "salary_increase_per_year")
    rise = salaries_rise(records)
    if rise:
        agents = raised_days(row, starts, np.minimum(stops, cut[row]), increase, k, M, D)
        everyone = np.arange(k)
        boss = raised_days(everyone, np.minimum(team.eval_end, cut), cut, increase, k, M, D)
        raised = (
            day_salary * agents + team.hires_in_overlap * per_hire + mgr_year / (12.0 * D) * boss
        )
        overlap = np.where(increase != 0.0, raised, overlap)
    if moved.any():  # transferred agents before cutover: their premium and their bonus
        early = moved & (starts < cut[row])
        r_early = row[early]
        until = np.minimum(stops, cut[row])[early]
        premium_days: FloatArray
        if rise:
            premium_days = raised_days(r_early, starts[early], until, increase, k, M, D)
        else:
            premium_days = np.bincount(
                r_early, np.clip(until - starts[early], 0.0, None), minlength=k
            ).astype(np.float64)
        overlap += premium_days * vec(records, "transfer_salary_premium") * day_salary
        overlap += np.bincount(r_early, vec(records, "retention_bonus")[r_early], minlength=k)
    multi = np.count_nonzero(vendor.w_share > 0.0, axis=1) > 1
    if multi.any():  # waves: internal cost runs double only for the share not yet taken back
        taken = np.maximum(vendor.w_share.sum(axis=1), 1e-12)[:, None]
        staged = ((salaries + team.hiring + managers) * (vendor.pending / taken)).sum(axis=1)
        overlap = np.where(multi, staged, overlap)
    return overlap


def cash_flows(
    records: Sequence[RunRecord],
    ticket_days_m: FloatArray,
    response_m: FloatArray,
    cutover: FloatArray,
    M: int,
    D_days: int,
    sq_tickets_m: FloatArray | None = None,
    vendor_late_m: FloatArray | None = None,
    team_late_m: FloatArray | None = None,
) -> dict[str, FloatArray]:
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
    cal = Months(k, M, float(D_days))
    D, H = cal.D, cal.H
    zero = np.zeros(k)
    nothing = np.zeros((k, M))
    sq_tickets = nothing if sq_tickets_m is None else sq_tickets_m
    vendor_late = nothing if vendor_late_m is None else vendor_late_m
    # the contract: the same price on both paths while the vendor serves
    fee_m = fee_by_month(records, M, sq_tickets)
    cut = np.minimum(cutover, H)
    stay = np.fromiter((r.p.strategy == "stay" for r in records), bool, k)
    v = vendor_lines(records, cal, fee_m, sq_tickets, cut, stay)
    governance = vec(records, "governance_share")[:, None]
    team = team_lines(records, cal, cut)
    salaries, hiring, managers = team.salaries, team.hiring, team.managers
    monthly_total = np.fromiter((r.p.monthly_total for r in records), np.float64, k)
    monthly_items = monthly_total[:, None] * v.in_house
    one_off_total = np.fromiter((r.p.one_off_total for r in records), np.float64, k)
    if stay.any():  # staying: no programme to manage, its one-off is the renegotiation
        managers[stay] = 0.0
        one_off_total = np.where(stay, vec(records, "stay_renegotiation_cost"), one_off_total)
    disruption = vec(records, "disruption_per_ticket_day")[:, None] * ticket_days_m
    if team_late_m is not None and np.any(team_late_m > 0):  # the team's own misses
        disruption = disruption + team_late_m * late_ticket_charge(records)[:, None]
    if salaries_rise(records):
        index = salary_index(records, M)
        salaries = salaries * index
        managers = managers * index
    overlap = overlap_cost(records, cal, cut, team, salaries, managers, v)
    if stay.any():
        overlap[stay] = 0.0
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    if incoming.any():  # a new vendor's team: its fees instead of salaries, hiring, managers
        new_fee, transition = incoming_vendor(records, v.in_house, sq_tickets, M, D)
        salaries[incoming] = 0.0
        hiring[incoming] = 0.0
        managers[incoming] = 0.0
        # the retained organisation governs the new vendor as it did the old one
        monthly_items = monthly_items + new_fee * (1.0 + governance) + transition
        overlap[incoming] = transition[incoming].sum(axis=1)
    vendor_side, vendor_late_cost = paid_for_the_vendor(records, v, vendor_late, governance, M, D)
    bs = (
        vendor_side
        + v.termination
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
    sq = fee_m + governance * fee_m + v.retender + sq_late_cost + failures_by_month(records, M, D)
    cum_bs, cum_sq = discounted(records, M, bs), discounted(records, M, sq)
    return {
        "cum_bs": cum_bs,
        "cum_sq": cum_sq,
        "npv_bs": cum_bs[:, -1] if M else zero,
        "npv_sq": cum_sq[:, -1] if M else zero,
        "one_off": one_off_total,
        "overlap": overlap,
        "disruption": disruption.sum(axis=1),
        "termination": v.termination.sum(axis=1),
        "extension": v.extension.sum(axis=1),
        "vendor_disruption": vendor_late_cost.sum(axis=1),
        "sq_disruption": sq_late_cost.sum(axis=1),
        "breakeven": breakeven(cum_bs, cum_sq),
    }


def paid_for_the_vendor(
    records: Sequence[RunRecord],
    v: VendorLines,
    vendor_late: FloatArray,
    governance: FloatArray,
    M: int,
    D: float,
) -> tuple[FloatArray, FloatArray]:
    """What the backsourcing path pays for the vendor each month, summed as the status quo's
    is: the fee paid, governance on it, re-tendering at a renewal (the programme renews only
    before notice), the vendor's late tickets (while it serves), and a failed vendor's
    emergency transition for the share it still served; also the late tickets' cost."""
    vendor_late_cost = vendor_late * late_ticket_charge(records)[:, None]
    fee_paid = v.base + v.extension
    vendor_side = fee_paid + governance * fee_paid + v.retender * v.renews + vendor_late_cost
    if np.isfinite(v.failure).any():  # a failed vendor's part passes to a replacement
        serving = v.kept + np.sum(v.w_share * (v.w_cut > v.failure[:, None]), axis=1)
        vendor_side = vendor_side + serving[:, None] * failures_by_month(records, M, D, v.failure)
    return vendor_side, vendor_late_cost


def discounted(records: Sequence[RunRecord], M: int, flows: FloatArray) -> FloatArray:
    """(runs × months) cumulative sums of monthly cash flows, each discounted at the end of
    its month, ``(1 + scenario.discount_rate)^(−m/12)``."""
    disc = (1.0 + vec(records, "discount_rate"))[:, None] ** (-np.arange(1, M + 1) / 12.0)
    return np.cumsum(flows * disc, axis=1)


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
