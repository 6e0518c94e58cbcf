"""The recovery levers management pulls after a review (docs/model.md, section 10).

Each lever has a trigger (decided by :mod:`simulation.model.review`), a lead time, a cost (paid
per agent-day or per hour, computed after the run from the periods recorded here), a cap and a
release rule:

* **agency staff**: ordered agents arrive after ``response.agency_lead_days`` and work at
  ``response.agency_productivity`` of a fully productive internal agent on known domains (the
  unknown-domain rule applies as for new agents); each stays at most
  ``response.agency_max_months`` (AÜG) and is billed at least ``response.agency_min_days``;
* **overtime**: internal capacity × (1 + ``response.overtime_capacity``) for at most
  ``response.overtime_max_weeks`` weeks in any 26, with attrition × ``overtime_attrition_factor``;
* **hypercare**: the outgoing vendor's agents called back on time and materials after cutover;
  they know every domain;
* **a larger team**: the target head count rises after an approval lead time (the recruiting
  mechanism fills it); it falls back only through leavers not backfilled above the target.

Every change of what the levers provide counts in ``RunContext.changes`` (a new capacity segment).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simulation.model.context import RunContext

#: ``[start, end)`` working days of one person or one overtime spell (``end`` inf while on).
Period = list[float]


class Crew:
    """People of one lever (agency or hypercare): who is here since when, and who is ordered."""

    def __init__(self, ctx: RunContext, name: tuple[str, str], cap: int, max_days: float) -> None:
        self.ctx = ctx
        self.name = name  # one person, several (the event log's words)
        self.cap = cap
        self.max_days = max_days
        self.present: list[Period] = []  # periods of the people here now
        self.periods: list[Period] = []  # every period (costs)
        self.orders: list[list[int]] = []  # [people, cancelled] of orders on their way

    def people(self, n: int) -> str:
        """``n`` people of this crew in words, for the event log ("1 agency agent")."""
        return f"{n} {self.name[0] if n == 1 else self.name[1]}"

    @property
    def count(self) -> int:
        return len(self.present)

    @property
    def pending(self) -> int:
        """People ordered and not yet arrived."""
        return sum(n for n, cancelled in self.orders if not cancelled)

    def room(self) -> int:
        """How many more may be ordered under the cap."""
        return max(0, self.cap - self.count - self.pending)

    def order(self, n: int, lead: float, why: str) -> None:
        """Order ``n`` people now; they arrive after ``lead`` working days."""
        if n <= 0:
            return
        ctx = self.ctx
        order = [n, 0]
        self.orders.append(order)
        if ctx.record:
            arrival = float(ctx.env.now) + max(0.0, lead)
            ctx.note(f"{why}: {self.people(n)} ordered, arriving day {arrival:.0f}")
        event = ctx.env.timeout(max(0.0, lead))
        event.callbacks.append(lambda _: self._arrive(order))

    def _arrive(self, order: list[int]) -> None:
        self.orders.remove(order)
        n, cancelled = order
        if cancelled:
            return
        ctx = self.ctx
        now = float(ctx.env.now)
        for _ in range(n):
            period = [now, math.inf]
            self.present.append(period)
            self.periods.append(period)
            if math.isfinite(self.max_days):
                self._limit(period)
        ctx.changes += 1
        if ctx.record:
            ctx.note(f"{self.people(n)} {'arrives' if n == 1 else 'arrive'}; {self.count} here")

    def _limit(self, period: Period) -> None:
        """The person leaves ``max_days`` after arriving (the longest assignment allowed)."""
        limit = self.ctx.env.timeout(self.max_days)
        limit.callbacks.append(lambda _: self._leave(period, "longest assignment reached"))

    def _leave(self, period: Period, why: str) -> None:
        if not any(p is period for p in self.present):
            return
        period[1] = float(self.ctx.env.now)
        self.present = [p for p in self.present if p is not period]
        self.ctx.changes += 1
        if self.ctx.record:
            self.ctx.note(f"one {self.name[0]} leaves ({why}); {self.count} here")

    def release_down_to(self, keep: int, why: str) -> None:
        """Cancel the orders on their way and let everyone above ``keep`` go now (the latest
        arrivals first)."""
        for order in self.orders:
            order[1] = 1
        if self.count <= keep:
            return
        now = float(self.ctx.env.now)
        gone = self.present[keep:]
        for period in gone:
            period[1] = now
        self.present = self.present[:keep]
        self.ctx.changes += 1
        if self.ctx.record:
            self.ctx.note(f"{self.people(len(gone))} released ({why}); {self.count} stay")


class Overtime:
    """Overtime spells of the internal team, at most ``max_weeks`` weeks in any 26."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        p = ctx.p
        self.capacity = p.overtime_capacity
        self.max_days = p.overtime_max_weeks * ctx.W
        self.span = 26 * ctx.W
        self.on = False
        self.starting = False
        self.periods: list[Period] = []

    @property
    def factor(self) -> float:
        """Internal capacity multiplier now."""
        return 1.0 + self.capacity if self.on else 1.0

    def used(self, now: float) -> float:
        """Overtime days in the 26 weeks before ``now``."""
        since = now - self.span
        total = 0.0  # a loop, not sum(): CPython 3.12's float sum() compensates, mypyc's does not
        for a, b in self.periods:
            total += max(0.0, min(b, now) - max(a, since))
        return total

    def available(self, now: float) -> float:
        return max(0.0, self.max_days - self.used(now))

    def start(self, lead: float, why: str) -> None:
        """Start overtime after ``lead`` days, for as long as the 26-week budget allows."""
        if self.on or self.starting or self.available(float(self.ctx.env.now)) < self.ctx.W:
            return  # less than a week of the 26-week budget left: not worth announcing
        self.starting = True
        ctx = self.ctx
        if ctx.record:
            ctx.note(f"{why}: overtime from day {float(ctx.env.now) + lead:.0f}")
        event = ctx.env.timeout(max(0.0, lead))
        event.callbacks.append(lambda _: self._begin())

    def _begin(self) -> None:
        ctx = self.ctx
        self.starting = False
        now = float(ctx.env.now)
        budget = self.available(now)
        if budget <= 0.0:
            return
        self.on = True
        period = [now, math.inf]
        self.periods.append(period)
        ctx.changes += 1
        stop = ctx.env.timeout(budget)
        weeks = self.max_days / ctx.W
        limit = f"the limit of {weeks:g} weeks of overtime in any 26 reached"
        stop.callbacks.append(lambda _: self.stop(limit, period))

    def stop(self, why: str, period: Period | None = None) -> None:
        if not self.on or (period is not None and self.periods[-1] is not period):
            return
        ctx = self.ctx
        self.on = False
        self.periods[-1][1] = float(ctx.env.now)
        ctx.changes += 1
        if ctx.record:
            ctx.note(f"overtime ends ({why})")


class TeamSize:
    """The target head count, raised after an approval lead time up to a cap."""

    def __init__(
        self, ctx: RunContext, target: int, cap: int, hire_up_to: Callable[[int], None]
    ) -> None:
        self.ctx = ctx
        self.base = target
        self.target = target
        self.cap = max(cap, target)
        self.approving = 0  # the target an approval on its way will set (0: none)
        self.approved_day = -math.inf  # the day the last raise was approved
        self.lowerings = 0  # target lowerings so far: an approval requested before one is void
        #: opens requisitions until this many agents are employed or being recruited
        self.hire_up_to = hire_up_to

    def raise_to(self, needed: int, lead: float, why: str) -> None:
        needed = min(needed, self.cap)
        if needed <= max(self.target, self.approving):
            return
        ctx = self.ctx
        self.approving = needed
        if ctx.record:
            ctx.note(f"{why}: team target {self.target} -> {needed}, approved in {lead:.0f} days")
        event = ctx.env.timeout(max(0.0, lead))
        lowerings = self.lowerings
        event.callbacks.append(lambda _: self._approved(needed, lowerings))

    def _approved(self, needed: int, lowerings: int) -> None:
        ctx = self.ctx
        if needed <= self.target or lowerings != self.lowerings:
            return  # not needed any more, or withdrawn by a lowering since it was requested
        self.target = needed
        self.approved_day = float(ctx.env.now)
        if self.approving == needed:
            self.approving = 0
        ctx.changes += 1
        self.hire_up_to(needed)  # agents kept above a lowered target count towards it

    def plan(self, target: int) -> None:
        """The plan's target rises to ``target`` (a new wave; the caller opens the
        requisitions)."""
        self.base = max(self.base, target)
        self.cap = max(self.cap, target)
        if target > self.target:
            self.target = target
            self.ctx.changes += 1

    def lower_to(self, needed: int, why: str) -> None:
        """Lower the target to one head above the ``needed`` heads (the dead band; never below
        the plan) and withdraw a raise awaiting approval; leavers above the target are not
        backfilled."""
        new = max(self.base, needed + 1)
        if new >= self.target:
            return
        ctx = self.ctx
        if ctx.record:
            withdrawn = f"; the raise to {self.approving} withdrawn" if self.approving else ""
            ctx.note(f"{why}: team target {self.target} -> {new} (no backfill above it{withdrawn})")
        self.target = new
        self.approving = 0  # and a raise awaiting approval is withdrawn
        self.lowerings += 1
        ctx.changes += 1
