"""The backsourcing programme of one run: phases, notice, the cutover decision, and the wiring of
the mechanisms (docs/model.md, sections 1 and 6).

Evaluation ends at ``E``; negotiation and planning start together; notice is served at ``N``,
planning ends at ``P``. The planned exit is ``N + notice`` (``fixed``: at least
``policy.cutover_month``). Under ``readiness`` the vendor is kept a month at a time while the
team is not ready, at most ``policy.max_extension_months`` times.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulation.model.capacity import CapacityRecorder
from simulation.model.context import RunContext
from simulation.model.knowledge import Knowledge
from simulation.model.record import RunRecord
from simulation.model.staffing import Team
from simulation.model.streams import growth
from simulation.model.vendor import Vendor
from simulation.params import ModelInputs


class Programme:
    """One run: its phases and the mechanisms they drive."""

    def __init__(
        self, p: ModelInputs, rng: np.random.Generator | None, record_events: bool
    ) -> None:
        ctx = self.ctx = RunContext(p, rng, record_events)
        D, W = ctx.D, ctx.W
        self.eval_end = p.evaluation_weeks * W
        self.notice_day = self.eval_end + p.negotiation_weeks * W
        self.plan_end = self.eval_end + p.planning_weeks * W
        planned = self.notice_day + p.notice_months * D
        if p.cutover_policy == "fixed":
            planned = max(planned, p.cutover_month * D)
        self.planned_exit = planned
        self.cutover_day = math.inf
        self.extensions = 0
        self.vendor = Vendor(ctx)
        self.team = Team(ctx)
        self.knowledge = Knowledge(ctx, self.notice_day, lambda: self.vendor.engaged)
        self.team.on_first_productive = self.knowledge.first_agent_productive
        self.recorder = CapacityRecorder(
            ctx, self.team, self.knowledge, self.vendor, self.notice_day
        )
        self.demand_mean = np.zeros(0)

    # readiness -----------------------------------------------------------------------------------

    def internal_capacity(self, t: float) -> float:
        """Internal effective capacity (tickets/day) at time ``t``."""
        p = self.ctx.p
        k = self.knowledge.share()
        u = p.unknown_domain_productivity
        return p.agent_tickets_per_day * self.team.productivity(t) * (k + (1.0 - k) * u)

    def mean_demand(self, t: float) -> float:
        n = self.ctx.n_days
        return float(self.demand_mean[min(int(t), n - 1)]) if n > 0 else 0.0

    def ready(self) -> bool:
        p = self.ctx.p
        t = float(self.ctx.env.now)
        cap_ok = self.internal_capacity(t) >= p.readiness_capacity * self.mean_demand(t)
        return cap_ok and self.knowledge.transferred_share() >= p.readiness_knowledge - 1e-12

    # processes -----------------------------------------------------------------------------------

    def programme(self) -> Generator[simpy.Event, Any, None]:
        ctx = self.ctx
        env = ctx.env
        p = ctx.p
        team = self.team
        if self.eval_end > 0:
            yield env.timeout(self.eval_end)
        ctx.note("evaluation ends: planning, negotiation and hiring start")
        env.process(self.planning())
        for _ in range(p.target_agents):
            team.open_requisition(backfill=False)
        for _ in range(max(1, p.parallel_hiring)):
            env.process(team.recruiter())
        if self.notice_day > env.now:
            yield env.timeout(self.notice_day - env.now)
        if ctx.record:
            ctx.note(f"notice served; planned vendor exit on day {self.planned_exit:.1f}")
        self.vendor.serve_notice()
        if self.planned_exit > env.now:
            yield env.timeout(self.planned_exit - env.now)
        if p.cutover_policy == "readiness":
            while self.extensions < p.max_extension_months and not self.ready():
                self.extensions += 1
                if ctx.record:
                    ctx.note(
                        f"not ready (internal capacity {self.internal_capacity(env.now):.1f}/day, "
                        f"knowledge {self.knowledge.transferred}/{p.domains}): vendor extended, "
                        f"month {self.extensions}"
                    )
                yield env.timeout(ctx.D)
        self.cutover()

    def cutover(self) -> None:
        ctx = self.ctx
        self.cutover_day = float(ctx.env.now)
        self.vendor.leave_all()
        self.knowledge.lose_pending()
        if ctx.record:
            ctx.note(
                f"cutover: vendor leaves after {self.extensions} extension month(s); "
                f"{self.knowledge.lost} domain(s) lost"
            )

    def planning(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        if self.plan_end > env.now:
            yield env.timeout(self.plan_end - env.now)
        self.ctx.note("planning ends")
        self.knowledge.planning_ended()

    # run -----------------------------------------------------------------------------------------

    def _demand(self) -> np.ndarray:
        """Mean arrivals of each day: growth, plus the ticket surges that struck."""
        ctx = self.ctx
        p, n, D = ctx.p, ctx.n_days, ctx.D
        mean = p.tickets_per_day * growth(p.demand_growth_per_year, D, n)
        for e in p.events:
            if e.event == "ticket_surge" and e.duration_days > 0:
                days = np.arange(n, dtype=np.float64)
                s = e.at_month * D
                mean = mean + e.extra_tickets_per_day * ((days >= s) & (days < s + e.duration_days))
        return mean

    def run(self) -> RunRecord:
        ctx = self.ctx
        p, env, D = ctx.p, ctx.env, ctx.D
        self.demand_mean = mean = self._demand()
        arrivals = mean if ctx.rng is None else ctx.rng.poisson(mean).astype(np.float64)
        for e in p.events:
            if e.event == "staff_loss" and e.agents > 0:
                env.process(self.team.staff_loss(e.at_month * D, e.agents))
        env.process(self.programme())
        flow = env.process(self.recorder.flow())
        env.run(until=flow)
        seg = self.recorder.segments
        team = self.team
        return RunRecord(
            p=p,
            arrivals=arrivals,
            seg_start=seg.start,
            seg_internal=seg.internal,
            seg_learning=seg.learning,
            seg_vendor=seg.vendor,
            seg_r=seg.r,
            seg_heads=seg.heads,
            seg_known=seg.known,
            q=seg.q,
            hired=[a.hired for a in team.all_agents],
            left=[a.left for a in team.all_agents],
            eval_end=self.eval_end,
            notice_day=self.notice_day,
            planned_exit=self.planned_exit,
            cutover_day=self.cutover_day,
            extensions=self.extensions,
            lost=self.knowledge.lost,
            transferred=self.knowledge.transferred,
            hires=team.hires,
            leavers=team.leavers,
            sim_events=processed_events(env),
            log=tuple(ctx.log),
        )


def processed_events(env: simpy.Environment) -> int:
    """SimPy events processed so far: events scheduled less those still queued.

    Read from SimPy's own event counter (``Environment._eid``, an ``itertools.count``) so the
    run loop stays SimPy's; ``-1`` when a SimPy version has no such counter."""
    counter = getattr(env, "_eid", None)
    queue = getattr(env, "_queue", None)
    if counter is None or queue is None:  # pragma: no cover - SimPy internals changed
        return -1
    return int(next(counter)) - len(queue)
