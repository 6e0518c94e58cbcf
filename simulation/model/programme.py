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
from simulation.model.levers import TeamSize
from simulation.model.queue import allowed_age
from simulation.model.record import RunRecord
from simulation.model.review import Review
from simulation.model.staffing import Team
from simulation.model.streams import growth
from simulation.model.vendor import Vendor
from simulation.model.watch import QueueWatch
from simulation.params import ModelInputs, RiskEvent


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
        self.failure_day = math.inf  # a vendor_failure forced the cutover (issue 15)
        self.extensions = 0
        self.events = self._timed_events()
        self.vendor = Vendor(ctx)
        self.team = Team(ctx)
        self.team.freezes = [
            (t, t + e.duration_days) for t, e in self.events["start"] if e.event == "hiring_freeze"
        ]
        self.knowledge = Knowledge(
            ctx, self.notice_day, lambda: self.vendor.engaged, self.events["start"]
        )
        self.team.on_first_productive = self.knowledge.first_agent_productive
        self.review: Review | None = None
        if p.response:
            size = TeamSize(ctx, p.target_agents, p.max_target_agents, self.team.hire_more)
            self.team.size = size
            self.review = Review(ctx, size, self._expected_exit)
        self.watch: QueueWatch | None = None
        self.recorder = CapacityRecorder(
            ctx, self.team, self.knowledge, self.vendor, self.notice_day, self.review
        )
        self.demand_mean = np.zeros(0)
        self.arrivals = np.zeros(0)
        self.struck: dict[str, bool] = {}

    def _expected_exit(self) -> float:
        """The day the vendor is expected to leave: the planned exit, or under an extension the
        end of the month it runs (inf once it has left)."""
        if not self.vendor.engaged:
            return math.inf
        now = float(self.ctx.env.now)
        return self.planned_exit if now < self.planned_exit else now + self.ctx.D

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
        if not self.vendor.engaged:  # the vendor failed before notice: nothing left to end
            return
        if ctx.record:
            ctx.note(f"notice served; planned vendor exit on day {self.planned_exit:.1f}")
        self.vendor.serve_notice()
        if self.planned_exit > env.now:
            yield env.timeout(self.planned_exit - env.now)
        if p.cutover_policy == "readiness":
            while (
                self.vendor.engaged
                and self.extensions < p.max_extension_months
                and not self.ready()
            ):
                self.extensions += 1
                if ctx.record:
                    ctx.note(
                        f"not ready (internal capacity {self.internal_capacity(env.now):.1f}/day, "
                        f"knowledge {self.knowledge.transferred}/{p.domains}): vendor extended, "
                        f"month {self.extensions}"
                    )
                yield env.timeout(ctx.D)
        if self.vendor.engaged:  # else a vendor failure has forced the cutover already
            self.cutover()

    def cutover(self, failed: bool = False) -> None:
        """The vendor leaves: every domain not yet handed over is lost. ``failed``: a
        ``vendor_failure`` forced it (no hypercare from a vendor that has failed)."""
        ctx = self.ctx
        self.cutover_day = float(ctx.env.now)
        self.vendor.leave_all()
        self.knowledge.lose_pending()
        if self.review is not None:
            self.review.cutover_day = self.cutover_day
            self.review.vendor_failed = failed
        self._after_cutover()
        if ctx.record:
            why = "fails and leaves at once" if failed else "leaves"
            ctx.note(
                f"cutover: vendor {why} after {self.extensions} extension month(s); "
                f"{self.knowledge.lost} domain(s) lost"
            )

    def vendor_failure(self, t: float) -> Generator[simpy.Event, Any, None]:
        """A ``vendor_failure`` risk event at working day ``t``: a vendor still engaged leaves
        at once, a forced cutover (no termination fee; docs/model.md, section 8)."""
        env = self.ctx.env
        if t > env.now:
            yield env.timeout(t - env.now)
        if self.vendor.engaged:
            self.failure_day = float(env.now)
            self.cutover(failed=True)

    def planning(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        if self.plan_end > env.now:
            yield env.timeout(self.plan_end - env.now)
        self.ctx.note("planning ends")
        self.knowledge.planning_ended()

    # run -----------------------------------------------------------------------------------------

    def _timed_events(self) -> dict[str, list[tuple[float, RiskEvent]]]:
        """The risk events that struck, by when their time is known: ``start`` (working day
        from programme start, for windows relative to the start or to notice) and ``cutover``
        (working days after cutover)."""
        D = self.ctx.D
        out: dict[str, list[tuple[float, RiskEvent]]] = {"start": [], "cutover": []}
        for e in self.ctx.p.events:
            offset = e.at_month * D
            if e.relative_to == "cutover":
                out["cutover"].append((offset, e))
            else:
                base = self.notice_day if e.relative_to == "notice" else 0.0
                out["start"].append((base + offset, e))
        return out

    def _demand(self) -> np.ndarray:
        """Mean arrivals of each day: growth, plus the ticket surges timed from the start."""
        ctx = self.ctx
        p, n, D = ctx.p, ctx.n_days, ctx.D
        mean = p.tickets_per_day * growth(p.demand_growth_per_year, D, n)
        for s, e in self.events["start"]:
            if e.event == "ticket_surge" and e.duration_days > 0:
                mean = mean + e.extra_tickets_per_day * _window(n, s, e.duration_days)
        return mean

    def _after_cutover(self) -> None:
        """Schedule the risk events timed from cutover (their time is known only now)."""
        ctx = self.ctx
        t0 = self.cutover_day
        for offset, e in self.events["cutover"]:
            t = t0 + offset
            if t >= ctx.n_days:
                continue
            self.struck[e.name] = True
            if e.event == "staff_loss" and e.agents > 0:
                ctx.env.process(self.team.staff_loss(t, e.agents))
            elif e.event == "hiring_freeze":
                self.team.freezes.append((t, t + e.duration_days))
            elif e.event == "ticket_surge" and e.duration_days > 0:
                self._surge(t, e)

    def _surge(self, t: float, e: RiskEvent) -> None:
        """A ticket surge from ``t``, decided during the run: its extra arrivals are drawn now."""
        ctx = self.ctx
        extra = e.extra_tickets_per_day * _window(ctx.n_days, t, e.duration_days)
        self.demand_mean = self.demand_mean + extra
        add = extra if ctx.rng is None else ctx.rng.poisson(extra).astype(np.float64)
        self.arrivals = self.arrivals + add
        if self.watch is not None:
            self.watch.set_arrivals(self.arrivals)

    def run(self) -> RunRecord:
        ctx = self.ctx
        p, env = ctx.p, ctx.env
        self.demand_mean = mean = self._demand()
        self.arrivals = mean if ctx.rng is None else ctx.rng.poisson(mean).astype(np.float64)
        status_quo_arrivals = self.arrivals  # surges timed from cutover come on top (replaced)
        self.struck = dict(p.risk_flags)
        for t, e in self.events["start"]:
            self.struck[e.name] = t < ctx.n_days
            if e.event == "staff_loss" and e.agents > 0:
                env.process(self.team.staff_loss(t, e.agents))
            elif e.event == "vendor_failure" and t < ctx.n_days:
                env.process(self.vendor_failure(t))
        for _, e in self.events["cutover"]:
            self.struck[e.name] = False  # until cutover schedules it within the horizon
        if self.review is not None:
            lag = allowed_age(p.sla_days, ctx.n_days)
            self.watch = self.recorder.watch = QueueWatch(self.arrivals, lag, ctx.record)
        env.process(self.programme())
        flow = env.process(self.recorder.flow())
        env.run(until=flow)
        arrivals = self.arrivals
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
            failure_day=self.failure_day,
            sq_arrivals=status_quo_arrivals,
            extensions=self.extensions,
            lost=self.knowledge.lost,
            transferred=self.knowledge.transferred,
            hires=team.hires,
            leavers=team.leavers,
            sim_events=processed_events(env),
            log=tuple(ctx.log),
            seg_agency=seg.agency,
            seg_hypercare=seg.hypercare,
            seg_target=seg.target,
            seg_overtime=seg.overtime,
            risk_flags=self.struck,
            **self._management_record(),
        )

    def _management_record(self) -> dict[str, Any]:
        review = self.review
        if review is None:
            return {}

        def periods(spells: list[list[float]]) -> tuple[tuple[float, float], ...]:
            return tuple((a, b) for a, b in spells)

        return {
            "agency_periods": periods(review.agency.periods),
            "hypercare_periods": periods(review.hypercare.periods),
            "overtime_periods": periods(review.overtime.periods),
            "abandoned": review.abandoned,
            "reviews": tuple(review.views),
        }


def _window(n: int, start: float, days: float) -> np.ndarray:
    """1.0 on the working days ``[start, start + days)`` of an ``n``-day horizon, else 0."""
    d = np.arange(n, dtype=np.float64)
    return ((d >= start) & (d < start + days)).astype(np.float64)


def processed_events(env: simpy.Environment) -> int:
    """SimPy events processed so far: events scheduled less those still queued.

    Read from SimPy's own event counter (``Environment._eid``, an ``itertools.count``) so the
    run loop stays SimPy's; ``-1`` when a SimPy version has no such counter."""
    counter = getattr(env, "_eid", None)
    queue = getattr(env, "_queue", None)
    if counter is None or queue is None:  # pragma: no cover - SimPy internals changed
        return -1
    return int(next(counter)) - len(queue)
