"""The FIFO ticket queue of one run, computed in a few numpy passes over the whole horizon.

Tickets arrive as one cohort per working day; each day's capacity (tickets, possibly fractional)
is spent on the oldest open tickets first. Capacity never depends on the queue in the model (the
team, the vendor and knowledge set it), so the queue is computed once, after the SimPy run, from
the daily arrivals and capacities instead of one Python step per day.

Because service is strictly first-in-first-out, everything follows from two cumulative curves:
cumulative arrivals ``A(d)`` (tickets arrived up to the end of day ``d``) and cumulative
resolutions ``R(d) = A(d) - backlog(d)``. The backlog is the Lindley recursion
``backlog(d) = max(0, backlog(d-1) + arrivals(d) - capacity(d))``, solved in closed form as
``S(d) - min(0, min_{j<=d} S(j))`` with ``S`` the running sum of ``arrivals - capacity``. The
tickets of cohort ``a`` still open at the end of day ``d`` are
``clip(A(a) - max(R(d), A(a-1)), 0, arrivals(a))``.

Conventions (working days):

* A ticket arriving on day ``a`` and resolved on day ``d`` has age ``d - a`` (0 = same day).
* It meets the SLA when ``d - a <= floor(sla_days)`` (the *allowed age*); otherwise it breaches.
* Cohort ``a`` is *due* on day ``a + allowed_age``: the tickets still open at the end of that day
  are the cohort's breaches (counted once, on that day).
* Ticket-days beyond SLA: at the end of each day, every open ticket that is already due counts
  one ticket-day, so a breached ticket contributes exactly its lateness ``age - allowed_age``.
* The age of resolved tickets sums to the backlog summed over day ends, less the day ends of the
  tickets still open at the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Tickets below this share of all arrivals are floating-point residue of the cumulative sums.
_REL_EPS = 1e-12
_ABS_EPS = 1e-9


def allowed_age(sla_days: float, horizon_days: int) -> int:
    """The SLA as a whole number of working days (fractions round down), capped at the horizon."""
    if not math.isfinite(sla_days):
        return horizon_days + 1
    return min(horizon_days + 1, max(0, int(math.floor(sla_days))))


@dataclass(frozen=True)
class QueueFlow:
    """The queue of one run, per working day (index = day) and in totals (tickets, days).

    ``backlog``: open tickets at the end of each day; ``resolved``: tickets resolved that day;
    ``due``: tickets falling due that day (the cohort that arrived ``allowed_age`` days before);
    ``breached``: tickets of that due cohort still open at the day's end; ``overdue``: open
    tickets already due at the day's end (that day's ticket-days beyond SLA);
    ``open_at_end``: ``(arrival_day, tickets)`` of every cohort still open at the horizon.
    """

    arrivals: NDArray[np.float64]
    backlog: NDArray[np.float64]
    resolved: NDArray[np.float64]
    due: NDArray[np.float64]
    breached: NDArray[np.float64]
    overdue: NDArray[np.float64]
    allowed_age: int
    total_age: float
    open_at_end: tuple[tuple[int, float], ...]

    @property
    def total_arrived(self) -> float:
        return float(self.arrivals.sum())

    @property
    def total_resolved(self) -> float:
        return float(self.resolved.sum())

    @property
    def total_breached(self) -> float:
        """Tickets that missed (or, still open, have already missed) their SLA deadline."""
        return float(self.breached.sum())

    @property
    def total_ticket_days_beyond(self) -> float:
        """Sum over days of open tickets already past their deadline (ticket-days)."""
        return float(self.overdue.sum())

    @property
    def total_within_sla(self) -> float:
        """Tickets resolved no later than their due day."""
        return self.total_resolved - (self.total_breached - self._open_breached)

    @property
    def _open_breached(self) -> float:
        last = self.arrivals.size - 1
        return float(sum(t for a, t in self.open_at_end if last - a >= self.allowed_age))

    @property
    def mean_resolution_days(self) -> float:
        """Mean age (working days) of the resolved tickets (NaN if none)."""
        done = self.total_resolved
        return self.total_age / done if done > 0 else math.nan


@dataclass(frozen=True)
class QueueRows:
    """The queues of a batch of runs: per-day arrays are (runs × days), totals are (runs,).

    Same meaning as :class:`QueueFlow`; ``total_resolved`` in tickets, ``total_age`` in
    ticket-days (the summed age of resolved tickets), ``cum_resolved`` the cumulative
    resolutions at each day's end.
    """

    backlog: NDArray[np.float64]
    cum_resolved: NDArray[np.float64]
    due: NDArray[np.float64]
    breached: NDArray[np.float64]
    overdue: NDArray[np.float64]
    open_left: NDArray[np.float64]
    total_resolved: NDArray[np.float64]
    total_age: NDArray[np.float64]


def _clean(x: NDArray[np.float64], eps: NDArray[np.float64]) -> NDArray[np.float64]:
    """Zero the floating-point residue of the cumulative sums in a non-negative array
    (values below ``eps``, per run)."""
    x[x < eps] = 0.0
    return x


def fifo_queue_rows(
    arrivals: NDArray[np.float64], capacity: NDArray[np.float64], lag: int
) -> QueueRows:
    """FIFO queues of a batch of runs: ``arrivals`` and ``capacity`` (runs × days, tickets/day),
    ``lag`` the allowed age in whole working days (see :func:`allowed_age`).

    Negative capacity counts as none. Cost: about twenty numpy passes over the batch; the
    tickets still open at the horizon are looked at only in the runs that have some.
    """
    a = np.asarray(arrivals, dtype=np.float64)
    k, n = a.shape
    if n == 0:
        empty = np.zeros((k, 0))
        zero = np.zeros(k)
        return QueueRows(empty, empty, empty, empty, empty, empty, zero, zero)
    padded = np.zeros((k, n + 1))
    np.cumsum(a, axis=1, out=padded[:, 1:])
    cum_a, prev = padded[:, 1:], padded[:, :-1]  # A(d) and A(d - 1)
    eps = np.maximum(_ABS_EPS, _REL_EPS * cum_a[:, -1:])
    s = a - np.maximum(np.asarray(capacity, dtype=np.float64), 0.0)
    np.cumsum(s, axis=1, out=s)
    low = np.minimum.accumulate(s, axis=1)
    np.minimum(low, 0.0, out=low)
    backlog = _clean(np.subtract(s, low, out=s), eps)
    cum_r = cum_a - backlog  # cumulative resolutions, non-decreasing
    due = np.zeros((k, n))
    breached = np.zeros((k, n))
    overdue = np.zeros((k, n))
    if lag < n:
        cum_due = cum_a[:, : n - lag]  # A(d - lag) for d >= lag
        due[:, lag:] = a[:, : n - lag]
        late = np.subtract(cum_due, cum_r[:, lag:], out=overdue[:, lag:])
        np.maximum(late, 0.0, out=late)
        _clean(overdue, eps)
        gone = np.maximum(cum_r[:, lag:], prev[:, : n - lag])
        np.subtract(cum_due, gone, out=gone)
        np.clip(gone, 0.0, due[:, lag:], out=breached[:, lag:])
        _clean(breached, eps)
    # tickets of each cohort still open at the horizon, and the day ends they were open
    open_left = np.zeros((k, n))
    tail_age = np.zeros(k)
    final = cum_r[:, -1]
    rows = np.flatnonzero(backlog[:, -1] > 0.0)
    if rows.size:
        # cohorts arrived up to the last fully resolved one are closed in every such run
        start = int(np.min(np.argmax(cum_a[rows] > final[rows, None], axis=1)))
        tail = cum_a[rows, start:] - np.maximum(final[rows, None], prev[rows, start:])
        tail = _clean(np.clip(tail, 0.0, a[rows, start:]), eps[rows])
        open_left[rows, start:] = tail
        tail_age[rows] = tail @ (n - np.arange(start, n, dtype=np.float64))
    return QueueRows(
        backlog=backlog,
        cum_resolved=cum_r,
        due=due,
        breached=breached,
        overdue=overdue,
        open_left=open_left,
        total_resolved=final,
        total_age=np.maximum(0.0, backlog.sum(axis=1) - tail_age),
    )


def fifo_queue(
    arrivals: NDArray[np.float64], capacity: NDArray[np.float64], sla_days: float
) -> QueueFlow:
    """The FIFO queue of one run: daily ``arrivals`` and ``capacity`` (tickets/day), the SLA in
    working days (see :func:`fifo_queue_rows`)."""
    a = np.asarray(arrivals, dtype=np.float64)
    k = allowed_age(sla_days, a.size)
    rows = fifo_queue_rows(a[None, :], np.asarray(capacity, dtype=np.float64)[None, :], k)
    left = rows.open_left[0]
    still_open = np.flatnonzero(left)
    return QueueFlow(
        arrivals=a,
        backlog=rows.backlog[0],
        resolved=np.diff(rows.cum_resolved[0], prepend=0.0),
        due=rows.due[0],
        breached=rows.breached[0],
        overdue=rows.overdue[0],
        allowed_age=k,
        total_age=float(rows.total_age[0]),
        open_at_end=tuple(zip(still_open.tolist(), left[still_open].tolist(), strict=True)),
    )
