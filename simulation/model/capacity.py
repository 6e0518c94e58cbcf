"""The daily ticket capacity of one run, recorded as segments between SimPy events, and the
internal attrition decided on the way (docs/model.md, sections 2 and 5).

Team, knowledge and vendor state change only at SimPy events (or at an attrition leaver,
decided here); every change counts in ``RunContext.changes``. Between two changes capacity
follows a closed form: day ``d`` of a segment starting on ``d0`` has
``A − B·q^(d − d0) + rate·V·r^(d − d0)`` tickets (the learning-curve term decays by ``q`` a day,
the deterministic vendor ramp-down by ``r``). Each segment is recorded once; no Python work is
done per day. The recorder wakes only at SimPy events (``env.peek()``), never once a day.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from simulation.model.context import RunContext
from simulation.model.knowledge import Knowledge
from simulation.model.review import Review
from simulation.model.staffing import Team
from simulation.model.streams import exponential_stream
from simulation.model.vendor import VendorPool
from simulation.model.watch import QueueWatch


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
        self,
        day: int,
        internal: float,
        learning: float,
        vendor: float,
        r: float,
        heads: int,
        known: float,
        levers: tuple[int, int, int, bool],
        vendor_fixed: float = 0.0,
    ) -> None:
        self.start.append(day)
        self.internal.append(internal)
        self.learning.append(learning)
        self.vendor.append(vendor)
        self.r.append(r)
        self.heads.append(heads)
        self.known.append(known)
        self.agency.append(levers[0])
        self.hypercare.append(levers[1])
        self.target.append(levers[2])
        self.overtime.append(levers[3])
        self.vendor_fixed.append(vendor_fixed)


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

    def _levers(self) -> tuple[int, int, int, bool]:
        review = self.review
        if review is None:
            return (0, 0, self.ctx.p.target_agents, False)
        return (review.agency.count, review.hypercare.count, review.size.target, review.overtime.on)

    def _catch_up(self, day: int, rate: float) -> None:
        """Advance the queue watch over the recorded segments to the start of ``day``."""
        watch = self.watch
        assert watch is not None
        seg = self.segments
        starts = seg.start
        last = len(starts) - 1
        i = self._wseg
        while watch.day < day:
            while i < last and starts[i + 1] <= watch.day:
                i += 1
            stop = day if i == last else min(day, starts[i + 1])
            j = watch.day - starts[i]
            r = seg.r[i]
            watch.advance(
                stop,
                seg.internal[i] + rate * seg.vendor_fixed[i],
                seg.learning[i] * seg.q**j if seg.learning[i] else 0.0,
                rate * seg.vendor[i] * (r**j if r != 1.0 else 1.0),
                seg.q,
                r,
            )
        self._wseg = i

    def _quiet_reviews(
        self, day: int, end: int, seg_start: float, kf: float, vn: float, vf: float, r: float
    ) -> int:
        """Pass the reviews on ``day``, ``day + every``, … before ``end`` (inside the current
        segment, which started on ``seg_start``) that decide nothing while no help is present
        (:meth:`Review.quiet`); return the first review day still to hold (or the first at or
        after ``end``). The queue watch is advanced to each."""
        review = self.review
        watch = self.watch
        assert review is not None and watch is not None
        p = self.ctx.p
        W = self.ctx.W
        rate = p.vendor_tickets_per_agent_day
        age = p.triage_age_days
        while day < end:
            self._catch_up(day, rate)
            j = day - seg_start
            vendor_now = rate * vn * (r**j if r != 1.0 else 1.0) + rate * vf
            if not review.quiet(watch.glance(W, age), vendor_now, kf):
                return day
            day = review.next_day
        return day

    def flow(self) -> Generator[simpy.Event, Any, None]:
        """The recording process (see the module docstring).

        Attrition: the cumulative hazard ``lam`` per agent-day grows linearly inside a segment,
        so the day it crosses the next exponential threshold is solved for, not searched.
        """
        ctx = self.ctx
        env = ctx.env
        p = ctx.p
        team = self.team
        knowledge = self.knowledge
        vendor = self.vendor
        seg = self.segments
        n = ctx.n_days
        D = ctx.D
        lam = p.annual_attrition / (12.0 * D)
        lam_t = p.transfer_attrition / (12.0 * D)
        threshold = next(self.att_gap) if lam > 0.0 or lam_t > 0.0 else math.inf
        review = self.review
        watch = self.watch
        rate = p.vendor_tickets_per_agent_day
        next_review = review.next_day if review is not None else n
        kf = seg_start = 0.0
        cum_hazard = 0.0  # hazard accumulated up to and including day hazard_day
        hazard_day = -1  # hazard of day x is added on day x, at the rate of that day
        tpa = p.agent_tickets_per_day
        u = p.unknown_domain_productivity
        ndom = knowledge.domains
        seen = -1  # ctx.changes when the current segment started
        lam_n = A = B = vn = k = r = 0.0
        staff = 0
        cross = n  # the day the cumulative hazard reaches the threshold at the current rate
        peek = env.peek
        timeout = env.timeout
        d = 0
        while d < n:
            nxt = peek()
            if d >= nxt:
                yield timeout(nxt - env.now)
                continue
            if ctx.changes != seen:
                seen = ctx.changes
                if hazard_day < d - 1:  # days before d had the previous rate
                    cum_hazard += lam_n * (d - 1 - hazard_day)
                    hazard_day = d - 1
                staff = len(team.staff)
                lam_n = team.hazard(lam, lam_t) if team.in_transfer else lam * staff
                k = 1.0 if ndom == 0 else knowledge.known / ndom
                kf = tpa * (k + (1.0 - k) * u)
                A = kf * team.n_prod
                if team.tau > 0.0 and team.S > 0.0:
                    B = kf * team.gap * team.S * math.exp(-(d - team.t_u) / team.tau)
                else:
                    B = 0.0
                if review is not None:
                    factor = review.overtime.factor
                    if factor != 1.0:
                        A *= factor
                        B *= factor
                    A += review.extra_capacity(kf)
                    lam_n *= review.attrition_factor()
                vf, vn, r = vendor.terms(d)
                seg.add(d, A, B, vn, r, staff, k, self._levers(), vf)
                seg_start = d
                if review is not None and review.quiet_until > d and watch is not None:
                    # the quiet reviews before today stood on the old capacity
                    next_review = review.skip_to(d - 1)
                    empty = watch.empty_within(d, A + rate * vf, B, rate * vn, seg.q, r)
                    review.quiet_until = review.quiet_from(d, empty, kf)
                if lam_n <= 0.0:
                    cross = n
                elif cum_hazard >= threshold:
                    cross = hazard_day
                else:
                    steps = (threshold - cum_hazard) / lam_n  # inf for a subnormal hazard
                    gap = math.ceil(steps - 1e-9) if steps < n else n
                    cross = hazard_day + max(1, gap)
            if cross <= d:  # an attrition leaver today
                if hazard_day < d:
                    cum_hazard += lam_n * (d - hazard_day)
                    hazard_day = d
                if env.now < d:
                    yield timeout(d - env.now)
                    continue
                while cum_hazard >= threshold and team.staff:
                    team.leave("attrition")
                    threshold += next(self.att_gap)
                seen = -1  # the rate and the threshold changed: start a new segment today
                continue
            if review is not None and next_review < review.quiet_until and next_review <= d:
                # the reviews of a quiet stretch decide nothing: they are counted, not held
                next_review = review.skip_to(d)
            if d == next_review and review is not None and watch is not None:
                self._catch_up(d, rate)
                j = d - seg_start
                learning = B * seg.q**j if B else 0.0
                internal = (A - review.extra_capacity(kf) - learning) / review.overtime.factor
                decaying = rate * vn * (r**j if r != 1.0 else 1.0)
                vendor_now = decaying + rate * vf
                capacity = A - learning + vendor_now
                look = watch.glance(ctx.W, p.triage_age_days)
                view = watch.view(review.window, ctx.W, p.triage_age_days) if ctx.record else None
                actions = review.decide(look, capacity, internal, vendor_now, kf, view)
                next_review = review.next_day
                if not actions and not ctx.record and look.backlog == 0.0 and look.last_week == 1.0:
                    empty = watch.empty_within(d, A + rate * vf, learning, decaying, seg.q, r)
                    review.quiet_until = review.quiet_from(d, empty, kf)
                x = review.abandoned.get(d)
                if x:
                    watch.abandon[d] = x
                if actions:
                    if env.now < d:
                        yield timeout(d - env.now)
                    for act in actions:
                        act()
                    continue
            end = n if nxt >= n else math.ceil(nxt)  # the days before the next event
            if cross < end:
                end = cross
            if review is not None:
                stop = (
                    next_review
                    if next_review >= review.quiet_until
                    else review.next_stop(next_review, d)
                )
                if stop < end and stop == next_review and not ctx.record and review.unaided():
                    # reviews that would decide nothing are counted, not held
                    stop = next_review = self._quiet_reviews(stop, end, seg_start, kf, vn, vf, r)
                if stop < end:
                    end = stop
            d = end
            if nxt <= d < n:  # the days before the next event are done: wait for it
                yield timeout(nxt - env.now)
