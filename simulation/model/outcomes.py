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
from simulation.model.daily_capacity import abandoned_by_day, daily_capacity
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


#: Outputs fixed once the transition has ended: when it ended, and what it cost until then.
#: They depend only on the days before it ended (the FIFO queue, the capacity, the response's
#: costs and the late tickets' charges of a day follow from that day and the days before it)
#: and on the milestones up to the cutover (one-off, overlap, termination and extension costs),
#: so a run paused after that (:class:`simulation.model.transition.PausedRun`) gives them
#: exactly (:func:`ended`).
FINAL_AT_END: tuple[str, ...] = ("transition_cost", "transition_months")


def ended(
    records: Sequence[RunRecord], paused_day: NDArray[np.float64], scalars: FloatArray
) -> NDArray[np.bool_]:
    """Which runs of a batch paused on ``paused_day`` (working days; their ``scalars`` computed
    from their records at the pause) have their :data:`FINAL_AT_END` outputs final: their
    transition ended, and the month of their (last wave's) cutover was over (the overlap of
    waves is priced by month), at least a day before the paused day. The day before the paused
    day is not final yet: events timed within it are processed at the start of the paused day
    (and with them its fractional agency days), and the review of the paused day may release
    agency staff whose minimum days are billed on their last day, the day before."""
    D = vec(records, "working_days_per_month")
    end_day = np.round(scalars[:, _SCALAR["transition_months"]] * D)
    cut = recvec(records, "cutover_day")
    with np.errstate(invalid="ignore"):
        cut_month_end = (np.floor(cut / D) + 1.0) * D
    return (
        (scalars[:, _SCALAR["stabilised"]] == 1.0)
        & (end_day < paused_day)
        & np.isfinite(cut)
        & (cut_month_end < paused_day)
    )


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
    capacity, _ = daily_capacity([record], n, D)
    rows = fifo_queue_rows(
        arrivals,
        capacity,
        allowed_age(p.sla_days, n),
        abandoned_by_day([record], n),
        _caps([record]),
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
    """Outputs of runs sharing one calendar: their days (capacity, queue), the late tickets by
    quality, the response and the cash flows by month, stability; then scalars and series."""
    M, D, W, lag, _stable_weeks, _window = key
    k = len(records)
    n = M * D
    arrivals = np.vstack([r.arrivals for r in records]) if n else np.zeros((k, 0))
    capacity, team = daily_capacity(records, n, D)
    stay = np.fromiter((r.p.strategy == "stay" for r in records), bool, k)
    vendor_day = _stay_served(stay, arrivals, capacity, team["vendor_day"])
    abandoned = abandoned_by_day(records, n)
    queue = fifo_queue_rows(arrivals, capacity, lag, abandoned, _caps(records))
    charged = queue.charged if queue.charged is not None else queue.overdue
    sq_arrivals = np.vstack([r.sq_arrivals for r in records]) if n else np.zeros((k, 0))
    sq_tickets_m = _by_month(sq_arrivals, M, D)
    late = quality_late(records, arrivals, vendor_day, capacity, sq_tickets_m, stay, key)
    response = response_by_day(
        records,
        team["heads_day"],
        team["overtime_day"],
        abandoned if abandoned is not None else np.zeros((k, n)),
        D,
    )
    service = ServiceByMonth(
        _by_month(charged, M, D),
        _by_month(response["cost"], M, D),
        sq_tickets_m,
        late.vendor_m,
        late.team_m,
    )
    costs = cash_flows(records, service, recvec(records, "cutover_day"), M, D)
    stab = _stability(records, queue, capacity, arrivals, key)
    scalars = np.empty((k, len(SCALAR_NAMES)))

    def put(name: str, value: NDArray[np.float64] | float) -> None:
        scalars[:, _SCALAR[name]] = value

    end_day = _transition_end(put, stab, stay, key)
    _transition_cost(put, records, charged, costs, response["cost"], end_day)
    _programme_scalars(put, records, key, stay)
    _cost_scalars(put, costs, response, W)
    _service_scalars(put, records, key, queue, late.on_due_day, sq_arrivals, team)
    served = _service_months(key, arrivals, capacity, queue, late.on_due_day)
    return Outcomes(scalars, _monthly({**served, **_team_months(team, costs)}, k, M))


def _by_month(per_day: FloatArray, M: int, D: int) -> FloatArray:
    """(runs × months) the sum of a (runs × days) array over each month's working days."""
    return per_day.reshape(per_day.shape[0], M, D).sum(axis=2)


def _stay_served(
    stay: NDArray[np.bool_], arrivals: FloatArray, capacity: FloatArray, vendor_day: FloatArray
) -> FloatArray:
    """Staying with the vendor is measured as the status quo is: no queue, every ticket
    resolved by the vendor on its day (``capacity`` set to the arrivals of those runs, in
    place), its misses by contract (the late tickets); the vendor's capacity each day."""
    if stay.any():
        capacity[stay] = arrivals[stay]
        vendor_day = np.where(stay[:, None], arrivals, vendor_day)
    return vendor_day


def _sla_by_month(
    queue: QueueRows, late_on_due_day: FloatArray | None, M: int, D: int
) -> FloatArray:
    """(runs × months) the share of the tickets falling due each month that met the SLA (1
    when none fell due); the late tickets by quality count as breaches on their due day."""
    due_m = _by_month(queue.due, M, D)
    br_m = _by_month(queue.breached, M, D)
    sla_m = np.where(due_m > 0, 1.0 - br_m / np.where(due_m > 0, due_m, 1.0), 1.0)
    if late_on_due_day is not None:
        br_m = br_m + _by_month(late_on_due_day, M, D)
        sla_m = compliance(due_m, br_m)
    return sla_m


def _service_months(
    key: Calendar,
    arrivals: FloatArray,
    capacity: FloatArray,
    queue: QueueRows,
    late_on_due_day: FloatArray | None,
) -> dict[str, FloatArray]:
    """The service's monthly series: mean capacity and demand a day, the backlog at month end,
    the SLA compliance (:func:`_sla_by_month`)."""
    M, D = key[0], key[1]
    k = arrivals.shape[0]
    return {
        "effective_capacity": capacity.reshape(k, M, D).mean(axis=2),
        "demand": arrivals.reshape(k, M, D).mean(axis=2),
        "backlog": queue.backlog[:, D - 1 :: D],
        "sla_compliance": _sla_by_month(queue, late_on_due_day, M, D),
    }


def _team_months(
    team: Mapping[str, FloatArray], costs: Mapping[str, FloatArray]
) -> dict[str, FloatArray]:
    """The month-end team, vendor, knowledge and levers (:func:`daily_capacity`) and the
    cumulative discounted costs of both paths."""
    return {
        "internal_agents": team["internal"],
        "vendor_agents": team["vendor"],
        "knowledge_transferred": team["known"],
        "cost_backsourcing": costs["cum_bs"],
        "cost_status_quo": costs["cum_sq"],
        "agency_agents": team["agency"],
        "hypercare_agents": team["hypercare"],
        "target_agents": team["target"],
    }


def _monthly(series: Mapping[str, FloatArray], k: int, M: int) -> FloatArray:
    """(runs × series × months) every series of ``SERIES_NAMES``, in its order."""
    monthly = np.empty((k, len(SERIES_NAMES), M))
    for name, j in _SERIES.items():
        monthly[:, j] = series[name]
    return monthly


Put = Callable[[str, "NDArray[np.float64] | float"], None]


def _transition_end(
    put: Put, stab: Stability, stay: NDArray[np.bool_], key: Calendar
) -> FloatArray:
    """Whether and when the transition stabilised (months; the horizon when it did not), its
    weeks below the SLA target and its relapses; staying has nothing to stabilise (no
    transition: it ends on day 0). Returns the day it ended."""
    M, D = key[0], key[1]
    stabilised, end_day = stab.stabilised, stab.end_day
    if stay.any():  # nothing to stabilise: no transition
        stabilised = np.where(stay, True, stabilised)
        end_day = np.where(stay, 0.0, end_day)
    put("stabilised", stabilised.astype(np.float64))
    put("transition_months", np.where(stabilised, end_day / D, float(M)))
    put("sla_breach_weeks", np.sum(stab.below_target, axis=1).astype(np.float64))
    put("relapse_weeks", stab.relapse_weeks)
    return end_day


def _transition_cost(
    put: Put,
    records: Sequence[RunRecord],
    charged: FloatArray,
    costs: Mapping[str, FloatArray],
    response_cost: FloatArray,
    end_day: FloatArray,
) -> None:
    """What the transition cost until it ended (nominal): the one-off, overlap, termination
    and extension costs, and the response and disruption paid before ``end_day``; the
    disruption after it."""
    rate = vec(records, "disruption_per_ticket_day")
    # the part of the disruption before the transition ends, from the days before it alone (so
    # that it is final once the transition has ended, see FINAL_AT_END); the total is summed in
    # another order, so the part after it is kept from falling below 0 by rounding
    disruption_before = rate * _before(charged, end_day)
    response_before = _before(response_cost, end_day)
    put(
        "transition_cost",
        costs["one_off"]
        + costs["overlap"]
        + costs["termination"]
        + costs["extension"]
        + response_before
        + disruption_before,
    )
    put(
        "disruption_after_stabilisation_cost",
        np.maximum(costs["disruption"] - disruption_before, 0.0),
    )


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
