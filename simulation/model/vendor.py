"""The outgoing vendor's team (docs/model.md, section 4).

``vendor.agents`` agents serve until notice. After notice a share
``vendor.attrition_after_notice`` of the remaining agents leaves each month (stochastic: each
after an exponential time; ``"none"``: the expected, fractional flow, evaluated by the capacity
recorder). All vendor agents leave at cutover.

Under a strategy with several waves (or a retained part) the vendor's agents are split into one
:class:`Vendor` team per wave, each served notice and leaving with its own wave, and the team of
the retained part, which stays for good (:class:`VendorPool`).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulation.model.context import RunContext


class Vendor:
    """The vendor's agents of one run (or of one wave of it), and whether they are still engaged.

    With ``vendor.min_staffing_share`` > 0 (a termination-assistance clause) the vendor keeps at
    least that share of its agents during notice and extension: a leaver below the floor is
    replaced after ``vendor.backfill_days`` (stochastic), or the expected flow stops at the floor
    (``"none"``). Floor 0 is a vendor without that clause.
    """

    def __init__(self, ctx: RunContext, agents: int | None = None) -> None:
        self.ctx = ctx
        p = ctx.p
        self.agents = p.vendor_agents if agents is None else agents
        self.engaged = True
        self.notice_served = False
        self.notice_day = math.inf
        self.floor = math.ceil(p.vendor_min_staffing_share * self.agents - 1e-9)
        self.at_floor = False  # "none": the expected flow has reached the floor
        a = p.vendor_attrition_after_notice
        #: monthly attrition after notice as a rate per day (inf: all leave at notice)
        self.decay = -math.log1p(-a) if 0.0 < a < 1.0 else (0.0 if a <= 0.0 else math.inf)

    def serve_notice(self) -> None:
        self.notice_served = True
        self.notice_day = float(self.ctx.env.now)
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
        if rng is None or a <= 0.0 or self.agents == 0:
            return
        env = ctx.env
        if a >= 1.0 and self.floor == 0:
            self.agents = 0
            ctx.changes += 1
            return
        rate = -math.log1p(-a) / ctx.D if a < 1.0 else math.inf  # per working day and agent
        if math.isinf(rate):  # everyone leaves at once, down to the floor, then is replaced
            times = np.full(self.agents, float(env.now))
        else:
            times = np.sort(float(env.now) + rng.exponential(1.0 / rate, self.agents))
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


class VendorPool:
    """The vendor's teams of one run: one per wave (in order), then the retained part's, if any
    (never served notice: it serves for good). Under ``big_bang`` a single team.

    ``terms(d)`` gives the vendor's agents on day ``d`` as the recorder's segment needs them.
    """

    def __init__(self, ctx: RunContext, sizes: list[int]) -> None:
        self.ctx = ctx
        self.teams = [Vendor(ctx, n) for n in sizes]
        p = ctx.p
        a = p.vendor_attrition_after_notice
        #: monthly attrition after notice as a rate per day (inf: all leave at notice)
        self.decay = -math.log1p(-a) if 0.0 < a < 1.0 else (0.0 if a <= 0.0 else math.inf)
        D = ctx.D
        #: the daily factor of the expected ramp-down (``"none"``)
        self.q = math.exp(-self.decay / D) if 0.0 < self.decay < math.inf else 1.0

    @property
    def engaged(self) -> bool:
        """Whether any of the vendor's teams still serves."""
        for t in self.teams:  # noqa: SIM110 - a loop: any() over a generator costs twice as much
            if t.engaged:
                return True
        return False

    @property
    def agents(self) -> int:
        return sum(t.agents for t in self.teams)

    def release(self, n: int) -> None:
        """``n`` agents leave the vendor to join the company (staff transfer), from the first
        waves' teams first; each team's staffing floor shrinks with it."""
        share = self.ctx.p.vendor_min_staffing_share
        for team in self.teams:
            if n <= 0:
                break
            x = min(n, team.agents)
            team.agents -= x
            team.floor = math.ceil(share * team.agents - 1e-9)
            n -= x
        self.ctx.changes += 1

    def terms(self, d: int) -> tuple[float, float, float]:
        """``(fixed, decaying, r)``: the vendor's agents on day ``d`` as a constant part and a
        part that decays by ``r`` a day from ``d`` on (the expected ramp-down after notice of
        variability ``"none"``; stochastic runs have no decaying part, their leavers are
        events). With a single kind of part it is returned as the decaying one with ``r`` 1
        when constant, so that a one-team vendor's segment is what it always was."""
        ctx = self.ctx
        stochastic = ctx.rng is not None
        decay = self.decay
        fixed = dec = 0.0
        for v in self.teams:
            if not v.engaged:
                continue
            if v.at_floor:  # "none": the expected flow stopped at the floor
                fixed += float(v.floor)
            elif decay == math.inf and v.notice_served and v.floor == 0:
                continue
            elif stochastic or not v.notice_served or decay == 0.0:
                fixed += float(v.agents)
            else:
                dec += v.agents * math.exp(-decay * (d - v.notice_day) / ctx.D)
        if dec > 0.0:
            return fixed, dec, self.q
        return 0.0, fixed, 1.0
