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
  tickets still open at the horizon and of the tickets abandoned.

Two refinements of issue 14:

* **Abandoned tickets** (stale-ticket triage): ``abandon(d)`` tickets leave the head of the queue
  at the start of day ``d`` without work (users gave up, duplicates closed). They are departures
  like resolutions, so the Lindley recursion takes ``capacity + abandon`` as the day's outflow and
  every FIFO formula above holds with ``R`` the cumulative *departures*. An abandoned ticket is
  older than the SLA (the scenario reader requires it), so it was already counted as breached on
  its due day; its ticket-days beyond SLA stop when it leaves. The tickets abandoned on day ``d``
  are the departure positions ``(R(d-1), R(d-1) + abandon(d)]``; their ages come from the
  arrival-day-weighted cumulative arrivals.
* **Capped lateness** (``costs.disruption_cap_per_ticket``): a ticket is charged for at most
  ``K = cap / rate`` days beyond SLA. The charged ticket-days of day ``d`` are the overdue tickets
  whose lateness is at most ``floor(K)`` days, plus ``K - floor(K)`` of those exactly
  ``floor(K) + 1`` days late; with ``O_J(d) = max(0, A(d - lag - J) - R(d))`` the open tickets
  more than ``J`` days late, that is ``overdue(d) - O_J(d) + frac · (O_J(d) - O_{J+1}(d))``.
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


class _Total:
    """A float attribute of a :class:`QueueFlow`: the sum of its per-day ``series``."""

    def __init__(self, series: str) -> None:
        self.series = series

    def __get__(self, flow: object, owner: type | None = None) -> float:
        return float(getattr(flow, self.series).sum())


@dataclass(frozen=True)
class QueueFlow:
    """The queue of one run, per working day (index = day) and in totals (tickets, days).

    ``backlog``: open tickets at the end of each day; ``resolved``: tickets resolved that day;
    ``due``: tickets falling due that day (the cohort that arrived ``allowed_age`` days before);
    ``breached``: tickets of that due cohort still open at the day's end; ``overdue``: open
    tickets already due at the day's end (that day's ticket-days beyond SLA);
    ``open_at_end``: ``(arrival_day, tickets)`` of every cohort still open at the horizon;
    ``charged``: the ticket-days beyond SLA charged each day under the lateness cap;
    ``abandoned``: tickets abandoned at the start of each day (triage).
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
    charged: NDArray[np.float64] | None = None
    abandoned: NDArray[np.float64] | None = None

    #: Tickets arrived over the horizon.
    total_arrived = _Total("arrivals")
    #: Tickets resolved over the horizon (abandoned ones not).
    total_resolved = _Total("resolved")
    #: Tickets that missed (or, still open, have already missed) their SLA deadline.
    total_breached = _Total("breached")
    #: Sum over days of open tickets already past their deadline (ticket-days).
    total_ticket_days_beyond = _Total("overdue")

    @property
    def total_abandoned(self) -> float:
        return 0.0 if self.abandoned is None else float(self.abandoned.sum())

    @property
    def total_within_sla(self) -> float:
        """Tickets resolved no later than their due day (an abandoned ticket had breached)."""
        breached_resolved = self.total_breached - self._open_breached - self.total_abandoned
        return self.total_resolved - breached_resolved

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

    Same meaning as :class:`QueueFlow`; ``total_resolved`` in tickets (abandoned ones not
    included), ``total_age`` in ticket-days (the summed age of resolved tickets),
    ``cum_resolved`` the cumulative departures (resolved and abandoned) at each day's end.
    ``charged``: the ticket-days beyond SLA charged on each day under the lateness cap
    (``overdue`` itself when there is none); ``abandoned``: tickets abandoned each day.
    """

    backlog: NDArray[np.float64]
    cum_resolved: NDArray[np.float64]
    due: NDArray[np.float64]
    breached: NDArray[np.float64]
    overdue: NDArray[np.float64]
    open_left: NDArray[np.float64]
    total_resolved: NDArray[np.float64]
    total_age: NDArray[np.float64]
    charged: NDArray[np.float64] | None = None
    abandoned: NDArray[np.float64] | None = None


def _clean(x: NDArray[np.float64], eps: NDArray[np.float64]) -> NDArray[np.float64]:
    """Zero the floating-point residue of the cumulative sums in a non-negative array
    (values below ``eps``, per run)."""
    x[x < eps] = 0.0
    return x


def _open_older(
    cum_a: NDArray[np.float64], cum_r: NDArray[np.float64], shift: int, eps: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Open tickets at each day's end that arrived ``shift`` or more days before it:
    ``max(0, A(d - shift) - R(d))`` (0 for the first ``shift`` days)."""
    k, n = cum_a.shape
    out = np.zeros((k, n))
    if shift < n:
        np.subtract(cum_a[:, : n - shift], cum_r[:, shift:], out=out[:, shift:])
        np.maximum(out, 0.0, out=out)
        _clean(out, eps)
    return out


def _charged(
    overdue: NDArray[np.float64],
    cum_a: NDArray[np.float64],
    cum_r: NDArray[np.float64],
    lag: int,
    cap_days: float,
    eps: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Ticket-days beyond SLA charged per day when each ticket is charged for at most
    ``cap_days`` days of lateness (see the module docstring)."""
    if not math.isfinite(cap_days):
        return overdue
    whole = int(math.floor(cap_days))
    frac = cap_days - whole
    older = _open_older(cum_a, cum_r, lag + whole, eps)
    charged = overdue - older
    if frac > 0.0:
        charged += frac * (older - _open_older(cum_a, cum_r, lag + whole + 1, eps))
    return np.maximum(charged, 0.0, out=charged)


def _abandoned_age(
    a: NDArray[np.float64],
    cum_a: NDArray[np.float64],
    prev_r: NDArray[np.float64],
    x: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Summed day-ends open of the tickets abandoned in each run: ``x(d)`` tickets leave at the
    start of day ``d`` from departure position ``prev_r(d)`` on (see the module docstring)."""
    k, n = a.shape
    rows, days = np.nonzero(x > 0.0)
    out = np.zeros(k)
    if rows.size == 0:
        return out
    weighted = np.cumsum(a * np.arange(n, dtype=np.float64), axis=1)

    def integral(row: NDArray[np.intp], pos: NDArray[np.float64]) -> NDArray[np.float64]:
        """∫_0^pos (arrival day of the ticket at position u) du, along each row's curve."""
        res = np.empty(pos.size)
        for i in range(pos.size):  # a few abandonment days per run
            r = row[i]
            c = int(np.searchsorted(cum_a[r], pos[i], side="left"))
            c = min(c, n - 1)
            before_a = cum_a[r, c - 1] if c > 0 else 0.0
            before_w = weighted[r, c - 1] if c > 0 else 0.0
            res[i] = before_w + (pos[i] - before_a) * c
        return res

    start = prev_r[rows, days]
    amount = x[rows, days]
    sums = amount * days - (integral(rows, start + amount) - integral(rows, start))
    np.add.at(out, rows, sums)
    return out


def _backlog(
    a: NDArray[np.float64],
    capacity: NDArray[np.float64],
    abandon: NDArray[np.float64] | None,
    eps: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Open tickets at each day's end: the Lindley recursion in closed form, ``S(d) -
    min(0, min_{j<=d} S(j))`` with ``S`` the running sum of arrivals less the day's outflow
    (capacity, negative counting as none, and abandoned tickets)."""
    s = a - np.maximum(np.asarray(capacity, dtype=np.float64), 0.0)
    if abandon is not None:
        s -= abandon
    np.cumsum(s, axis=1, out=s)
    low = np.minimum.accumulate(s, axis=1)
    np.minimum(low, 0.0, out=low)
    return _clean(np.subtract(s, low, out=s), eps)


def _lateness(
    a: NDArray[np.float64],
    padded: NDArray[np.float64],
    cum_r: NDArray[np.float64],
    lag: int,
    eps: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per day ``(due, breached, overdue)``: the cohort falling due, the part of it still open
    at the day's end, and the open tickets already due (``padded``: ``A`` with a 0 before it)."""
    k, n = a.shape
    cum_a, prev = padded[:, 1:], padded[:, :-1]  # A(d) and A(d - 1)
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
    return due, breached, overdue


def _open_at_horizon(
    a: NDArray[np.float64],
    padded: NDArray[np.float64],
    cum_r: NDArray[np.float64],
    backlog: NDArray[np.float64],
    eps: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The tickets of each cohort still open at the horizon (runs × days), and per run the day
    ends they were open; only the runs with a backlog at the horizon are looked at."""
    k, n = a.shape
    cum_a, prev = padded[:, 1:], padded[:, :-1]  # A(d) and A(d - 1)
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
    return open_left, tail_age


def _charged_rows(
    overdue: NDArray[np.float64],
    cum_a: NDArray[np.float64],
    cum_r: NDArray[np.float64],
    lag: int,
    cap_days: float | NDArray[np.float64],
    eps: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The ticket-days beyond SLA charged each day under each run's lateness cap (``overdue``
    itself when no run has one); the runs sharing a cap are computed together."""
    k, n = overdue.shape
    caps = np.broadcast_to(np.asarray(cap_days, dtype=np.float64), (k,))
    if np.all(np.isinf(caps)):
        return overdue
    charged = np.empty((k, n))
    for cap in np.unique(caps):  # runs sharing a cap together
        sel = np.flatnonzero(caps == cap)
        charged[sel] = _charged(overdue[sel], cum_a[sel], cum_r[sel], lag, float(cap), eps[sel])
    return charged


def fifo_queue_rows(
    arrivals: NDArray[np.float64],
    capacity: NDArray[np.float64],
    lag: int,
    abandon: NDArray[np.float64] | None = None,
    cap_days: float | NDArray[np.float64] = math.inf,
) -> QueueRows:
    """FIFO queues of a batch of runs: ``arrivals`` and ``capacity`` (runs × days, tickets/day),
    ``lag`` the allowed age in whole working days (see :func:`allowed_age`).

    ``abandon`` (runs × days): tickets abandoned at the start of each day (stale-ticket triage);
    ``cap_days``: the most days of lateness charged per ticket (one value, or one per run; inf:
    no cap). Negative capacity counts as none. Cost: about twenty numpy passes over the batch;
    the tickets still open at the horizon are looked at only in the runs that have some.
    """
    a = np.asarray(arrivals, dtype=np.float64)
    k, n = a.shape
    if n == 0:
        empty, zero = np.zeros((k, 0)), np.zeros(k)
        return QueueRows(empty, empty, empty, empty, empty, empty, zero, zero, empty, empty)
    padded = np.zeros((k, n + 1))  # padded[:, d] = A(d - 1), A(-1) = 0
    np.cumsum(a, axis=1, out=padded[:, 1:])
    cum_a = padded[:, 1:]  # A(d)
    eps = np.maximum(_ABS_EPS, _REL_EPS * cum_a[:, -1:])
    backlog = _backlog(a, capacity, abandon, eps)
    cum_r = cum_a - backlog  # cumulative departures, non-decreasing
    due, breached, overdue = _lateness(a, padded, cum_r, lag, eps)
    open_left, tail_age = _open_at_horizon(a, padded, cum_r, backlog, eps)
    total_age = backlog.sum(axis=1) - tail_age
    final = cum_r[:, -1]
    abandoned = np.zeros((k, n)) if abandon is None else np.asarray(abandon, dtype=np.float64)
    if abandon is not None and abandoned.any():
        prev_r = np.zeros((k, n))
        prev_r[:, 1:] = cum_r[:, :-1]
        total_age -= _abandoned_age(a, cum_a, prev_r, abandoned)
        final = final - abandoned.sum(axis=1)
    return QueueRows(
        backlog, cum_r, due, breached, overdue, open_left,
        total_resolved=final, total_age=np.maximum(0.0, total_age),
        charged=_charged_rows(overdue, cum_a, cum_r, lag, cap_days, eps),
        abandoned=abandoned,
    )  # fmt: skip


def fifo_queue(
    arrivals: NDArray[np.float64],
    capacity: NDArray[np.float64],
    sla_days: float,
    abandon: NDArray[np.float64] | None = None,
    cap_days: float = math.inf,
) -> QueueFlow:
    """The FIFO queue of one run: daily ``arrivals`` and ``capacity`` (tickets/day), the SLA in
    working days, and optionally the tickets ``abandon``-ed at the start of each day and the most
    days of lateness charged per ticket (see :func:`fifo_queue_rows`)."""
    a = np.asarray(arrivals, dtype=np.float64)
    k = allowed_age(sla_days, a.size)
    rows = fifo_queue_rows(
        a[None, :],
        np.asarray(capacity, dtype=np.float64)[None, :],
        k,
        None if abandon is None else np.asarray(abandon, dtype=np.float64)[None, :],
        cap_days,
    )
    left = rows.open_left[0]
    still_open = np.flatnonzero(left)
    departed = np.diff(rows.cum_resolved[0], prepend=0.0)
    abandoned = rows.abandoned[0] if rows.abandoned is not None else np.zeros(a.size)
    return QueueFlow(
        arrivals=a,
        backlog=rows.backlog[0],
        resolved=departed - abandoned,
        due=rows.due[0],
        breached=rows.breached[0],
        overdue=rows.overdue[0],
        allowed_age=k,
        total_age=float(rows.total_age[0]),
        open_at_end=tuple(zip(still_open.tolist(), left[still_open].tolist(), strict=True)),
        charged=rows.charged[0] if rows.charged is not None else rows.overdue[0],
        abandoned=abandoned,
    )
