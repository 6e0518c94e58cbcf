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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import Calendar, recvec, vec
from simulation.model.costs import ServiceByMonth, cash_flows
from simulation.model.parameters import ModelInputs
from simulation.model.quality import compliance, on_due_day, quality_late
from simulation.model.queue import QueueRows, allowed_age, fifo_queue_rows
from simulation.model.record import RunRecord
from simulation.model.response_costs import response_by_day
from simulation.model.stability import Stability, queue_checks, stability
from simulation.scenario import schema

FloatArray = NDArray[np.float64]

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


def _calendar(p: ModelInputs) -> Calendar:
    n = p.horizon_months * p.working_days_per_month
    return (
        p.horizon_months,
        p.working_days_per_month,
        p.working_days_per_week,
        allowed_age(p.sla_days, n),
        p.stable_weeks,
        int(p.window_weeks) * p.working_days_per_week,
    )


def outcomes(records: Sequence[RunRecord]) -> Outcomes:
    """Outputs of every record (runs sharing a calendar are computed together)."""
    k = len(records)
    if k == 0:
        return Outcomes(np.zeros((0, len(SCALAR_NAMES))), np.zeros((0, len(SERIES_NAMES), 0)))
    groups: dict[Calendar, list[int]] = {}
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


def _segments(records: Sequence[RunRecord], name: str) -> NDArray[np.float64]:
    return np.concatenate([getattr(r, name) for r in records]).astype(np.float64)


def _capacity(
    records: Sequence[RunRecord], n: int, D: int
) -> tuple[NDArray[np.float64], Mapping[str, NDArray[np.float64]]]:
    """Daily capacity (runs × days), the daily head count, overtime flag and vendor capacity,
    and the month-end team, vendor, knowledge and lever series."""
    k = len(records)
    counts = np.fromiter((len(r.seg_start) for r in records), np.int64, k)
    starts = np.concatenate([r.seg_start for r in records]).astype(np.int64)
    starts += np.repeat(np.arange(k, dtype=np.int64) * n, counts)  # day index in the flat array
    lengths = np.diff(starts, append=k * n)
    j = np.arange(k * n, dtype=np.float64)
    j -= np.repeat(starts.astype(np.float64), lengths)  # day within its segment
    # q**j as exp(j ln q), several times cheaper than pow; q = 0 (no learning curve) comes
    # with a zero learning term, and ln of a tiny q keeps 0 * ln q finite on a segment's day 0
    log_q = np.log(np.maximum(recvec(records, "q"), 1e-300))
    fading = j * np.repeat(log_q, n)
    np.exp(fading, out=fading)
    fading *= np.repeat(np.concatenate([r.seg_learning for r in records]), lengths)
    rate = vec(records, "vendor_tickets_per_agent_day")
    vendor = np.repeat(np.concatenate([r.seg_vendor for r in records]), lengths)
    seg_r = np.concatenate([r.seg_r for r in records])
    if np.any(seg_r != 1.0):  # the deterministic vendor ramp-down of variability "none"
        vendor *= np.exp(j * np.log(np.repeat(seg_r, lengths)))
    if any(any(r.seg_vendor_fixed) for r in records):  # waves: a part beside the ramp-down
        vendor += np.repeat(_segments(records, "seg_vendor_fixed"), lengths)
    capacity = np.repeat(np.concatenate([r.seg_internal for r in records]), lengths)
    capacity -= fading
    vendor_capacity = vendor * np.repeat(rate, n)
    capacity += vendor_capacity
    month_ends = (np.arange(D - 1, n, D)[None, :] + (np.arange(k) * n)[:, None]).ravel()
    seg = np.searchsorted(starts, month_ends, side="right") - 1
    heads = _segments(records, "seg_heads")
    overtime = _segments(records, "seg_overtime")
    series = {
        "internal": heads[seg].reshape(k, -1),
        "vendor": vendor[month_ends].reshape(k, -1),
        "known": _segments(records, "seg_known")[seg].reshape(k, -1),
        "agency": _segments(records, "seg_agency")[seg].reshape(k, -1),
        "hypercare": _segments(records, "seg_hypercare")[seg].reshape(k, -1),
        "target": _segments(records, "seg_target")[seg].reshape(k, -1),
        "heads_day": np.repeat(heads, lengths).reshape(k, n),
        "overtime_day": np.repeat(overtime, lengths).reshape(k, n),
        "vendor_day": vendor_capacity.reshape(k, n),
    }
    return capacity.reshape(k, n), series


def _abandoned(records: Sequence[RunRecord], n: int) -> NDArray[np.float64] | None:
    """(runs × days) tickets closed unworked by triage, or None when no run has any."""
    if not any(r.abandoned for r in records):
        return None
    out = np.zeros((len(records), n))
    for i, r in enumerate(records):
        for day, x in r.abandoned.items():
            if day < n:
                out[i, day] = x
    return out


def _expected_demand(records: Sequence[RunRecord], n: int, D: int) -> NDArray[np.float64]:
    """(runs × days) expected tickets a day: growth only (the scale of "days of demand")."""
    g = vec(records, "demand_growth_per_year")
    days = np.arange(n, dtype=np.float64) / (12.0 * D)
    return vec(records, "tickets_per_day")[:, None] * (1.0 + g[:, None]) ** days[None, :]


def ledger(record: RunRecord) -> tuple[QueueRows, NDArray[np.float64]]:
    """The post-run FIFO queue of one run, the single source of its outputs (row 0 of the
    returned rows), and its daily capacity (tickets/day)."""
    p = record.p
    M, D = p.horizon_months, p.working_days_per_month
    n = M * D
    arrivals = record.arrivals[None, :n]
    capacity, _ = _capacity([record], n, D)
    rows = fifo_queue_rows(
        arrivals, capacity, allowed_age(p.sla_days, n), _abandoned([record], n), _caps([record])
    )
    return rows, capacity[0]


def _stability(
    records: Sequence[RunRecord],
    queue: QueueRows,
    capacity: NDArray[np.float64],
    arrivals: NDArray[np.float64],
    key: Calendar,
) -> Stability:
    M, D, W, _lag, stable_weeks, window = key
    n = M * D
    limit = vec(records, "stable_backlog_days")
    checks = None
    if np.isfinite(limit).any():
        expected = _expected_demand(records, n, D)
        checks = queue_checks(queue.backlog, capacity, arrivals, expected, limit, window, W)
    return stability(
        queue.due,
        queue.breached,
        recvec(records, "cutover_day"),
        vec(records, "sla_target"),
        W,
        stable_weeks,
        checks,
    )


def _caps(records: Sequence[RunRecord]) -> NDArray[np.float64]:
    """Most days of lateness charged per ticket in each run (inf: no cap)."""
    cap = vec(records, "disruption_cap_per_ticket")
    rate = vec(records, "disruption_per_ticket_day")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rate > 0, cap / np.where(rate > 0, rate, 1.0), np.inf)


def _before(per_day: NDArray[np.float64], end_day: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per run, the sum of a (runs × days) array over the days before ``end_day``."""
    n = per_day.shape[1]
    cum = np.zeros((per_day.shape[0], n + 1))
    np.cumsum(per_day, axis=1, out=cum[:, 1:])
    idx = np.minimum(np.where(np.isfinite(end_day), end_day, n), n).astype(np.intp)
    return cum[np.arange(per_day.shape[0]), idx]


def _group_outcomes(records: Sequence[RunRecord], key: Calendar) -> Outcomes:
    M, D, W, lag, _stable_weeks, _window = key
    k = len(records)
    n = M * D
    arrivals = np.vstack([r.arrivals for r in records]) if n else np.zeros((k, 0))
    capacity, team = _capacity(records, n, D)
    # staying with the vendor is measured as the status quo is: no queue, every ticket resolved
    # by the vendor on its day, its misses by contract (the late tickets below)
    stay = np.fromiter((r.p.strategy == "stay" for r in records), bool, k)
    vendor_day = team["vendor_day"]
    if stay.any():
        capacity[stay] = arrivals[stay]
        vendor_day = np.where(stay[:, None], arrivals, vendor_day)
    abandoned = _abandoned(records, n)
    queue = fifo_queue_rows(arrivals, capacity, lag, abandoned, _caps(records))
    charged = queue.charged if queue.charged is not None else queue.overdue
    due_m = queue.due.reshape(k, M, D).sum(axis=2)
    br_m = queue.breached.reshape(k, M, D).sum(axis=2)
    sla_m = np.where(due_m > 0, 1.0 - br_m / np.where(due_m > 0, due_m, 1.0), 1.0)
    cut = recvec(records, "cutover_day")
    sq_arrivals = np.vstack([r.sq_arrivals for r in records]) if n else np.zeros((k, 0))
    sq_tickets_m = sq_arrivals.reshape(k, M, D).sum(axis=2)
    late = quality_late(records, arrivals, vendor_day, capacity, sq_tickets_m, stay, key)
    if late.on_due_day is not None:
        br_m = br_m + late.on_due_day.reshape(k, M, D).sum(axis=2)
        sla_m = compliance(due_m, br_m)
    response = response_by_day(
        records,
        team["heads_day"],
        team["overtime_day"],
        abandoned if abandoned is not None else np.zeros((k, n)),
        D,
    )
    service = ServiceByMonth(
        charged.reshape(k, M, D).sum(axis=2),
        response["cost"].reshape(k, M, D).sum(axis=2),
        sq_tickets_m,
        late.vendor_m,
        late.team_m,
    )
    costs = cash_flows(records, service, cut, M, D)
    stab = _stability(records, queue, capacity, arrivals, key)
    stabilised, end_day = stab.stabilised, stab.end_day
    if stay.any():  # nothing to stabilise: no transition
        stabilised = np.where(stay, True, stabilised)
        end_day = np.where(stay, 0.0, end_day)
    rate = vec(records, "disruption_per_ticket_day")
    # the part of the disruption before the transition ends (summed in another order than the
    # total: never above it)
    disruption_before = np.minimum(rate * _before(charged, end_day), costs["disruption"])
    response_before = _before(response["cost"], end_day)
    scalars = np.empty((k, len(SCALAR_NAMES)))

    def put(name: str, value: NDArray[np.float64] | float) -> None:
        scalars[:, _SCALAR[name]] = value

    put("stabilised", stabilised.astype(np.float64))
    put("transition_months", np.where(stabilised, end_day / D, float(M)))
    put(
        "transition_cost",
        costs["one_off"]
        + costs["overlap"]
        + costs["termination"]
        + costs["extension"]
        + response_before
        + disruption_before,
    )
    put("disruption_after_stabilisation_cost", costs["disruption"] - disruption_before)
    put("sla_breach_weeks", np.sum(stab.below_target, axis=1).astype(np.float64))
    put("relapse_weeks", stab.relapse_weeks)
    _programme_scalars(put, records, key, stay)
    _cost_scalars(put, costs, response, W)
    _service_scalars(put, records, key, queue, late.on_due_day, sq_arrivals, team)
    monthly = np.empty((k, len(SERIES_NAMES), M))
    monthly[:, _SERIES["internal_agents"]] = team["internal"]
    monthly[:, _SERIES["vendor_agents"]] = team["vendor"]
    monthly[:, _SERIES["effective_capacity"]] = capacity.reshape(k, M, D).mean(axis=2)
    monthly[:, _SERIES["demand"]] = arrivals.reshape(k, M, D).mean(axis=2)
    monthly[:, _SERIES["backlog"]] = queue.backlog[:, D - 1 :: D]
    monthly[:, _SERIES["sla_compliance"]] = sla_m
    monthly[:, _SERIES["knowledge_transferred"]] = team["known"]
    monthly[:, _SERIES["cost_backsourcing"]] = costs["cum_bs"]
    monthly[:, _SERIES["cost_status_quo"]] = costs["cum_sq"]
    monthly[:, _SERIES["agency_agents"]] = team["agency"]
    monthly[:, _SERIES["hypercare_agents"]] = team["hypercare"]
    monthly[:, _SERIES["target_agents"]] = team["target"]
    return Outcomes(scalars, monthly)


Put = Callable[[str, "NDArray[np.float64] | float"], None]


def _programme_scalars(
    put: Put, records: Sequence[RunRecord], key: Calendar, stay: NDArray[np.bool_]
) -> None:
    """The programme's milestones and counts (months from programme start; staying has no
    notice, exit or cutover: month 0)."""
    M, D = key[0], key[1]
    H = float(M * D)
    cut = recvec(records, "cutover_day")
    put("cutover_month", np.where(stay, 0.0, np.minimum(cut, H) / D))
    put("notice_month", np.where(stay, 0.0, recvec(records, "notice_day") / D))
    put("planned_exit_month", np.where(stay, 0.0, recvec(records, "planned_exit") / D))
    put("extension_months", recvec(records, "extensions"))
    put("knowledge_lost_domains", recvec(records, "lost"))
    put("knowledge_transferred_domains", recvec(records, "transferred"))
    put("hires", recvec(records, "hires"))
    put("leavers", recvec(records, "leavers"))


def _cost_scalars(
    put: Put, costs: Mapping[str, FloatArray], response: Mapping[str, FloatArray], W: int
) -> None:
    """The cost lines (nominal) and the NPVs (discounted), and what the levers were used for."""
    put("one_off_cost", costs["one_off"])
    put("overlap_cost", costs["overlap"])
    put("disruption_cost", costs["disruption"])
    put("termination_cost", costs["termination"])
    put("extension_cost", costs["extension"])
    put("backsourcing_npv", costs["npv_bs"])
    put("status_quo_npv", costs["npv_sq"])
    put("npv_savings", costs["npv_sq"] - costs["npv_bs"])
    put("breakeven_month", costs["breakeven"])
    put("status_quo_disruption_cost", costs["sq_disruption"])
    put("vendor_disruption_cost", costs["vendor_disruption"])
    put("response_cost", response["cost"].sum(axis=1))
    put("agency_agent_days", response["agency_days"])
    put("overtime_weeks", response["overtime_days"] / W)
    put("hypercare_agent_days", response["hypercare_days"])


def _service_scalars(
    put: Put,
    records: Sequence[RunRecord],
    key: Calendar,
    queue: QueueRows,
    late_on_due_day: FloatArray | None,
    sq_arrivals: FloatArray,
    team: Mapping[str, FloatArray],
) -> None:
    """The service: the queue's backlog, breaches and ages, the final team, and the SLA
    compliance of the last 12 months on both paths (late tickets by quality included)."""
    M, D, _W, lag, _stable_weeks, _window = key
    k = len(records)
    n = M * D
    backlog, breached, due = queue.backlog, queue.breached, queue.due
    done = queue.total_resolved
    put("peak_backlog", backlog.max(axis=1) if n else 0.0)
    put("tickets_breached", breached.sum(axis=1))
    put("ticket_days_beyond_sla", queue.overdue.sum(axis=1))
    put(
        "mean_resolution_days",
        np.where(done > 0, queue.total_age / np.where(done > 0, done, 1.0), 0.0),
    )
    put("final_target_agents", team["target"][:, -1] if M else vec(records, "target_agents"))
    put("abandoned_tickets", queue.abandoned.sum(axis=1) if queue.abandoned is not None else 0.0)
    expected_end = _expected_demand(records, n, D)[:, -1] if n else np.ones(k)
    last = backlog[:, -1] if n else np.zeros(k)
    safe = np.where(expected_end > 0, expected_end, 1.0)
    put("backlog_at_horizon_days", np.where(expected_end > 0, last / safe, 0.0))
    year = min(M, 12) * D
    due_y, br_y = due[:, n - year :].sum(axis=1), breached[:, n - year :].sum(axis=1)
    if late_on_due_day is not None:  # the late tickets by quality, where they are served
        br_y = br_y + late_on_due_day[:, n - year :].sum(axis=1)
    put("steady_sla_compliance", compliance(due_y, br_y))
    miss = 1.0 - vec(records, "vendor_sla_compliance")
    sq_due_y = on_due_day(sq_arrivals, lag)[:, n - year :].sum(axis=1)
    put("status_quo_sla_compliance", compliance(sq_due_y, sq_due_y * miss))
