"""The daily ticket capacity of one run, recorded as segments between SimPy events, and the
internal attrition decided on the way (docs/model.md, sections 2 and 5).

Team, knowledge and vendor state change only at SimPy events (or at an attrition leaver,
decided here); every change counts in ``RunContext.changes``. Between two changes capacity
follows a closed form: day ``d`` of a segment starting on ``d0`` has
``A − B·q^(d − d0) + rate·V·r^(d − d0)`` tickets (the learning-curve term decays by ``q`` a day,
the deterministic vendor ramp-down by ``r``). Each segment is recorded once; no Python work is
done per day.

The recorder drives the run itself (:meth:`CapacityRecorder.run`): it steps SimPy's event queue
until no event is left on or before the day it records, so it is not a SimPy process and has no
events of its own; on a day it acts (an attrition leaver, a review's decision) it sets SimPy's
clock to that day. The order of every other event is the one SimPy gives them.
"""

from __future__ import annotations

import math

from simulation.model.attrition import AttritionClock
from simulation.model.context import RunContext
from simulation.model.knowledge import Knowledge
from simulation.model.review import Action, Review
from simulation.model.staffing import Team
from simulation.model.streams import exponential_stream
from simulation.model.vendor import VendorPool
from simulation.model.watch import QueueWatch


class Current:
    """The segment being recorded (updated in place when the next one starts): it started on
    day ``start``; its day ``d`` has ``A − B·q^(d − start) + rate·(vn·r^(d − start) + vf)``
    tickets of capacity (see :class:`Segments`); ``kf`` the tickets a fully productive internal
    agent resolves a day on the domains known."""

    __slots__ = ("start", "A", "B", "kf", "vf", "vn", "r")

    def __init__(self) -> None:
        self.start = 0
        self.A = self.B = self.kf = self.vf = self.vn = self.r = 0.0

    def vendor_at(self, j: float, rate: float) -> tuple[float, float]:
        """The vendor's capacity ``j`` days into the segment (tickets/day, ``rate`` tickets a
        vendor agent resolves a day): the part that ramps down, and the whole."""
        decaying = rate * self.vn * (self.r**j if self.r != 1.0 else 1.0)
        return decaying, decaying + rate * self.vf


class Segments:
    """The daily capacity of one run as segments of days.

    Segment ``s`` covers days ``start[s]`` up to the next segment's start; its day ``d`` has
    ``internal[s] − learning[s]·q^j + rate·(vendor[s]·r[s]^j + vendor_fixed[s])`` tickets of
    capacity (``j = d − start[s]``; ``vendor`` in agents, ``rate`` the vendor's tickets per
    agent-day; ``vendor_fixed`` the vendor's agents that do not ramp down beside a part that
    does, only under waves or a retained part with variability ``"none"``),
    ``heads[s]`` internal agents and ``known[s]`` the share of domains known; ``agency[s]``,
    ``hypercare[s]`` the agency and hypercare agents present, ``target[s]`` the team target and
    ``overtime[s]`` whether the team works overtime (management's levers).
    """

    __slots__ = (
        "q",
        "start",
        "internal",
        "learning",
        "vendor",
        "r",
        "heads",
        "known",
        "agency",
        "hypercare",
        "target",
        "overtime",
        "vendor_fixed",
    )

    def __init__(self, q: float) -> None:
        self.q = q
        self.start: list[int] = []
        self.internal: list[float] = []
        self.learning: list[float] = []
        self.vendor: list[float] = []
        self.r: list[float] = []
        self.heads: list[int] = []
        self.known: list[float] = []
        self.agency: list[int] = []
        self.hypercare: list[int] = []
        self.target: list[int] = []
        self.overtime: list[bool] = []
        self.vendor_fixed: list[float] = []

    def add(
        self, cur: Current, heads: int, known: float, levers: tuple[int, int, int, bool]
    ) -> None:
        """Record segment ``cur`` with ``heads`` internal agents, ``known`` the share of domains
        known and the ``levers`` (agency, hypercare, team target, overtime) in use."""
        self.start.append(cur.start)
        self.internal.append(cur.A)
        self.learning.append(cur.B)
        self.vendor.append(cur.vn)
        self.r.append(cur.r)
        self.heads.append(heads)
        self.known.append(known)
        self.agency.append(levers[0])
        self.hypercare.append(levers[1])
        self.target.append(levers[2])
        self.overtime.append(levers[3])
        self.vendor_fixed.append(cur.vf)


class CapacityRecorder:
    """Records the capacity segments of one run and decides its attrition leavers."""

    def __init__(
        self,
        ctx: RunContext,
        team: Team,
        knowledge: Knowledge,
        vendor: VendorPool,
        notice_day: float,
        review: Review | None = None,
        watch: QueueWatch | None = None,
    ) -> None:
        self.ctx = ctx
        self.team = team
        self.knowledge = knowledge
        self.vendor = vendor
        self.notice_day = notice_day
        self.review = review
        self.watch = watch
        self.att_gap = exponential_stream(ctx.rng)
        self.segments = Segments(math.exp(-1.0 / team.tau) if team.tau > 0.0 else 0.0)
        self._wseg = 0  # the segment the queue watch has reached
        self.cur = Current()
        # where :meth:`run` stopped: the day, the next review day to hold, ``ctx.changes`` when
        # the current segment started, the next attrition leaver's day, the attrition clock
        self._day = 0
        self._next_review = 0
        self._seen = -1
        self._cross = 0
        self._clock: AttritionClock | None = None

    @property
    def paused_day(self) -> int:
        """The day :meth:`run` last stopped on (the horizon when the run is over)."""
        return self._day

    def _catch_up(self, day: int, rate: float) -> None:
        """Advance the queue watch over the recorded segments to the start of ``day``."""
        watch = self.watch
        assert watch is not None
        at = watch.day
        if at >= day:
            return
        seg = self.segments
        starts = seg.start
        last = len(starts) - 1
        q = seg.q
        i = self._wseg
        while at < day:
            while i < last and starts[i + 1] <= at:
                i += 1
            stop = day if i == last else min(day, starts[i + 1])
            j = at - starts[i]
            r = seg.r[i]
            learning = seg.learning[i]
            watch.advance(
                stop,
                seg.internal[i] + rate * seg.vendor_fixed[i],
                learning * q**j if learning else 0.0,
                rate * seg.vendor[i] * (r**j if r != 1.0 else 1.0),
                q,
                r,
            )
            at = watch.day
        self._wseg = i

    def _start_segment(self, d: int, clock: AttritionClock) -> int:
        """Record the segment that starts on day ``d`` (the state changed) in :attr:`cur` and set
        the attrition hazard it runs at; returns the day of the next attrition leaver at it."""
        ctx = self.ctx
        p = ctx.p
        team = self.team
        review = self.review
        lam = clock.lam
        staff = len(team.staff)
        lam_n = team.hazard(lam, clock.lam_t) if team.in_transfer else lam * staff
        ndom = self.knowledge.domains
        k = 1.0 if ndom == 0 else self.knowledge.known / ndom
        kf = p.agent_tickets_per_day * (k + (1.0 - k) * p.unknown_domain_productivity)
        A = kf * team.n_prod
        if team.tau > 0.0 and team.S > 0.0:
            B = kf * team.gap * team.S * math.exp(-(d - team.t_u) / team.tau)
        else:
            B = 0.0
        if review is None:
            levers = (0, 0, ctx.p.target_agents, False)
        elif review.unaided():  # no overtime, agency or hypercare: nothing to add
            levers = (0, 0, review.size.target, False)
        else:
            factor = review.overtime.factor
            if factor != 1.0:
                A *= factor
                B *= factor
            A += review.extra_capacity(kf)
            lam_n *= review.attrition_factor()
            levers = (
                review.agency.count,
                review.hypercare.count,
                review.size.target,
                review.overtime.on,
            )
        cur = self.cur
        cur.start = d
        cur.A = A
        cur.B = B
        cur.kf = kf
        cur.vf, cur.vn, cur.r = self.vendor.terms(d)
        self.segments.add(cur, staff, k, levers)
        return clock.restart(d, lam_n, ctx.n_days)

    def _requiet(self, d: int) -> int:
        """In a quiet stretch, a new segment on day ``d``: the quiet reviews before it stood on
        the old capacity; whether the stretch goes on is decided on the new one. Returns the
        next review day to hold."""
        review, watch = self.review, self.watch
        assert review is not None and watch is not None
        cur = self.cur
        rate = self.ctx.p.vendor_tickets_per_agent_day
        next_review = review.skip_to(d - 1)
        empty = watch.empty_within(
            d, cur.A + rate * cur.vf, cur.B, rate * cur.vn, self.segments.q, cur.r
        )
        review.quiet_until = review.quiet_from(d, empty, cur.kf)
        return next_review

    def _hold_review(self, d: int) -> list[Action]:
        """Hold the review of day ``d``: the queue up to the day before, what the review
        decides (its actions run at the start of the day), and whether a quiet stretch
        follows."""
        review, watch = self.review, self.watch
        assert review is not None and watch is not None
        ctx = self.ctx
        p = ctx.p
        rate = p.vendor_tickets_per_agent_day
        q = self.segments.q
        self._catch_up(d, rate)
        cur = self.cur
        j = d - cur.start
        A, B, kf, vf, r = cur.A, cur.B, cur.kf, cur.vf, cur.r
        learning = B * q**j if B else 0.0
        internal = (A - review.extra_capacity(kf) - learning) / review.overtime.factor
        decaying, vendor_now = cur.vendor_at(j, rate)
        capacity = A - learning + vendor_now
        look = watch.glance(ctx.W, p.triage_age_days)
        view = watch.view(review.window, ctx.W, p.triage_age_days) if ctx.record else None
        actions = review.decide(look, capacity, internal, vendor_now, kf, view)
        if not actions and not ctx.record and look.backlog == 0.0 and look.last_week == 1.0:
            empty = watch.empty_within(d, A + rate * vf, learning, decaying, q, r)
            review.quiet_until = review.quiet_from(d, empty, kf)
        x = review.abandoned.get(d)
        if x:
            watch.abandon[d] = x
        return actions

    def _review_stop(self, d: int, end: int, next_review: int) -> tuple[int, int]:
        """The last day (exclusive) the recorder may run on to from ``d`` without holding a
        review, at most ``end``, and the next review day to hold: reviews of a quiet stretch
        are counted, and reviews that would decide nothing are passed (:meth:`_quiet_reviews`)."""
        review = self.review
        assert review is not None
        if next_review >= review.quiet_until:
            stop = next_review
        else:
            stop = review.next_stop(next_review, d)
        if stop < end and stop == next_review and not self.ctx.record and review.unaided():
            stop = next_review = self._quiet_reviews(stop, end)
        return min(stop, end), next_review

    def _quiet_reviews(self, day: int, end: int) -> int:
        """Pass the reviews on ``day``, ``day + every``, … before ``end`` (inside the current
        segment ``cur``) that decide nothing while no help is present (:meth:`Review.quiet`);
        return the first review day still to hold (or the first at or after ``end``). The
        queue watch is advanced to each."""
        review = self.review
        watch = self.watch
        assert review is not None and watch is not None
        p = self.ctx.p
        W = self.ctx.W
        rate = p.vendor_tickets_per_agent_day
        age = p.triage_age_days
        cur = self.cur
        while day < end:
            self._catch_up(day, rate)
            _, vendor_now = cur.vendor_at(day - cur.start, rate)
            if not review.quiet(watch.glance(W, age), vendor_now, cur.kf):
                return day
            day = review.next_day
        return day

    def _clock_to(self, d: int) -> None:
        """Move SimPy's clock on to day ``d`` for an action on that day. No event is due before
        ``d`` (the caller stepped them all), so a timeout to ``d`` would be the next event
        processed and change nothing else: the clock is set instead (SimPy's own ``step`` sets
        ``Environment._now`` the same way), saving an event per leaver and per decision."""
        env = self.ctx.env
        assert env.peek() > d, "an event is due on or before the day the recorder acts on"
        if env.now < d:
            env._now = float(d)  # a float, as a timeout's arithmetic would leave it

    def run(self, until: int = -1) -> bool:
        """Run the programme to the horizon (module docstring): after every SimPy event due on
        or before a day, a new segment if the state changed, an attrition leaver when the hazard
        crosses its threshold (:class:`~simulation.model.attrition.AttritionClock`), the review;
        no work per day in between. A day's actions run with SimPy's clock on that day.

        With ``until`` ≥ 0 the run pauses at the first point of its loop on or after that day
        (working days from programme start) and the next call goes on from there exactly as if
        it had not paused; the capacity of every day before the paused day is then recorded.
        Returns whether the run has reached its horizon."""
        ctx = self.ctx
        env = ctx.env
        p = ctx.p
        n = ctx.n_days
        review = self.review
        clock = self._clock
        if clock is None:  # the first call
            D = ctx.D
            clock = self._clock = AttritionClock(
                self.att_gap, p.annual_attrition / (12.0 * D), p.transfer_attrition / (12.0 * D)
            )
            next_review = review.next_day if review is not None else n
            seen = -1  # ctx.changes when the current segment started
            cross = n  # the day of the next attrition leaver at the current rate
            d = 0
        else:
            next_review, seen, cross, d = self._next_review, self._seen, self._cross, self._day
        stop = n if until < 0 or until > n else until
        peek = env.peek
        step = env.step
        while d < stop:
            nxt = peek()
            if d >= nxt:  # an event on or before the day: let SimPy process it first
                step()
                continue
            if ctx.changes != seen:
                seen = ctx.changes
                cross = self._start_segment(d, clock)
                if review is not None and review.quiet_until > d:
                    next_review = self._requiet(d)
            if cross <= d:  # an attrition leaver today
                clock.accumulate(d)
                self._clock_to(d)
                clock.leave(self.team)
                seen = -1  # the rate and the threshold changed: start a new segment today
                continue
            if review is not None:
                if next_review < review.quiet_until and next_review <= d:
                    # the reviews of a quiet stretch decide nothing: counted, not held
                    next_review = review.skip_to(d)
                if d == next_review:
                    actions = self._hold_review(d)
                    next_review = review.next_day
                    if actions:
                        self._clock_to(d)
                        for act in actions:
                            act()
                        continue
            end = n if nxt >= n else math.ceil(nxt)  # the days before the next event
            if cross < end:
                end = cross
            if review is not None and next_review < end:
                end, next_review = self._review_stop(d, end, next_review)
            d = end
            if nxt <= d < n:  # the days before the next event are done: process it
                step()
        self._next_review, self._seen, self._cross, self._day = next_review, seen, cross, d
        return d >= n
