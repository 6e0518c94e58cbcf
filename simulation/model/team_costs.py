"""The in-house team's side of the backsourcing path for a batch of runs, month by month: its
pay (salaries, hiring, managers: :func:`team_lines`) and what runs double before cutover while the
vendor is still paid (:func:`overlap_cost`); docs/model.md, section 9.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import FloatArray, recvec, share, vec
from simulation.model.cost_months import Months
from simulation.model.fees import raised_days, salaries_rise
from simulation.model.record import RunRecord
from simulation.model.vendor_costs import VendorLines


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
    # agents are grouped by run, in the order they joined; each run's rows are summed one
    # after the other (a sum over the first axis), so that agents who join later, with no days
    # in a month, leave that month's sum as it was (np.add.reduceat sums in another order, in
    # which they change its rounding: a run paused before they joined would differ)
    bounds = np.concatenate(([0], np.cumsum(per_run))).tolist()
    for i in np.flatnonzero(per_run).tolist():
        np.sum(days_in[bounds[i] : bounds[i + 1]], axis=0, out=salary_days[i])
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
