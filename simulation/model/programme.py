"""The backsourcing programme of one run: phases, notice, the cutover decision, and the wiring of
the mechanisms (docs/model.md, sections 1, 6 and 11).

Evaluation ends at ``E``; negotiation and planning start together; notice is served at ``N``,
planning ends at ``P``. The planned exit is ``N + notice`` (``fixed``: at least
``policy.cutover_month``). Under ``readiness`` the vendor is kept a month at a time while the
team is not ready, at most ``policy.max_extension_months`` times.

A strategy hands the service over in waves (``big_bang`` is one wave of everything; ``selective``
one wave of the part taken back). Wave ``k`` covers a share of demand, of the domains, of the
team to hire and of the vendor's agents; it cuts over, after the wave before it, at its planned
exit ``max(N + notice, earliest month)`` by the same readiness or fixed rule, and its
requisitions open as long before that as the first wave's open before its exit.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulation.model.arrivals import mean_demand, timed_events, window
from simulation.model.capacity import CapacityRecorder
from simulation.model.context import RunContext
from simulation.model.knowledge import Knowledge
from simulation.model.levers import TeamSize
from simulation.model.parameters import ModelInputs, RiskEvent
from simulation.model.plan import count, plan_waves
from simulation.model.queue import allowed_age
from simulation.model.review import Review
from simulation.model.staffing import Team
from simulation.model.vendor import VendorPool
from simulation.model.watch import QueueWatch


class Programme:
    """One run: its phases and the mechanisms they drive."""

    def __init__(
        self, p: ModelInputs, rng: np.random.Generator | None, record_events: bool
    ) -> None:
        ctx = self.ctx = RunContext(p, rng, record_events)
        D, W = ctx.D, ctx.W
        self.eval_end = p.evaluation_weeks * W
        self.notice_day = self.eval_end + p.negotiation_weeks * W
        if p.strategy == "stay":  # no notice is served: events timed from it never come
            self.notice_day = math.inf
        self.plan_end = self.eval_end + p.planning_weeks * W
        planned = self.notice_day + p.notice_months * D
        if p.cutover_policy == "fixed":
            planned = max(planned, p.cutover_month * D)
        plan = plan_waves(p, planned, self.eval_end, self.notice_day, D)
        self.cum = list(plan.cum)
        self.wave_planned = list(plan.planned)
        self.wave_hiring = list(plan.hiring)
        self.wave_notice = list(plan.notice)
        self.wave_cutover = [math.inf] * len(plan.cum)
        self.agents_upto = list(plan.agents_upto)
        self.domains_upto = list(plan.domains_upto)
        self.planned_exit = self.wave_planned[-1] if self.wave_planned else math.inf
        self.cutover_day = math.inf
        self.first_cutover_day = math.inf
        self.wave = 0  # the next wave to cut over
        self.failure_day = math.inf  # the day the vendor failed (issue 15)
        self.failed = False
        self.extensions = 0
        self.transferred_agents = 0
        self.events = timed_events(p.events, self.notice_day, D)
        self.vendor = VendorPool(ctx, list(plan.vendor_teams))
        self.team = Team(ctx)
        self.team.freezes = [
            (t, t + e.duration_days) for t, e in self.events["start"] if e.event == "hiring_freeze"
        ]
        self.knowledge = Knowledge(
            ctx,
            self.notice_day,
            lambda: self.vendor.engaged,
            self.events["start"],
            self.domains_upto[-1] if self.domains_upto else 0,
        )
        self.team.on_first_productive = self.knowledge.first_agent_productive
        self.review: Review | None = None
        if p.response:
            first = self.agents_upto[0] if self.agents_upto else 0
            cap = count(p.max_target_agents, self.cum[-1]) if self.cum else 0
            size = TeamSize(ctx, first, cap, self.team.hire_up_to)
            self.team.size = size
            self.review = Review(ctx, size, self._vendor_leaving)
        self.watch: QueueWatch | None = None
        self.recorder = CapacityRecorder(
            ctx, self.team, self.knowledge, self.vendor, self.notice_day, self.review
        )
        self.demand_mean = np.zeros(0)
        self.arrivals = np.zeros(0)
        self.status_quo_arrivals = self.arrivals
        self.struck: dict[str, bool] = {}

    def _vendor_leaving(self, day: float, by: float) -> float:
        """Share of the vendor's agents expected, as seen on day ``day``, to have left by day
        ``by``: those of the waves whose exit falls by then (a wave's exit is its planned exit,
        or under an extension the end of the month that runs from ``day``, and never before the
        wave before it). 0 once it has left. ``day`` is the review's own day, never the SimPy
        clock, which may stand at an earlier event: a run and its trace see the same."""
        vendor = self.vendor
        if not vendor.engaged:
            return 0.0
        now = day
        leaving = 0
        due = False
        exit_day = -math.inf
        for k in range(self.wave, len(self.cum)):
            planned = self.wave_planned[k]
            exit_day = max(exit_day, planned if now < planned else now + self.ctx.D)
            if exit_day > by:
                break
            due = True
            leaving += vendor.teams[k].agents
        total = vendor.agents
        if total == 0:
            return 1.0 if due else 0.0
        return leaving / total

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

    def ready(self, k: int = 0) -> bool:
        """Whether the team is ready to take over wave ``k`` (and the waves before it): internal
        capacity for their share of demand, and their domains handed over."""
        p = self.ctx.p
        t = float(self.ctx.env.now)
        need = p.readiness_capacity * self.mean_demand(t) * self.cum[k]
        cap_ok = self.internal_capacity(t) >= need
        upto = self.domains_upto[k]
        if self.failed:  # the failed vendor's knowledge is gone: what the team has rebuilt counts
            known = self.knowledge.known_share(upto)
        else:
            known = self.knowledge.transferred_share(upto)
        return cap_ok and known >= p.readiness_knowledge - 1e-12

    # processes -----------------------------------------------------------------------------------

    def programme(self) -> Generator[simpy.Event, Any, None]:
        """The programme's phases: evaluation; planning, negotiation and hiring; notice; each
        wave's cutover (none when the service stays with the vendor)."""
        if not self.cum:
            return
        yield from self._evaluate_and_hire()
        self._serve_notice()
        for k in range(len(self.cum)):
            yield from self._cut_over(k)

    def _evaluate_and_hire(self) -> Generator[simpy.Event, Any, None]:
        """Evaluation ends: planning and hiring start (each later wave's requisitions open at
        their own day); then negotiation runs until notice is served."""
        ctx = self.ctx
        env = ctx.env
        p = ctx.p
        team = self.team
        if self.eval_end > 0:
            yield env.timeout(self.eval_end)
        ctx.note("evaluation ends: planning, negotiation and hiring start")
        env.process(self.planning())
        # the seats of the vendor agents to be offered a transfer are not advertised
        for _ in range(max(0, self.agents_upto[0] - p.transfer_offers)):
            team.open_requisition(backfill=False)
        for _ in range(max(1, p.parallel_hiring)):
            env.process(team.recruiter())
        for k in range(1, len(self.cum)):
            env.process(self.open_wave(k))
        if self.notice_day > env.now:
            yield env.timeout(self.notice_day - env.now)

    def _serve_notice(self) -> None:
        """Notice is served on the first wave (with the staff transfer offers); later waves'
        notices are timed from their own exits."""
        ctx = self.ctx
        if ctx.record:
            ctx.note(f"notice served; planned vendor exit on day {self.wave_planned[0]:.1f}")
        if ctx.p.transfer_offers > 0:
            self.transfer()
        self.vendor.teams[0].serve_notice()
        for k in range(1, len(self.cum)):
            ctx.env.process(self.notice(k))

    def _cut_over(self, k: int) -> Generator[simpy.Event, Any, None]:
        """Wave ``k`` cuts over at its planned exit, or under ``readiness`` once the team is
        ready, the vendor kept a month at a time up to ``policy.max_extension_months``."""
        ctx = self.ctx
        env = ctx.env
        p = ctx.p
        planned = self.wave_planned[k]
        if planned > env.now:
            yield env.timeout(planned - env.now)
        if p.cutover_policy == "readiness":
            extended = 0
            while extended < p.max_extension_months and not self.ready(k):
                extended += 1
                self.extensions += 1
                if ctx.record:
                    ctx.note(
                        f"not ready (internal capacity {self.internal_capacity(env.now):.1f}"
                        f"/day, knowledge {self.knowledge.transferred}/{p.domains}): vendor "
                        f"extended, month {self.extensions}"
                    )
                yield env.timeout(ctx.D)
        self.cutover(k)

    def transfer(self) -> None:
        """At notice, ``staffing.transfer_offers`` vendor agents are offered a post; each
        accepts with probability ``transfer_acceptance`` (``"none"``: the expected number,
        rounded). Those who accept leave the vendor (the first waves' teams first) and join the
        team at full productivity, bringing an equal share each of the vendor's knowledge: the
        first ``round(accepted / vendor.agents × domains)`` domains are known. The seats
        declined are advertised."""
        ctx = self.ctx
        p = ctx.p
        offers = min(p.transfer_offers, self.vendor.agents)
        if ctx.rng is None:
            accepted = min(offers, math.floor(offers * p.transfer_acceptance + 0.5))
        else:
            accepted = int(ctx.rng.binomial(offers, p.transfer_acceptance)) if offers else 0
        self.vendor.release(accepted)
        self.team.transfer_in(accepted)
        self.transferred_agents = accepted
        share = accepted / p.vendor_agents if p.vendor_agents else 0.0
        domains = self.knowledge.carry(count(self.knowledge.domains, share))
        open_seats = self.agents_upto[0] - self.team.planned()
        self.team.hire_up_to(self.agents_upto[0])
        if ctx.record:
            ctx.note(
                f"staff transfer: {accepted} of {offers} vendor agents offered a post join the "
                f"team, knowing {domains} domain(s); {max(0, open_seats)} seat(s) advertised"
            )

    def open_wave(self, k: int) -> Generator[simpy.Event, Any, None]:
        """Wave ``k``'s requisitions open: the team target rises to the waves' up to ``k``."""
        env = self.ctx.env
        day = self.wave_hiring[k]
        if day > env.now:
            yield env.timeout(day - env.now)
        target = self.agents_upto[k]
        self.ctx.note(f"wave {k + 1}: requisitions open for a team of {target}")
        size = self.team.size
        if size is not None:
            size.plan(target)
        self.team.hire_up_to(target)

    def notice(self, k: int) -> Generator[simpy.Event, Any, None]:
        """Wave ``k``'s part of the contract is given notice."""
        env = self.ctx.env
        day = self.wave_notice[k]
        if day > env.now:
            yield env.timeout(day - env.now)
        self.ctx.note(f"wave {k + 1}: notice served")
        self.vendor.teams[k].serve_notice()

    def cutover(self, k: int = 0) -> None:
        """Wave ``k`` cuts over: its vendor agents leave and its domains not yet handed over are
        lost. The first cutover starts the events timed from cutover; the last one is the
        transition's cutover."""
        ctx = self.ctx
        now = float(ctx.env.now)
        last = k == len(self.cum) - 1
        self.wave_cutover[k] = now
        self.wave = k + 1
        if last:
            self.cutover_day = now
        self.vendor.teams[k].leave_all()
        self.knowledge.lose_pending(self.domains_upto[k])
        review = self.review
        if k == 0:
            self.first_cutover_day = now
            if review is not None:
                review.cutover_day = now
            self._after_cutover()
        if review is not None:
            review.hypercare_from = now
            review.waves_pending = not last
            if last:
                retained = self.vendor.teams[k + 1 :]
                agents = sum(v.agents for v in retained)
                review.retained_capacity = agents * ctx.p.vendor_tickets_per_agent_day
        if ctx.record:
            what = "cutover" if len(self.cum) == 1 else f"wave {k + 1} cuts over"
            ctx.note(
                f"{what}: vendor leaves after {self.extensions} extension month(s); "
                f"{self.knowledge.lost} domain(s) lost"
            )

    def vendor_failure(self, t: float) -> Generator[simpy.Event, Any, None]:
        """A ``vendor_failure`` risk event at working day ``t``: a vendor that still serves any
        part of the service fails, and a replacement takes that part over at once on the same
        terms and capacity — the status quo's simplification, on both paths alike (its cost,
        ``vendor.emergency_transition_cost`` × the share it serves, is in the cash flows). The
        failed vendor's knowledge not yet handed over is lost (and rebuilt); the replacement
        hands nothing over and is not called back for hypercare; the programme goes on with
        the replacement as the outgoing vendor (docs/model.md, section 8)."""
        env = self.ctx.env
        if t > env.now:
            yield env.timeout(t - env.now)
        if self.failed or not self.vendor.engaged:
            return
        self.failed = True
        self.failure_day = float(env.now)
        self.knowledge.lose_pending()
        if self.review is not None:
            self.review.vendor_failed = True
        if self.ctx.record:
            self.ctx.note(
                f"the vendor fails: a replacement takes over its part at once; "
                f"{self.knowledge.lost} domain(s) lost"
            )

    def planning(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        if self.plan_end > env.now:
            yield env.timeout(self.plan_end - env.now)
        self.ctx.note("planning ends")
        self.knowledge.planning_ended()

    # run -----------------------------------------------------------------------------------------

    def _after_cutover(self) -> None:
        """Schedule the risk events timed from (the first) cutover (their time is known only
        now)."""
        ctx = self.ctx
        t0 = self.first_cutover_day
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
        extra = e.extra_tickets_per_day * window(ctx.n_days, t, e.duration_days)
        self.demand_mean = self.demand_mean + extra
        add = extra if ctx.rng is None else ctx.rng.poisson(extra).astype(np.float64)
        self.arrivals = self.arrivals + add
        if self.watch is not None:
            self.watch.set_arrivals(self.arrivals)

    def start(self) -> CapacityRecorder:
        """Draw the run's arrivals, schedule the risk events timed from the start and start the
        programme; returns the capacity recorder, whose ``run`` drives the run to its end."""
        ctx = self.ctx
        p, env = ctx.p, ctx.env
        self.demand_mean = mean = mean_demand(p, ctx.n_days, ctx.D, self.events["start"])
        self.arrivals = mean if ctx.rng is None else ctx.rng.poisson(mean).astype(np.float64)
        self.status_quo_arrivals = self.arrivals  # surges timed from cutover come on top
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
        return self.recorder
