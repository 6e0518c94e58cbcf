"""The FIFO cohort ledger of service tickets.

Tickets arrive as one cohort per working day; each day's capacity (tickets, possibly fractional)
is spent on the oldest cohorts first. Because cohorts are resolved strictly in arrival order, the
ledger knows exactly how many tickets of which cohort were resolved on which day, so every
resolution time is exact (no averaging). Each day costs amortised O(1): a cohort is appended once
and the head pointer passes it once.

Conventions (working days):

* A ticket arriving on day ``a`` and resolved on day ``d`` has age ``d - a`` (0 = same day).
* It meets the SLA when ``d - a <= floor(sla_days)``; otherwise it breaches.
* Cohort ``a`` is *due* on day ``a + floor(sla_days)``: the tickets still open at the end of that
  day are the cohort's breaches (counted once, on that day).
* Ticket-days beyond SLA: at the end of each day, every open ticket that is already due
  (``d - a >= floor(sla_days)``) counts one ticket-day. A breached ticket therefore contributes
  ``age - floor(sla_days)`` ticket-days, exactly its lateness.
"""

from __future__ import annotations

import math

_EPS = 1e-9


class TicketLedger:
    """FIFO ledger of daily ticket cohorts.

    Call :meth:`step` once per working day, in order. Per-day records (index = day):
    ``arrived``, ``backlog_by_day`` (open tickets at the end of the day), ``breached_by_day``
    (tickets of the cohort due that day still open at its end), ``overdue_by_day`` (open tickets
    already due at the end of the day = that day's ticket-days beyond SLA). ``due_by_day`` is
    ``arrived`` shifted by ``allowed_age`` days. With ``record=True`` every resolution is kept in
    ``resolutions`` as ``(arrival_day, resolved_day, tickets)``.
    """

    __slots__ = (
        "allowed_age",
        "arrived",
        "remaining",
        "head",
        "day",
        "backlog",
        "overdue",
        "backlog_by_day",
        "breached_by_day",
        "overdue_by_day",
        "total_within_sla",
        "total_age",
        "record",
        "resolutions",
    )

    def __init__(self, sla_days: float, record: bool = False) -> None:
        """``sla_days``: the resolution SLA in working days (fractions round down)."""
        big = 1 << 40
        self.allowed_age = min(big, int(math.floor(sla_days))) if math.isfinite(sla_days) else big
        self.arrived: list[float] = []
        self.remaining: list[float] = []
        self.head = 0
        self.day = 0
        self.backlog = 0.0
        self.overdue = 0.0  # open tickets already past their due day
        self.backlog_by_day: list[float] = []
        self.breached_by_day: list[float] = []
        self.overdue_by_day: list[float] = []
        self.total_within_sla = 0.0
        self.total_age = 0.0  # sum over resolved tickets of their age (ticket-days)
        self.record = record
        self.resolutions: list[tuple[int, int, float]] = []

    def step(self, arrivals: float, capacity: float) -> float:
        """Add today's ``arrivals`` (tickets) and spend ``capacity`` (tickets) oldest-first.

        Returns the tickets resolved today.
        """
        d = self.day
        rem = self.remaining
        self.arrived.append(arrivals)
        self.day = d + 1
        if self.head == d and capacity + _EPS >= arrivals:
            # nothing open from earlier days: today's tickets are all resolved today
            rem.append(0.0)
            self.head = d + 1
            self.total_within_sla += arrivals
            self.backlog_by_day.append(0.0)
            self.breached_by_day.append(0.0)
            self.overdue_by_day.append(0.0)
            if self.record and arrivals > 0.0:
                self.resolutions.append((d, d, arrivals))
            return arrivals
        rem.append(arrivals)
        late_before = d - self.allowed_age - 1  # cohorts a <= this are already overdue
        cap = capacity
        h = self.head
        resolved = 0.0
        late = 0.0
        age = 0.0
        while cap > _EPS and h <= d:
            r = rem[h]
            cohort = h
            if r <= cap + _EPS:
                take = r
                rem[h] = 0.0
                h += 1
            else:
                take = cap
                rem[h] = r - cap
            cap -= take
            resolved += take
            age += take * (d - cohort)
            if cohort <= late_before:
                late += take
            if self.record and take > 0.0:
                self.resolutions.append((cohort, d, take))
        while h <= d and rem[h] <= 0.0:
            h += 1
        self.head = h
        backlog = self.backlog + arrivals - resolved
        overdue = self.overdue - late
        due_cohort = d - self.allowed_age
        breached = rem[due_cohort] if due_cohort >= 0 else 0.0
        overdue += breached
        if h > d or backlog < _EPS:
            backlog = 0.0
            overdue = 0.0
        elif overdue < _EPS:
            overdue = 0.0
        self.backlog = backlog
        self.overdue = overdue
        self.backlog_by_day.append(backlog)
        self.breached_by_day.append(breached)
        self.overdue_by_day.append(overdue)
        self.total_within_sla += resolved - late
        self.total_age += age
        return resolved

    @property
    def due_by_day(self) -> list[float]:
        """Tickets due each day (the cohort that arrived ``allowed_age`` days before)."""
        k = self.allowed_age
        n = len(self.arrived)
        return [self.arrived[i - k] if i >= k else 0.0 for i in range(n)]

    @property
    def total_arrived(self) -> float:
        return float(sum(self.arrived))

    @property
    def total_resolved(self) -> float:
        return self.total_arrived - self.backlog

    @property
    def total_breached(self) -> float:
        """Tickets that missed (or, still open, have already missed) their SLA deadline."""
        return float(sum(self.breached_by_day))

    @property
    def total_ticket_days_beyond(self) -> float:
        """Sum over days of open tickets already past their deadline (ticket-days)."""
        return float(sum(self.overdue_by_day))

    @property
    def mean_resolution_days(self) -> float:
        """Mean age (working days) of the tickets resolved so far (NaN if none)."""
        done = self.total_resolved
        return self.total_age / done if done > 0 else math.nan

    def open_cohorts(self) -> list[tuple[int, float]]:
        """``(arrival_day, open tickets)`` of every cohort still in the backlog, oldest first."""
        return [(a, self.remaining[a]) for a in range(self.head, self.day) if self.remaining[a]]
