"""From what happened in a batch of runs to their outputs: queue, monthly series, costs, scalars.

The SimPy part of the model (:mod:`simulation.model`) records, per run, only what the programme
did: the daily ticket arrivals, the capacity segments, every agent's start and leaving day, the
cutover day and a few counts (:class:`RunRecord`). Everything that follows from those is
arithmetic over days and months, done here for a whole batch of runs at once on
``(runs × days)`` and ``(runs × months)`` arrays, so numpy's per-call cost is paid once per
batch instead of once per run. One run is a batch of one; the numbers do not depend on how runs
are batched. Equations and units: docs/model.md (sections 5, 7 and 8).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation import schema
from simulation.model.queue import allowed_age, fifo_queue_rows
from simulation.model.record import RunRecord
from simulation.params import ModelInputs

SCALAR_NAMES: tuple[str, ...] = schema.SCALAR_NAMES
SERIES_NAMES: tuple[str, ...] = schema.SERIES_NAMES
_SCALAR = {name: j for j, name in enumerate(SCALAR_NAMES)}
_SERIES = {name: j for j, name in enumerate(SERIES_NAMES)}


@dataclass(frozen=True)
class Outcomes:
    """Outputs of a batch of runs, in the order given.

    ``scalars``: (runs, len(SCALAR_NAMES)) float64; ``monthly``: (runs, len(SERIES_NAMES),
    horizon_months) float64 (units in docs/model.md, section 8).
    """

    scalars: NDArray[np.float64]
    monthly: NDArray[np.float64]


def _calendar(p: ModelInputs) -> tuple[int, int, int, int, int]:
    n = p.horizon_months * p.working_days_per_month
    return (
        p.horizon_months,
        p.working_days_per_month,
        p.working_days_per_week,
        allowed_age(p.sla_days, n),
        p.stable_weeks,
    )


def outcomes(records: Sequence[RunRecord]) -> Outcomes:
    """Outputs of every record (runs sharing a calendar are computed together)."""
    k = len(records)
    if k == 0:
        return Outcomes(np.zeros((0, len(SCALAR_NAMES))), np.zeros((0, len(SERIES_NAMES), 0)))
    groups: dict[tuple[int, int, int, int, int], list[int]] = {}
    for i, rec in enumerate(records):
        groups.setdefault(_calendar(rec.p), []).append(i)
    if len(groups) == 1:
        return _group_outcomes(records, next(iter(groups)))
    months = max(key[0] for key in groups)
    scalars = np.empty((k, len(SCALAR_NAMES)))
    monthly = np.full((k, len(SERIES_NAMES), months), np.nan)
    for key, rows in groups.items():
        part = _group_outcomes([records[i] for i in rows], key)
        scalars[rows] = part.scalars
        monthly[rows, :, : key[0]] = part.monthly
    return Outcomes(scalars, monthly)


def _vec(records: Sequence[RunRecord], name: str) -> NDArray[np.float64]:
    return np.fromiter((getattr(r.p, name) for r in records), np.float64, len(records))


def _recvec(records: Sequence[RunRecord], name: str) -> NDArray[np.float64]:
    return np.fromiter((getattr(r, name) for r in records), np.float64, len(records))


def _capacity(
    records: Sequence[RunRecord], n: int, D: int
) -> tuple[NDArray[np.float64], Mapping[str, NDArray[np.float64]]]:
    """Daily capacity (runs × days) and the month-end team, vendor and knowledge series."""
    k = len(records)
    counts = np.fromiter((len(r.seg_start) for r in records), np.int64, k)
    starts = np.concatenate([r.seg_start for r in records]).astype(np.int64)
    starts += np.repeat(np.arange(k, dtype=np.int64) * n, counts)  # day index in the flat array
    lengths = np.diff(starts, append=k * n)
    j = np.arange(k * n, dtype=np.float64)
    j -= np.repeat(starts.astype(np.float64), lengths)  # day within its segment
    # q**j as exp(j ln q), several times cheaper than pow; q = 0 (no learning curve) comes
    # with a zero learning term, and ln of a tiny q keeps 0 * ln q finite on a segment's day 0
    log_q = np.log(np.maximum(_recvec(records, "q"), 1e-300))
    fading = j * np.repeat(log_q, n)
    np.exp(fading, out=fading)
    fading *= np.repeat(np.concatenate([r.seg_learning for r in records]), lengths)
    rate = _vec(records, "vendor_tickets_per_agent_day")
    vendor = np.repeat(np.concatenate([r.seg_vendor for r in records]), lengths)
    seg_r = np.concatenate([r.seg_r for r in records])
    if np.any(seg_r != 1.0):  # the deterministic vendor ramp-down of variability "none"
        vendor *= np.exp(j * np.log(np.repeat(seg_r, lengths)))
    capacity = np.repeat(np.concatenate([r.seg_internal for r in records]), lengths)
    capacity -= fading
    capacity += vendor * np.repeat(rate, n)
    month_ends = (np.arange(D - 1, n, D)[None, :] + (np.arange(k) * n)[:, None]).ravel()
    seg = np.searchsorted(starts, month_ends, side="right") - 1
    heads = np.concatenate([r.seg_heads for r in records]).astype(np.float64)
    known = np.concatenate([r.seg_known for r in records])
    series = {
        "internal": heads[seg].reshape(k, -1),
        "vendor": vendor[month_ends].reshape(k, -1),
        "known": known[seg].reshape(k, -1),
    }
    return capacity.reshape(k, n), series


def _share(
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    D: float,
) -> NDArray[np.float64]:
    """Working-day share of each month ``[lo, hi)`` inside each run's ``[a, b)`` (runs × months)."""
    return np.clip(np.minimum(hi, b[:, None]) - np.maximum(lo, a[:, None]), 0.0, None) / D


def _group_outcomes(records: Sequence[RunRecord], key: tuple[int, int, int, int, int]) -> Outcomes:
    M, D, W, lag, stable_weeks = key
    k = len(records)
    n = M * D
    H = float(n)
    arrivals = np.vstack([r.arrivals for r in records]) if n else np.zeros((k, 0))
    capacity, team = _capacity(records, n, D)
    queue = fifo_queue_rows(arrivals, capacity, lag)
    backlog, breached, overdue, due = queue.backlog, queue.breached, queue.overdue, queue.due
    due_m = due.reshape(k, M, D).sum(axis=2)
    br_m = breached.reshape(k, M, D).sum(axis=2)
    sla_m = np.where(due_m > 0, 1.0 - br_m / np.where(due_m > 0, due_m, 1.0), 1.0)
    cut = _recvec(records, "cutover_day")
    costs = _costs(records, overdue.reshape(k, M, D).sum(axis=2), cut, M, D)
    # stabilisation: the first run of `stable_weeks` compliant weeks after cutover
    nw = n // W
    due_w = due[:, : nw * W].reshape(k, nw, W).sum(axis=2)
    br_w = breached[:, : nw * W].reshape(k, nw, W).sum(axis=2)
    comp_w = np.where(due_w > 0, 1.0 - br_w / np.where(due_w > 0, due_w, 1.0), 1.0)
    ok = comp_w >= _vec(records, "sla_target")[:, None] - 1e-12
    ends = (np.arange(nw) + 1.0) * W
    after = ends[None, :] > cut[:, None]
    hit = after
    if stable_weeks > 0:
        run_ok = np.cumsum(ok & after, axis=1)
        before = np.zeros_like(run_ok)
        if nw > stable_weeks:
            before[:, stable_weeks:] = run_ok[:, :-stable_weeks]
        hit = np.greater_equal(run_ok - before, stable_weeks)
    stabilised = hit.any(axis=1)
    end_day = (
        np.where(stabilised, ends[np.argmax(hit, axis=1)], np.inf) if nw else np.full(k, np.inf)
    )
    done = queue.total_resolved
    scalars = np.empty((k, len(SCALAR_NAMES)))

    def put(name: str, value: NDArray[np.float64] | float) -> None:
        scalars[:, _SCALAR[name]] = value

    put("cutover_month", np.minimum(cut, H) / D)
    put("extension_months", _recvec(records, "extensions"))
    put("transition_months", np.where(stabilised, end_day / D, float(M)))
    put("stabilised", stabilised.astype(np.float64))
    put("one_off_cost", costs["one_off"])
    put("overlap_cost", costs["overlap"])
    put("disruption_cost", costs["disruption"])
    put("transition_cost", costs["one_off"] + costs["overlap"] + costs["disruption"])
    put("backsourcing_npv", costs["npv_bs"])
    put("status_quo_npv", costs["npv_sq"])
    put("npv_savings", costs["npv_sq"] - costs["npv_bs"])
    put("breakeven_month", costs["breakeven"])
    put("peak_backlog", backlog.max(axis=1) if n else 0.0)
    put("tickets_breached", breached.sum(axis=1))
    put("sla_breach_weeks", np.sum(~ok, axis=1).astype(np.float64))
    put("knowledge_lost_domains", _recvec(records, "lost"))
    put("hires", _recvec(records, "hires"))
    put("leavers", _recvec(records, "leavers"))
    put("notice_month", _recvec(records, "notice_day") / D)
    put("planned_exit_month", _recvec(records, "planned_exit") / D)
    put("knowledge_transferred_domains", _recvec(records, "transferred"))
    put("ticket_days_beyond_sla", overdue.sum(axis=1))
    put(
        "mean_resolution_days",
        np.where(done > 0, queue.total_age / np.where(done > 0, done, 1.0), 0.0),
    )
    put("termination_cost", costs["termination"])
    put("extension_cost", costs["extension"])
    monthly = np.empty((k, len(SERIES_NAMES), M))
    monthly[:, _SERIES["internal_agents"]] = team["internal"]
    monthly[:, _SERIES["vendor_agents"]] = team["vendor"]
    monthly[:, _SERIES["effective_capacity"]] = capacity.reshape(k, M, D).mean(axis=2)
    monthly[:, _SERIES["demand"]] = arrivals.reshape(k, M, D).mean(axis=2)
    monthly[:, _SERIES["backlog"]] = backlog[:, D - 1 :: D]
    monthly[:, _SERIES["sla_compliance"]] = sla_m
    monthly[:, _SERIES["knowledge_transferred"]] = team["known"]
    monthly[:, _SERIES["cost_backsourcing"]] = costs["cum_bs"]
    monthly[:, _SERIES["cost_status_quo"]] = costs["cum_sq"]
    return Outcomes(scalars, monthly)


def _costs(
    records: Sequence[RunRecord],
    ticket_days_m: NDArray[np.float64],
    cutover: NDArray[np.float64],
    M: int,
    D_days: int,
) -> dict[str, NDArray[np.float64]]:
    """Monthly nominal cash flows of both paths, discounted; see docs/model.md (Costs)."""
    k = len(records)
    D = float(D_days)
    H = M * D
    edges = np.arange(M + 1, dtype=np.float64) * D
    lo, hi = edges[None, :-1], edges[None, 1:]
    zero = np.zeros(k)
    horizon = np.full(k, H)
    price = (1.0 + _vec(records, "annual_price_increase"))[:, None] ** np.floor(np.arange(M) / 12.0)
    fee_m = _vec(records, "monthly_fee")[:, None] * price
    cut = np.minimum(cutover, H)
    planned = np.minimum(np.maximum(_recvec(records, "planned_exit"), 0.0), cut)
    vendor_base = fee_m * _share(lo, hi, zero, cut, D)
    extension = (
        fee_m * _vec(records, "extension_premium")[:, None] * _share(lo, hi, planned, cut, D)
    )
    termination = np.zeros((k, M))
    exits = np.flatnonzero(cutover < H)
    termination[exits, (cutover[exits] // D).astype(np.int64)] += _vec(records, "termination_fee")[
        exits
    ]
    # agents: employed over [hired, left)
    per_run = np.fromiter((len(r.hired) for r in records), np.int64, k)
    row = np.repeat(np.arange(k), per_run)
    starts = np.concatenate([r.hired for r in records]) if per_run.sum() else np.zeros(0)
    stops = (
        np.minimum(np.concatenate([r.left for r in records]), H) if per_run.sum() else np.zeros(0)
    )
    day_salary = _vec(records, "salary_per_year") / (12.0 * D)
    per_hire = _vec(records, "recruiting_cost_per_hire") + _vec(records, "training_cost_per_hire")
    days_in = np.clip(np.minimum(hi, stops[:, None]) - np.maximum(lo, starts[:, None]), 0.0, None)
    salary_days = np.zeros((k, M))
    staffed = np.flatnonzero(per_run)
    if staffed.size:  # agents are grouped by run: one reduceat sums each run's rows
        first = np.concatenate(([0], np.cumsum(per_run)[:-1]))[staffed]
        salary_days[staffed] = np.add.reduceat(days_in, first, axis=0)
    salaries = day_salary[:, None] * salary_days
    overlap_days = np.bincount(
        row, weights=np.clip(np.minimum(stops, cut[row]) - starts, 0.0, None), minlength=k
    )
    hired_in = starts < H
    hire_month = np.minimum((starts[hired_in] // D).astype(np.int64), M - 1)
    hires_m = np.bincount(row[hired_in] * M + hire_month, minlength=k * M).reshape(k, M)
    hiring = hires_m * per_hire[:, None]
    hires_in_overlap = np.bincount(row, weights=(starts < cut[row]).astype(np.float64), minlength=k)
    mgr_year = _vec(records, "managers") * _vec(records, "manager_salary_per_year")
    eval_end = _recvec(records, "eval_end")
    managers = (mgr_year / 12.0)[:, None] * _share(lo, hi, eval_end, horizon, D)
    monthly_total = np.fromiter((r.p.monthly_total for r in records), np.float64, k)
    monthly_items = monthly_total[:, None] * _share(lo, hi, cut, horizon, D)
    one_off_total = np.fromiter((r.p.one_off_total for r in records), np.float64, k)
    disruption = _vec(records, "disruption_per_ticket_day")[:, None] * ticket_days_m
    bs = (
        vendor_base
        + extension
        + termination
        + salaries
        + hiring
        + managers
        + monthly_items
        + disruption
    )
    if M:
        bs[:, 0] += one_off_total
    disc = (1.0 + _vec(records, "discount_rate"))[:, None] ** (-np.arange(1, M + 1) / 12.0)
    cum_bs = np.cumsum(bs * disc, axis=1)
    cum_sq = np.cumsum(fee_m * disc, axis=1)
    overlap = (
        day_salary * overlap_days
        + hires_in_overlap * per_hire
        + mgr_year / (12.0 * D) * np.maximum(0.0, cut - np.minimum(eval_end, cut))
    )
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
        "breakeven": _breakeven(cum_bs, cum_sq),
    }


def _breakeven(cum_bs: NDArray[np.float64], cum_sq: NDArray[np.float64]) -> NDArray[np.float64]:
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
