"""Late tickets by service quality, not by queue (docs/model.md, sections 9 and 11): the
vendor misses the SLA on a share of the tickets it serves (``vendor.sla_compliance``), as does a
new vendor (``incoming.sla_compliance``) and the in-house team (``staffing.sla_compliance``);
the stay path's misses follow its renegotiated terms. Expected values, no random draw; counted on
each ticket's due day for the SLA compliance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import Calendar, vec
from simulation.model.fees import vendor_quality
from simulation.model.record import RunRecord

FloatArray = NDArray[np.float64]


def vendor_served(
    arrivals: NDArray[np.float64],
    vendor_capacity: NDArray[np.float64],
    capacity: NDArray[np.float64],
) -> NDArray[np.float64]:
    """(runs × days) the tickets the vendor serves on the backsourcing path: each day's
    arrivals times the vendor's share of the day's capacity (the pooled team shares its work
    by capacity). Before any internal capacity exists that share is exactly 1, as on the
    status-quo path."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(capacity > 0, vendor_capacity / np.where(capacity > 0, capacity, 1.0), 0.0)
    return arrivals * np.clip(share, 0.0, 1.0)


def stay_miss(records: Sequence[RunRecord], stay: NDArray[np.bool_], M: int) -> NDArray[np.float64]:
    """(runs × months) the share of the vendor's tickets late by contract on a ``stay`` path:
    ``1 − vendor.sla_compliance`` before ``stay.from_month``, and that share × ``(1 −
    stay.late_tickets_avoided)`` from the first month starting at or after it; 0 on the other
    paths."""
    k = len(records)
    out = np.zeros((k, M))
    if not stay.any():
        return out
    today = 1.0 - vec(records, "vendor_sla_compliance")[:, None]
    new = today * (1.0 - vec(records, "stay_late_tickets_avoided")[:, None])
    after = np.arange(M)[None, :] >= vec(records, "stay_from_month")[:, None]
    out[stay] = np.where(after, new, today)[stay]
    return out


def on_due_day(per_day: NDArray[np.float64], lag: int) -> NDArray[np.float64]:
    """(runs × days) tickets counted on their due day, ``lag`` days after their arrival (those
    due after the horizon drop out), as the queue counts its due and breached tickets."""
    out = np.zeros_like(per_day)
    n = per_day.shape[1]
    if lag < n:
        out[:, lag:] = per_day[:, : n - lag]
    return out


def compliance(due: NDArray[np.float64], late: NDArray[np.float64]) -> NDArray[np.float64]:
    """``1 − late / due`` (1 where nothing falls due), never below 0."""
    safe = np.where(due > 0, due, 1.0)
    return np.where(due > 0, np.maximum(1.0 - late / safe, 0.0), 1.0)


@dataclass(frozen=True)
class Late:
    """Late tickets by quality, not by queue (runs × months unless said): the vendor's (the
    outgoing vendor while it serves, a new vendor, the stay path's) ``vendor_m``; the in-house
    team's own ``team_m``; and all of them counted on their due day, per day (None: none)."""

    vendor_m: FloatArray
    team_m: FloatArray
    on_due_day: FloatArray | None


def quality_late(
    records: Sequence[RunRecord],
    arrivals: FloatArray,
    vendor_day: FloatArray,
    capacity: FloatArray,
    sq_tickets_m: FloatArray,
    stay: NDArray[np.bool_],
    key: Calendar,
) -> Late:
    """The late tickets of each side's service quality, as expected values: the vendor's on the
    tickets it serves (:func:`vendor_served`), a new vendor's on the tickets its team serves,
    the in-house team's own misses (``staffing.sla_compliance``) on the tickets it serves, and
    on the stay path the status quo's exactly (by month, ``sq_tickets_m × miss``)."""
    M, D, _W, lag, _stable_weeks, _window = key
    k = len(records)
    miss = 1.0 - vec(records, "vendor_sla_compliance")
    incoming = np.fromiter((r.p.incoming_vendor for r in records), bool, k)
    miss_new = np.where(incoming, 1.0 - vec(records, "incoming_sla_compliance"), 0.0)
    in_house = ~incoming & ~stay
    miss_team = np.where(in_house, 1.0 - vec(records, "team_sla_compliance"), 0.0)
    miss_stay = stay_miss(records, stay, M)  # (runs × months), today's before the new terms
    team_late_m = np.zeros((k, M))
    if not (np.any(miss > 0) or np.any(miss_new > 0) or np.any(miss_stay > 0)) and not np.any(
        miss_team > 0
    ):
        return Late(np.zeros((k, M)), team_late_m, None)
    served = vendor_served(arrivals, vendor_day, capacity)
    late = vendor_quality(records, served)[0]
    if np.any(miss_new > 0):
        late = late + (arrivals - served) * miss_new[:, None]
    late_m = late.reshape(k, M, D).sum(axis=2)
    if stay.any():  # by month, exactly as the status quo's (sq_tickets_m × miss)
        late[stay] = arrivals[stay] * np.repeat(miss_stay[stay], D, axis=1)
        late_m[stay] = sq_tickets_m[stay] * miss_stay[stay]
    if np.any(miss_team > 0):
        team_late = (arrivals - served) * miss_team[:, None]
        team_late_m = team_late.reshape(k, M, D).sum(axis=2)
        late = late + team_late  # (for the SLA compliance; charged as disruption)
    return Late(late_m, team_late_m, on_due_day(late, lag))
