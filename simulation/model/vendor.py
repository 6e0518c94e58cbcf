"""The outgoing vendor's team (docs/model.md, section 4).

``vendor.agents`` agents serve until notice. After notice a share
``vendor.attrition_after_notice`` of the remaining agents leaves each month (stochastic: each
after an exponential time; ``"none"``: the expected, fractional flow, evaluated by the capacity
recorder). All vendor agents leave at cutover.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulation.model.context import RunContext


class Vendor:
    """The vendor's agents of one run, and whether the vendor is still engaged.

    With ``vendor.min_staffing_share`` > 0 (a termination-assistance clause) the vendor keeps at
    least that share of its agents during notice and extension: a leaver below the floor is
    replaced after ``vendor.backfill_days`` (stochastic), or the expected flow stops at the floor
    (``"none"``). Floor 0 is a vendor without that clause.
    """

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        p = ctx.p
        self.agents = p.vendor_agents
        self.engaged = True
        self.notice_served = False
        self.floor = math.ceil(p.vendor_min_staffing_share * p.vendor_agents - 1e-9)
        self.at_floor = False  # "none": the expected flow has reached the floor
        a = p.vendor_attrition_after_notice
        #: monthly attrition after notice as a rate per day (inf: all leave at notice)
        self.decay = -math.log1p(-a) if 0.0 < a < 1.0 else (0.0 if a <= 0.0 else math.inf)

    def serve_notice(self) -> None:
        self.notice_served = True
        self.ctx.changes += 1
        if self.ctx.rng is not None:
            self.ctx.env.process(self.rampdown())
        elif 0 < self.floor < self.agents and self.decay > 0.0:
            self.ctx.env.process(self._expected_floor())

    def leave_all(self) -> None:
        """Cutover: the vendor is no longer engaged and its agents are gone."""
        self.engaged = False
        self.agents = 0
        self.ctx.changes += 1

    def _expected_floor(self) -> Generator[simpy.Event, Any, None]:
        """``"none"``: the day the expected flow ``V0 · e^(−decay·t/D)`` reaches the floor."""
        ctx = self.ctx
        if math.isinf(self.decay):
            days = 0.0
        else:
            days = ctx.D * math.log(self.agents / self.floor) / self.decay
        yield ctx.env.timeout(days)
        if self.engaged:
            self.at_floor = True
            ctx.changes += 1

    def rampdown(self) -> Generator[simpy.Event, Any, None]:
        """Stochastic mode: each vendor agent leaves after an exponential time from notice."""
        ctx = self.ctx
        p = ctx.p
        a = p.vendor_attrition_after_notice
        rng = ctx.rng
        if rng is None or a <= 0.0 or p.vendor_agents == 0:
            return
        env = ctx.env
        if a >= 1.0 and self.floor == 0:
            self.agents = 0
            ctx.changes += 1
            return
        rate = -math.log1p(-a) / ctx.D if a < 1.0 else math.inf  # per working day and agent
        if math.isinf(rate):  # everyone leaves at once, down to the floor, then is replaced
            times = np.full(p.vendor_agents, float(env.now))
        else:
            times = np.sort(float(env.now) + rng.exponential(1.0 / rate, p.vendor_agents))
        for t in times.tolist():
            if t >= ctx.n_days or not self.engaged:
                return
            yield env.timeout(t - env.now)
            if not self.engaged:
                return
            self._leaves(rate)

    def _leaves(self, rate: float) -> None:
        ctx = self.ctx
        self.agents -= 1
        ctx.changes += 1
        if ctx.record:
            ctx.note(f"vendor agent leaves; {self.agents} remain")
        if self.agents < self.floor:
            ctx.env.process(self._replacement(rate))

    def _replacement(self, rate: float) -> Generator[simpy.Event, Any, None]:
        """A replacement below the floor: arrives after the backfill time, then may leave."""
        ctx = self.ctx
        env = ctx.env
        yield env.timeout(ctx.p.vendor_backfill_days)
        if not self.engaged:
            return
        self.agents += 1
        ctx.changes += 1
        if ctx.record:
            ctx.note(f"vendor backfills an agent (staffing floor {self.floor}); {self.agents}")
        if math.isinf(rate):
            return  # under attrition 1 the replacement stays: the floor is the contract
        assert ctx.rng is not None
        stay = float(ctx.rng.exponential(1.0 / rate))
        if env.now + stay >= ctx.n_days:
            return
        yield env.timeout(stay)
        if self.engaged:
            self._leaves(rate)
