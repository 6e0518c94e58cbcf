"""The weekly performance review: what management sees and what it decides (docs/model.md,
section 10).

Every ``response.review_days`` working days from programme start the review reads the queue as
it stands (:class:`~simulation.model.watch.QueueView`): the backlog in days of mean demand, the
oldest open ticket, SLA compliance and capacity over the last ``response.window_weeks`` weeks,
and the demand forecast ``response.forecast_months`` ahead. It then pulls the levers of
:mod:`simulation.model.levers`:

* **pressure** — the backlog above ``agency_trigger_backlog_days`` days of demand, or weekly
  compliance below ``policy.sla_target`` for ``agency_trigger_weeks`` weeks — starts overtime
  and orders agency staff for the gap ``forecast − capacity + backlog / burn_down_days``
  (less what is already on its way), in units of an agency agent's output;
* within ``hypercare_months`` after cutover, a backlog above
  ``hypercare_trigger_backlog_days`` calls the vendor's agents back for the gap left;
* from cutover on, the team target rises to
  ``ceil((forecast + backlog / burn_down_days) / (tickets per agent-day × availability))``;
* stale tickets (older than ``triage_age_days``) leave at ``triage_share_per_week`` a week;
* a backlog at or below ``release_backlog_days`` for ``release_weeks`` weeks releases agency and
  hypercare staff, ends overtime and lets the team target fall back.

The review decides from the queue up to the end of the previous day and acts at the start of its
day; it never schedules a SimPy event for a week in which it decides nothing (the capacity
recorder passes each review day, see :mod:`simulation.model.capacity`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simulation.model.context import RunContext
from simulation.model.levers import Crew, Overtime, TeamSize
from simulation.model.watch import Glance, QueueView

Action = Callable[[], None]


def availability(p: object) -> float:
    """Expected share of a seat that is filled and productive, in steady state:
    ``(T − onboarding − ramp loss) / (T + vacancy)`` with the mean tenure
    ``T = 12·D / annual_attrition`` working days, the vacancy after a leaver
    ``time_to_hire / offer_acceptance`` and the ramp loss ``(1 − p0) · τ · (1 − e^(−T/τ))``
    (the output missing while a new agent learns). 1 without attrition."""
    attrition = float(p.annual_attrition)  # type: ignore[attr-defined]
    if attrition <= 0.0:
        return 1.0
    D = float(p.working_days_per_month)  # type: ignore[attr-defined]
    tenure = 12.0 * D / attrition
    vacancy = p.time_to_hire_days / max(p.offer_acceptance, 1e-9)  # type: ignore[attr-defined]
    from simulation.model.staffing import learning_tau

    p0 = float(p.initial_productivity)  # type: ignore[attr-defined]
    tau = learning_tau(float(p.ramp_up_days), p0)  # type: ignore[attr-defined]
    ramp = (1.0 - p0) * tau * (1.0 - math.exp(-tenure / tau)) if tau > 0.0 else 0.0
    productive = max(0.0, tenure - p.onboarding_days - ramp)  # type: ignore[attr-defined]
    return max(0.05, productive / (tenure + vacancy))


class Review:
    """The review and the levers of one run."""

    def __init__(
        self,
        ctx: RunContext,
        size: TeamSize,
        vendor_leaving: Callable[[float, float], float],
    ) -> None:
        self.ctx = ctx
        #: the share of the vendor's agents expected to have left by a day (0 once all have)
        self.vendor_leaving = vendor_leaving
        p = ctx.p
        W, D = ctx.W, ctx.D
        self.every = max(1, int(p.review_days))
        self.next_day = self.every
        self.window = max(1, int(p.window_weeks * W))
        self.size = size
        self.agency = Crew(
            ctx, ("agency agent", "agency agents"), p.agency_max_agents, p.agency_max_months * D
        )
        self.hypercare = Crew(
            ctx,
            ("vendor agent on hypercare", "vendor agents on hypercare"),
            p.hypercare_max_agents,
            math.inf,
        )
        self.overtime = Overtime(ctx)
        self.availability = availability(p)
        # the terms of :meth:`_demand` and :meth:`_forecast`, computed once (the same floats)
        self._growth = 1.0 + p.demand_growth_per_year
        self._year = 12.0 * D
        self._ahead = int(p.forecast_months * D)
        self.share_per_review = 1.0 - (1.0 - p.triage_share_per_week) ** (self.every / W)
        self.calm_days = 0
        self.low_days = 0
        self.cutover_day = math.inf  # the first cutover: from it on the team may be resized
        self.hypercare_from = math.inf  # the latest cutover: the hypercare window opens
        self.waves_pending = False  # waves still to cut over after the first
        #: tickets a day of the vendor's part kept for good (known once the last wave is over)
        self.retained_capacity = 0.0
        self.vendor_failed = False  # a failed vendor cannot be called back for hypercare
        self.views: list[QueueView] = []  # what each review saw (kept when the log is)
        self.abandoned: dict[int, float] = {}
        #: reviews before this day decide nothing (see :meth:`quiet_from`)
        self.quiet_until = 0

    # what the capacity recorder asks -----------------------------------------------------------

    def extra_capacity(self, kf: float) -> float:
        """Tickets/day of agency and hypercare staff, with ``kf`` the tickets a fully productive
        internal agent resolves a day on the domains known now."""
        p = self.ctx.p
        agency = self.agency.count * p.agency_productivity * kf if self.agency.count else 0.0
        hypercare = self.hypercare.count * p.vendor_tickets_per_agent_day
        return agency + hypercare

    def attrition_factor(self) -> float:
        return self.ctx.p.overtime_attrition_factor if self.overtime.on else 1.0

    # quiet weeks --------------------------------------------------------------------------------

    def idle(self) -> bool:
        """No lever is in use or on its way and the team target is the plan's."""
        size = self.size
        return (
            not self.agency.present
            and not self.agency.orders
            and not self.hypercare.present
            and not self.hypercare.orders
            and not self.overtime.on
            and not self.overtime.starting
            and size.target == size.base
            and not size.approving
        )

    def quiet_from(self, day: int, empty_until: int, kf: float) -> int:
        """The day before which every review decides what the one on ``day`` decided, nothing,
        given that the queue is empty now and stays so until ``empty_until``.

        With an empty queue there is no pressure and no triage. A stretch is quiet only while no
        temporary help is present (the team's capacity grows as it learns, so help may be
        released any week), nor while a raised team target may be lowered (a calm spell long
        enough already). The team size then depends only on the demand forecast, which does
        not fall (growth ≥ 0): the target rises on the day the forecast alone crosses it
        (solved for). A quiet review counts a calm week; the first review at which the calm
        spell becomes long enough decides again."""
        p = self.ctx.p
        until = empty_until
        if self.agency.present or self.hypercare.present or self.overtime.on:
            return day  # the team's capacity grows as it learns: help may go any week
        if p.demand_growth_per_year < 0.0 and not self.idle():
            return day  # a falling forecast may lower the team target any week
        if p.resize and day >= self.cutover_day:
            if self.waves_pending:
                return day  # the vendor's capacity the team size counts on changes by wave
            until = min(until, self._crossing(kf))
        calm_at = p.release_weeks * self.ctx.W
        if self.size.target > self.size.base and self.calm_days >= calm_at:
            return day  # a calm review may lower a raised target any week
        if self.calm_days < calm_at:  # the review at which the calm spell is long enough
            reviews = -(-(calm_at - self.calm_days) // self.every)
            until = min(until, self.next_day + (reviews - 1) * self.every)
        return until

    def _crossing(self, kf: float) -> int:
        """The first day the forecast alone needs more than the team target (the horizon when
        never; 0 when already)."""
        p = self.ctx.p
        D = self.ctx.D
        capacity = self.size.target * kf * self.availability + self.retained_capacity
        if p.tickets_per_day <= 0.0:
            return self.ctx.n_days
        ratio = capacity / p.tickets_per_day
        g = p.demand_growth_per_year
        if ratio <= 1.0:
            return 0
        if g <= 0.0 or not math.isfinite(ratio):
            return self.ctx.n_days
        day = 12.0 * D * math.log(ratio) / math.log1p(g) - p.forecast_months * D
        if not day < self.ctx.n_days:
            return self.ctx.n_days
        return max(0, math.floor(day) - self.every)

    def next_stop(self, next_review: int, day: int) -> int:
        """The next day the capacity recorder must stop for a review: ``next_review``, or in a
        quiet stretch the first review day at or after its end (and after ``day``)."""
        quiet = self.quiet_until
        if next_review >= quiet:
            return next_review
        every = self.every
        target = max(quiet, day)
        return next_review + -(-(target - next_review) // every) * every

    def skip_to(self, day: int) -> int:
        """Count the quiet reviews on days up to ``day`` that fall in the quiet stretch (each a
        calm week: the queue is empty, nothing is decided) and return the next review day
        still to hold."""
        last = min(day, self.quiet_until - 1)
        if self.next_day <= last:
            skipped = (last - self.next_day) // self.every + 1
            self.calm_days += skipped * self.every
            self.low_days = 0
            self.next_day += skipped * self.every
        return self.next_day

    # the review --------------------------------------------------------------------------------

    def decide(
        self,
        look: Glance,
        capacity: float,
        internal: float,
        vendor: float,
        kf: float,
        view: QueueView | None = None,
    ) -> list[Action]:
        """What the review on ``look.day`` does; the actions run at the start of that day.

        ``capacity``: tickets a day of that day, of which ``internal`` the team's own (without
        overtime) and ``vendor`` the outgoing vendor's; ``kf``: tickets a fully productive
        internal agent resolves a day on the domains known now. The review plans without the
        vendor's capacity once its exit falls within the forecast horizon. ``view``: the full
        view, kept for the event log (its other KPIs inform no decision).
        """
        ctx = self.ctx
        p = ctx.p
        day = look.day
        self.next_day = day + self.every
        if view is not None:
            self.views.append(view)
        backlog_days, self.low_days, self.calm_days = self._counters(look)
        why = ""
        if ctx.record:
            why = f"backlog {backlog_days:.1f} days of demand, compliance {look.last_week:.0%}"
            if view is not None:
                ratio = view.capacity / view.arrivals if view.arrivals > 0 else math.inf
                why += f" (capacity {ratio:.0%} of arrivals over {self.window} days)"
        actions: list[Action] = []
        if p.triage and look.stale > 0.0:
            x = self.share_per_review * look.stale
            self.abandoned[day] = x
            if ctx.record:
                actions.append(lambda: ctx.note(f"{why}: {x:.1f} stale tickets closed unworked"))
        # the daily need the review plans for, and the capacity it can count on
        need, leaving, staying = self._plan(day, look.backlog, vendor)
        if leaving:
            capacity -= vendor * leaving
        calm = self.calm_days >= p.release_weeks * ctx.W
        if calm and (self.agency.count or self.hypercare.count or self.overtime.on):
            release = self._release_action(need, capacity, kf, why)
            if release is not None:
                actions.append(release)
        if self._pressure(backlog_days, self.low_days):
            actions.extend(self._help(need - capacity, internal, kf, day, backlog_days, why))
        if p.resize and day >= self.cutover_day and kf > 0.0:
            resize = self._resize_action(day, need, staying, kf, calm, why)
            if resize is not None:
                actions.append(resize)
        return actions

    def unaided(self) -> bool:
        """No agency or hypercare staff is present and overtime is off (orders and approvals
        may be on their way)."""
        return not (self.agency.present or self.hypercare.present or self.overtime.on)

    def quiet(self, look: Glance, vendor: float, kf: float) -> bool:
        """Whether the review on ``look.day`` decides nothing while no help is present
        (:meth:`unaided`, the caller's check): no stale tickets to close, no pressure, and the
        team target neither raised nor lowered. If so, its counters move on as :meth:`decide`'s
        would and it need not be held (no event, no action); if not, nothing changes and the
        review is held. The same expressions as :meth:`decide`, so the run is the same either
        way."""
        p = self.ctx.p
        if p.triage and look.stale > 0.0:
            return False
        backlog_days, low, calm = self._counters(look)
        if self._pressure(backlog_days, low):
            return False
        day = look.day
        if p.resize and day >= self.cutover_day and kf > 0.0:
            need, _, staying = self._plan(day, look.backlog, vendor)
            long_calm = calm >= p.release_weeks * self.ctx.W
            if self._resize_action(day, need, staying, kf, long_calm, "") is not None:
                return False
        self.next_day = day + self.every
        self.low_days = low
        self.calm_days = calm
        return True

    def _counters(self, look: Glance) -> tuple[float, int, int]:
        """The backlog in days of demand, and the low-compliance and calm spells (working days)
        as they stand after the review on ``look.day``."""
        p = self.ctx.p
        demand = self._demand(look.day)
        backlog_days = look.backlog / demand if demand > 0 else 0.0
        low = self.low_days + self.every if look.last_week < p.sla_target - 1e-12 else 0
        calm = self.calm_days + self.every if backlog_days <= p.release_backlog_days else 0
        return backlog_days, low, calm

    def _pressure(self, backlog_days: float, low_days: int) -> bool:
        """The agency trigger: a backlog above the trigger, or compliance low for long enough."""
        p = self.ctx.p
        return (
            backlog_days > p.agency_trigger_backlog_days
            or low_days >= p.agency_trigger_weeks * self.ctx.W
        )

    def _plan(self, day: int, backlog: float, vendor: float) -> tuple[float, float, float]:
        """The daily need the review plans for (forecast and burn-down, tickets/day), the share
        of the vendor's agents gone by the forecast's horizon, and the vendor's capacity the
        team size can count on (tickets/day; ``vendor``: its capacity today)."""
        p = self.ctx.p
        need = self._forecast(day) + backlog / p.burn_down_days
        leaving = self.vendor_leaving(day, day + p.forecast_months * self.ctx.D)
        return need, leaving, vendor - vendor * leaving

    def _resize_action(
        self, day: int, need: float, staying: float, kf: float, calm: bool, why: str
    ) -> Action | None:
        """The team target at the review on ``day`` for the daily ``need`` beside the vendor's
        ``staying`` capacity (tickets/day): raised (after the approval lead time, up to the cap)
        when more heads are needed; lowered to one head above the need (never below the plan's)
        when the calm spell is long enough, the need is at least two heads below the target (a
        dead band of one head: a need on the edge between two sizes does not raise and lower
        the target by turns) and the last raise was approved at least ``release_weeks`` ago;
        None when it stays."""
        p = self.ctx.p
        size = self.size
        needed = math.ceil((need - staying) / (kf * self.availability) - 1e-9)
        if min(needed, size.cap) > max(size.target, size.approving):
            return lambda: size.raise_to(needed, p.resize_lead_days, why)
        if (
            calm
            and max(size.base, needed + 1) < size.target
            and day - size.approved_day >= p.release_weeks * self.ctx.W
        ):
            return lambda: size.lower_to(needed, why)
        return None

    def _release_action(self, need: float, capacity: float, kf: float, why: str) -> Action | None:
        """The calm rule: temporary help goes, except what the need still takes beside the team
        (agency first, then hypercare), and overtime ends; None when nothing would change."""
        p = self.ctx.p
        unit = p.agency_productivity * kf
        rate = p.vendor_tickets_per_agent_day
        short = max(0.0, need - (capacity - self.extra_capacity(kf)))
        agency = min(self.agency.count, math.ceil(short / unit - 1e-9)) if unit > 0 else 0
        short = max(0.0, short - agency * unit)
        hypercare = math.ceil(short / rate - 1e-9) if rate > 0 else 0
        if (
            agency >= self.agency.count
            and hypercare >= self.hypercare.count
            and not self.overtime.on
        ):
            return None
        return lambda: self._release(agency, hypercare, why)

    def _help(
        self, gap: float, internal: float, kf: float, day: int, backlog_days: float, why: str
    ) -> list[Action]:
        """Under pressure: overtime, then agency staff for the ``gap`` (tickets a day) left,
        then (in the hypercare window) the vendor's agents for what is left after that."""
        p = self.ctx.p
        actions: list[Action] = []
        overtime = self.overtime
        if (
            p.overtime
            and not (overtime.on or overtime.starting)
            and overtime.available(float(day)) >= self.ctx.W
        ):
            actions.append(lambda: overtime.start(p.overtime_lead_days, why))
            gap -= internal * p.overtime_capacity
        unit = p.agency_productivity * kf
        rate = p.vendor_tickets_per_agent_day
        gap -= self.agency.pending * unit + self.hypercare.pending * rate
        if p.agency and gap > 0.0 and unit > 0.0:
            n = min(math.ceil(gap / unit - 1e-9), self.agency.room())
            if n > 0:
                actions.append(lambda: self.agency.order(n, p.agency_lead_days, why))
                gap -= n * unit
        start = self.hypercare_from
        window = not self.vendor_failed and start <= day < start + p.hypercare_months * self.ctx.D
        if (
            p.hypercare
            and window
            and backlog_days > p.hypercare_trigger_backlog_days
            and gap > 0.0
            and rate > 0.0
        ):
            m = min(math.ceil(gap / rate - 1e-9), self.hypercare.room())
            if m > 0:
                actions.append(lambda: self.hypercare.order(m, p.hypercare_lead_days, why))
        return actions

    def _release(self, agency: int, hypercare: int, why: str) -> None:
        """The calm rule: overtime ends, agency and hypercare staff go down to ``agency`` and
        ``hypercare`` (what the forecast still needs beside the team)."""
        self.agency.release_down_to(agency, why)
        self.hypercare.release_down_to(hypercare, why)
        self.overtime.stop(why)

    def _demand(self, day: int) -> float:
        """Expected tickets a day at ``day`` (growth; the scale of "days of demand")."""
        return self.ctx.p.tickets_per_day * self._growth ** (day / self._year)

    def _forecast(self, day: int) -> float:
        """Expected tickets a day ``response.forecast_months`` ahead of ``day``."""
        return self._demand(day + self._ahead)
