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
    """The vendor's agents of one run, and whether the vendor is still engaged."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.agents = ctx.p.vendor_agents
        self.engaged = True
        self.notice_served = False
        a = ctx.p.vendor_attrition_after_notice
        #: monthly attrition after notice as a rate per day (inf: all leave at notice)
        self.decay = -math.log1p(-a) if 0.0 < a < 1.0 else (0.0 if a <= 0.0 else math.inf)

    def serve_notice(self) -> None:
        self.notice_served = True
        self.ctx.changes += 1
        if self.ctx.rng is not None:
            self.ctx.env.process(self.rampdown())

    def leave_all(self) -> None:
        """Cutover: the vendor is no longer engaged and its agents are gone."""
        self.engaged = False
        self.agents = 0
        self.ctx.changes += 1

    def rampdown(self) -> Generator[simpy.Event, Any, None]:
        """Stochastic mode: each vendor agent leaves after an exponential time from notice."""
        ctx = self.ctx
        p = ctx.p
        a = p.vendor_attrition_after_notice
        rng = ctx.rng
        if rng is None or a <= 0.0 or p.vendor_agents == 0:
            return
        env = ctx.env
        if a >= 1.0:
            self.agents = 0
            ctx.changes += 1
            return
        rate = -math.log1p(-a) / ctx.D  # per working day and agent
        times = np.sort(float(env.now) + rng.exponential(1.0 / rate, p.vendor_agents))
        for t in times.tolist():
            if t >= ctx.n_days or not self.engaged:
                return
            yield env.timeout(t - env.now)
            if not self.engaged:
                return
            self.agents -= 1
            ctx.changes += 1
            if ctx.record:
                ctx.note(f"vendor agent leaves; {self.agents} remain")
