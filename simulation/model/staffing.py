"""The internal team: requisitions, recruiting slots, hires, onboarding, the learning curve and
leavers (docs/model.md, section 2).

Recruiting capacity is ``staffing.parallel_hiring`` slots working the queue of open
requisitions first come, first served, as a SimPy ``Resource`` of that many slots would grant
them. The team's aggregate productivity is kept in O(1):
``Σ p_i(t) = n − (1 − p0) · S(t)`` with ``S(t) = Σ exp(−(t − a_i)/τ)``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy

from simulation.model.context import RunContext
from simulation.model.levers import TeamSize
from simulation.model.streams import gamma_stream, stream, uniform_stream


class Agent:
    """One internal agent: start day, first productive day, state (0 onboarding, 1 productive,
    2 left), leaving day (``inf`` while employed) and whether the agent came from the vendor
    (a transfer: at full productivity from the first day, ``productive_from`` = −inf)."""

    __slots__ = ("hired", "productive_from", "state", "left", "transferred")

    def __init__(self, hired: float, productive_from: float, transferred: bool = False) -> None:
        self.hired = hired
        self.productive_from = productive_from
        self.state = 0
        self.left = math.inf
        self.transferred = transferred


def learning_tau(ramp_up_days: float, initial_productivity: float) -> float:
    """τ of the learning curve ``p(t) = 1 − (1 − p0) exp(−t/τ)`` that reaches 90% at
    ``ramp_up_days`` (0: productive at once; ``p0 ≥ 0.9``: τ = ramp_up / ln 10)."""
    gap = 1.0 - initial_productivity
    if ramp_up_days <= 0.0 or gap <= 0.0:
        return 0.0
    if initial_productivity < 0.9:
        return ramp_up_days / math.log(gap / 0.1)
    return ramp_up_days / math.log(10.0)


class Team:
    """The internal team of one run and its recruiting."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        p = ctx.p
        self.gap = 1.0 - p.initial_productivity
        self.tau = learning_tau(p.ramp_up_days, p.initial_productivity)
        self.staff: list[Agent] = []
        self.all_agents: list[Agent] = []
        self.n_prod = 0
        self.S = 0.0
        self.t_u = 0.0
        self.hires = 0
        self.leavers = 0
        self.in_transfer = 0  # transferred agents employed
        self.first_onboarded = False
        #: called once, when the first agent has finished onboarding
        self.on_first_productive: Callable[[], None] = lambda: None
        #: the team target management may move (None: the plan's, every leaver backfilled)
        self.size: TeamSize | None = None
        self.searching = 0  # requisitions a recruiting slot is working on
        #: hiring freezes as (start, end) working days (set by the programme)
        self.freezes: list[tuple[float, float]] = []
        self.open_requisitions: deque[bool] = deque()  # backfill? per open requisition, FIFO
        self.idle_recruiters: list[simpy.Event] = []  # recruiting slots waiting for work
        r = ctx.rng
        acc = min(1.0, max(p.offer_acceptance, 1e-9))
        if r is None:
            self.tth = stream(None, p.time_to_hire_days / acc)
        else:
            self.tth = gamma_stream(r, p.time_to_hire_days, p.time_to_hire_cv)
        self.accept = uniform_stream(r)
        self.pick = uniform_stream(r)

    # productivity ------------------------------------------------------------------------------

    def productivity(self, t: float) -> float:
        """Aggregate productivity of the team at time ``t`` (full-productivity agents)."""
        if self.tau == 0.0 or self.S == 0.0:
            return float(self.n_prod)
        return self.n_prod - self.gap * self.S * math.exp(-(t - self.t_u) / self.tau)

    def _add_productive(self, t: float) -> None:
        if self.tau > 0.0:
            self.S = self.S * math.exp(-(t - self.t_u) / self.tau) + 1.0
            self.t_u = t
        self.n_prod += 1
        self.ctx.changes += 1

    def _remove(self, agent: Agent, t: float) -> None:
        agent.left = t
        self.ctx.changes += 1
        if agent.state == 1:
            self.n_prod -= 1
            if self.tau > 0.0:
                term = math.exp(-(t - agent.productive_from) / self.tau)
                self.S = max(0.0, self.S * math.exp(-(t - self.t_u) / self.tau) - term)
                self.t_u = t
                if self.n_prod == 0:
                    self.S = 0.0
        agent.state = 2

    def transfer_in(self, n: int) -> None:
        """``n`` vendor agents join the team now, at full productivity (no onboarding, no
        learning curve)."""
        ctx = self.ctx
        t = float(ctx.env.now)
        for _ in range(n):
            agent = Agent(t, -math.inf, transferred=True)
            agent.state = 1
            self.staff.append(agent)
            self.all_agents.append(agent)
            self.n_prod += 1
            self.in_transfer += 1
        if n:
            ctx.changes += 1
            if not self.first_onboarded:
                self.first_onboarded = True
                ctx.note("first internal agents (transferred from the vendor) at work")
                self.on_first_productive()

    def hazard(self, rate: float, transfer_rate: float) -> float:
        """The team's attrition hazard per day: ``rate`` per agent, ``transfer_rate`` per
        transferred agent."""
        n = len(self.staff)
        if not self.in_transfer:
            return rate * n
        return rate * (n - self.in_transfer) + transfer_rate * self.in_transfer

    # leavers -----------------------------------------------------------------------------------

    def _pick(self) -> int:
        """Which agent leaves: uniformly chosen (the longest-serving under "none"), each in
        proportion to its attrition hazard when transferred agents have their own."""
        staff = self.staff
        u = next(self.pick)
        p = self.ctx.p
        if not self.in_transfer or p.transfer_attrition == p.annual_attrition:
            return min(int(u * len(staff)), len(staff) - 1)
        moved = self.in_transfer * p.transfer_attrition
        total = moved + (len(staff) - self.in_transfer) * p.annual_attrition
        x = u * total
        group = x < moved or p.annual_attrition <= 0.0  # a transferred agent leaves
        if group:
            rank = int(min(x, moved) / p.transfer_attrition) if p.transfer_attrition > 0 else 0
        else:
            rank = int((x - moved) / p.annual_attrition)
        last = -1
        for i, agent in enumerate(staff):
            if agent.transferred == group:
                last = i
                if rank == 0:
                    return i
                rank -= 1
        return last

    def leave(self, why: str) -> None:
        """One agent leaves now (see :meth:`_pick`) and a backfill requisition opens."""
        if not self.staff:
            return
        i = self._pick()
        agent = self.staff.pop(i)
        if agent.transferred:
            self.in_transfer -= 1
        ctx = self.ctx
        self._remove(agent, float(ctx.env.now))
        self.leavers += 1
        size = self.size
        if size is not None and self.planned() >= size.target:
            if ctx.record:
                recruiting = self.planned() - len(self.staff)
                ctx.note(
                    f"agent leaves ({why}); {len(self.staff)} internal agents"
                    + (f" and {recruiting} being recruited" if recruiting else "")
                    + f"; not backfilled (team target {size.target})"
                )
            return
        if ctx.record:
            ctx.note(f"agent leaves ({why}); {len(self.staff)} internal agents; backfill opened")
        self.open_requisition(backfill=True)

    def planned(self) -> int:
        """Agents employed or being recruited."""
        return len(self.staff) + len(self.open_requisitions) + self.searching

    def hire_up_to(self, target: int) -> None:
        """Open requisitions for a larger team until ``target`` agents are employed or being
        recruited (agents kept above a lowered target count)."""
        for _ in range(target - self.planned()):
            self.open_requisition(backfill=False)

    def staff_loss(self, t: float, n: int) -> Generator[simpy.Event, Any, None]:
        """Risk event ``staff_loss``: ``n`` agents leave at once at time ``t``."""
        env = self.ctx.env
        if t > env.now:
            yield env.timeout(t - env.now)
        for _ in range(min(n, len(self.staff))):
            self.leave("staff_loss risk")

    # recruiting --------------------------------------------------------------------------------

    def frozen_until(self, t: float) -> float:
        """End of a hiring freeze covering time ``t`` (or ``t`` itself)."""
        end = t
        for a, b in self.freezes:
            if a <= end < b:
                end = b
        return end

    def open_requisition(self, backfill: bool) -> None:
        """A requisition joins the recruiting queue (and wakes an idle recruiting slot)."""
        self.open_requisitions.append(backfill)
        if self.idle_recruiters:
            self.idle_recruiters.pop(0).succeed()

    def recruiter(self) -> Generator[simpy.Event, Any, None]:
        """One recruiting slot: it works the open requisitions first come, first served; each
        search takes a time to hire per candidate until an offer is accepted, and neither a
        search nor a start happens during a hiring freeze."""
        env = self.ctx.env
        p = self.ctx.p
        stochastic = self.ctx.rng is not None
        queue = self.open_requisitions
        freezes = self.freezes  # the programme's list: freezes decided later are appended to it
        tth, accept, timeout = self.tth, self.accept, env.timeout
        while True:
            if not queue:
                wake = env.event()
                self.idle_recruiters.append(wake)
                yield wake
                continue
            backfill = queue.popleft()
            self.searching += 1
            while True:
                if freezes:  # (without a freeze there is nothing to wait for)
                    wait = self.frozen_until(float(env.now)) - env.now
                    if wait > 0:
                        yield timeout(wait)
                yield timeout(next(tth))
                if not stochastic or next(accept) < p.offer_acceptance:
                    break
            if freezes:
                wait = self.frozen_until(float(env.now)) - env.now
                if wait > 0:
                    yield timeout(wait)
            self.searching -= 1
            self.start_agent(backfill)

    def start_agent(self, backfill: bool) -> None:
        """A hire starts now (paid from today) and is productive after onboarding."""
        ctx = self.ctx
        env = ctx.env
        t = float(env.now)
        onboarding = ctx.p.onboarding_days
        agent = Agent(t, t + onboarding)
        self.staff.append(agent)
        ctx.changes += 1
        self.all_agents.append(agent)
        self.hires += 1
        if ctx.record:
            kind = "backfill hire" if backfill else "hire"
            ctx.note(f"{kind} starts; {len(self.staff)} internal agents")
        if onboarding > 0:
            done = env.timeout(onboarding)
            done.callbacks.append(lambda _: self._onboarded(agent))
        else:
            self._onboarded(agent)

    def _onboarded(self, agent: Agent) -> None:
        if agent.state == 2:  # left during onboarding
            return
        agent.state = 1
        self._add_productive(float(self.ctx.env.now))
        if not self.first_onboarded:
            self.first_onboarded = True
            self.ctx.note("first internal agent onboarded")
            self.on_first_productive()
