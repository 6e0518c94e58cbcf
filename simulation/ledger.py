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


def _clean(x: NDArray[np.float64], eps: float) -> NDArray[np.float64]:
    """Zero the floating-point residue of the cumulative sums (|x| < eps)."""
    x[np.abs(x) < eps] = 0.0
    return x


def fifo_queue(
    arrivals: NDArray[np.float64], capacity: NDArray[np.float64], sla_days: float
) -> QueueFlow:
    """The FIFO queue for daily ``arrivals`` and ``capacity`` (tickets/day), SLA in working days.

    Negative capacity counts as none. Cost: a dozen numpy passes over the horizon.
    """
    a = np.asarray(arrivals, dtype=np.float64)
    c = np.maximum(np.asarray(capacity, dtype=np.float64), 0.0)
    n = a.size
    k = allowed_age(sla_days, n)
    if n == 0:
        empty = np.zeros(0)
        return QueueFlow(a, empty, empty, empty, empty, empty, k, 0.0, ())
    cum_a = np.cumsum(a)
    eps = max(_ABS_EPS, _REL_EPS * float(cum_a[-1]))
    s = np.cumsum(a - c)
    backlog = _clean(s - np.minimum(np.minimum.accumulate(s), 0.0), eps)
    cum_r = cum_a - backlog  # cumulative resolutions, non-decreasing
    resolved = _clean(np.diff(cum_r, prepend=0.0), eps)
    due = np.zeros(n)
    breached = np.zeros(n)
    overdue = np.zeros(n)
    if k < n:
        cum_due = cum_a[: n - k]  # A(d - k) for d >= k
        before_due = np.concatenate(([0.0], cum_a[: n - k - 1]))  # A(d - k - 1)
        due[k:] = a[: n - k]
        overdue[k:] = _clean(np.maximum(cum_due - cum_r[k:], 0.0), eps)
        breached[k:] = _clean(
            np.clip(cum_due - np.maximum(cum_r[k:], before_due), 0.0, due[k:]), eps
        )
    # cohorts still open at the horizon: arrived after the last fully resolved one
    final = float(cum_r[-1])
    first_open = int(np.searchsorted(cum_a, final + eps, side="right"))
    open_at_end: list[tuple[int, float]] = []
    tail_age = 0.0
    if backlog[-1] > 0.0:
        prev = np.concatenate(([0.0], cum_a[:-1]))
        idx = np.arange(first_open, n)
        left = np.clip(cum_a[idx] - np.maximum(final, prev[idx]), 0.0, a[idx])
        keep = left > eps
        open_at_end = list(zip(idx[keep].tolist(), left[keep].tolist(), strict=True))
        tail_age = float(np.dot(left, n - idx))
    total_age = max(0.0, float(backlog.sum()) - tail_age)
    return QueueFlow(
        arrivals=a,
        backlog=backlog,
        resolved=resolved,
        due=due,
        breached=breached,
        overdue=overdue,
        allowed_age=k,
        total_age=total_age,
        open_at_end=tuple(open_at_end),
    )
