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
from simulation.model.staffing import Team
from simulation.model.streams import exponential_stream
from simulation.model.vendor import Vendor


class Segments:
    """The daily capacity of one run as segments of days.

    Segment ``s`` covers days ``start[s]`` up to the next segment's start; its day ``d`` has
    ``internal[s] − learning[s]·q^j + rate·vendor[s]·r[s]^j`` tickets of capacity
    (``j = d − start[s]``; ``vendor`` in agents, ``rate`` the vendor's tickets per agent-day),
    ``heads[s]`` internal agents and ``known[s]`` the share of domains known.
    """

    __slots__ = ("q", "start", "internal", "learning", "vendor", "r", "heads", "known")

    def __init__(self, q: float) -> None:
        self.q = q
        self.start: list[int] = []
        self.internal: list[float] = []
        self.learning: list[float] = []
        self.vendor: list[float] = []
        self.r: list[float] = []
        self.heads: list[int] = []
        self.known: list[float] = []

    def add(
        self,
        day: int,
        internal: float,
        learning: float,
        vendor: float,
        r: float,
        heads: int,
        known: float,
    ) -> None:
        self.start.append(day)
        self.internal.append(internal)
        self.learning.append(learning)
        self.vendor.append(vendor)
        self.r.append(r)
        self.heads.append(heads)
        self.known.append(known)


class CapacityRecorder:
    """Records the capacity segments of one run and decides its attrition leavers."""

    def __init__(
        self, ctx: RunContext, team: Team, knowledge: Knowledge, vendor: Vendor, notice_day: float
    ) -> None:
        self.ctx = ctx
        self.team = team
        self.knowledge = knowledge
        self.vendor = vendor
        self.notice_day = notice_day
        self.att_gap = exponential_stream(ctx.rng)
        self.segments = Segments(math.exp(-1.0 / team.tau) if team.tau > 0.0 else 0.0)

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
        threshold = next(self.att_gap) if lam > 0.0 else math.inf
        cum_hazard = 0.0  # hazard accumulated up to and including day hazard_day
        hazard_day = -1  # hazard of day x is added on day x, at the rate of that day
        tpa = p.agent_tickets_per_day
        u = p.unknown_domain_productivity
        ndom = p.domains
        decay = vendor.decay
        stochastic = ctx.rng is not None
        qv = math.exp(-decay / D) if 0.0 < decay < math.inf else 1.0
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
                lam_n = lam * staff
                k = 1.0 if ndom == 0 else knowledge.known / ndom
                kf = tpa * (k + (1.0 - k) * u)
                A = kf * team.n_prod
                if team.tau > 0.0 and team.S > 0.0:
                    B = kf * team.gap * team.S * math.exp(-(d - team.t_u) / team.tau)
                else:
                    B = 0.0
                if not vendor.engaged or (decay == math.inf and vendor.notice_served):
                    vn = 0.0
                elif stochastic or not vendor.notice_served or decay == 0.0:
                    vn = float(vendor.agents)
                else:
                    vn = vendor.agents * math.exp(-decay * (d - self.notice_day) / D)
                r = (
                    qv
                    if vn > 0.0 and not stochastic and vendor.notice_served and decay > 0.0
                    else 1.0
                )
                seg.add(d, A, B, vn, r, staff, k)
                if lam_n <= 0.0:
                    cross = n
                elif cum_hazard >= threshold:
                    cross = hazard_day
                else:
                    gap = math.ceil((threshold - cum_hazard) / lam_n - 1e-9)
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
            end = n if nxt >= n else math.ceil(nxt)  # the days before the next event
            if cross < end:
                end = cross
            d = end
            if nxt <= d < n:  # the days before the next event are done: wait for it
                yield timeout(nxt - env.now)
