"""The SimPy transition model: one backsourcing programme, day by day (see docs/model.md).

``run_transition(inputs, rng)`` is a pure function: it builds its own ``simpy.Environment``,
reads no files and no globals, and returns a frozen :class:`RunResult`.

Time unit: one working day. Events in time (phases, notice, requisitions on a recruiting
``Resource``, onboarding, knowledge sessions on a session ``Resource``, vendor attrition, risk
events, cutover decisions) are SimPy processes. The ticket flow is one lightweight process that
steps day by day between those events without scheduling a SimPy event per day: it runs every day
that lies before the next scheduled event (``env.peek()``), then waits for that event.
Random numbers are drawn in blocks; with ``variability = "none"`` none are drawn at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import simpy
from numpy.typing import NDArray

from simulation import schema
from simulation.ledger import QueueFlow, fifo_queue
from simulation.params import ModelInputs

#: Scalar outputs and monthly series of one run, in a fixed order (the contract in schema.py).
SCALAR_NAMES: tuple[str, ...] = schema.SCALAR_NAMES
SERIES_NAMES: tuple[str, ...] = schema.SERIES_NAMES

_PENDING, _DONE, _LOST = 0, 1, 2
_BLOCK = 64


@dataclass(frozen=True)
class RunResult:
    """Outputs of one run (see SCALAR_NAMES / SERIES_NAMES and docs/model.md).

    ``monthly`` series have one value per month of the horizon (index 0 = month 1);
    ``events`` is ``(working day, message)`` and filled only with ``record_events``;
    ``sim_events`` counts the SimPy events processed.
    """

    scalars: Mapping[str, float]
    risks: Mapping[str, bool]
    monthly: Mapping[str, NDArray[np.float64]]
    events: tuple[tuple[float, str], ...] = ()
    sim_events: int = 0


# random draws --------------------------------------------------------------------------------


class _Stream:
    """Block-drawn random numbers of one kind; ``next()`` returns the next value.

    With ``rng=None`` (variability "none") it returns ``fixed`` and never draws.
    """

    __slots__ = ("draw", "buf", "pos", "fixed")

    def __init__(
        self, draw: Callable[[int], NDArray[np.float64]] | None, fixed: float = 0.0
    ) -> None:
        self.draw = draw
        self.buf: list[float] = []
        self.pos = 0
        self.fixed = fixed

    def next(self) -> float:
        if self.draw is None:
            return self.fixed
        if self.pos >= len(self.buf):
            self.buf = self.draw(_BLOCK).tolist()
            self.pos = 0
        v = self.buf[self.pos]
        self.pos += 1
        return v


def _gamma_stream(rng: np.random.Generator | None, mean: float, cv: float) -> _Stream:
    """Durations with the given mean (days) and coefficient of variation (gamma)."""
    if rng is None or cv <= 0.0 or mean <= 0.0:
        return _Stream(None, mean)
    shape = 1.0 / (cv * cv)
    scale = mean / shape
    return _Stream(lambda n: rng.gamma(shape, scale, n))


# cooperation schedule -------------------------------------------------------------------------


def _finish_time(start: float, work: float, breaks: list[float], rates: list[float]) -> float:
    """Time at which ``work`` (days at full cooperation) started at ``start`` is done.

    The cooperation rate is ``rates[i]`` on ``[breaks[i], breaks[i+1])`` (last one open-ended).
    Returns ``inf`` when the rate falls to zero before the work is done.
    """
    t = start
    left = work
    if left <= 0.0:
        return t
    for i, rate in enumerate(rates):
        end = breaks[i + 1] if i + 1 < len(breaks) else math.inf
        if end <= t:
            continue
        if rate > 0.0:
            span = (end - t) * rate
            if span >= left:
                return t + left / rate
            left -= span
        t = end
    return math.inf


# the model --------------------------------------------------------------------------------------


class _Agent:
    __slots__ = ("hired", "productive_from", "state", "left")

    def __init__(self, hired: float, productive_from: float) -> None:
        self.hired = hired
        self.productive_from = productive_from
        self.state = 0  # 0 onboarding, 1 productive, 2 left
        self.left = math.inf


class _Segments:
    """The daily capacity of one run as segments of days between SimPy events.

    Segment ``s`` covers days ``start[s]`` up to the next segment's start; its day ``d`` has
    ``internal[s] - learning[s] * q**j + vendor[s] * r[s]**j`` tickets of capacity
    (``j = d - start[s]``), where ``vendor`` is in vendor agents (× ``vendor_rate`` tickets/day),
    ``headcount[s]`` internal agents and ``known[s]`` the share of domains known.
    """

    __slots__ = (
        "q",
        "vendor_rate",
        "start",
        "internal",
        "learning",
        "vendor",
        "r",
        "heads",
        "known",
    )

    def __init__(self, q: float, vendor_rate: float) -> None:
        self.q = q
        self.vendor_rate = vendor_rate
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

    def daily(
        self, n: int, month_days: int
    ) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
        """Capacity of each of the ``n`` days (tickets/day) and the monthly series
        ``capacity`` (mean per day), ``internal`` / ``vendor`` (agents at each month's last
        working day) and ``known`` (share of domains, same day)."""
        start = np.asarray(self.start, dtype=np.int64)
        lengths = np.diff(start, append=n)
        j = np.arange(n, dtype=np.float64) - np.repeat(start, lengths)
        vendor = (
            np.repeat(np.asarray(self.vendor), lengths)
            * np.repeat(np.asarray(self.r), lengths) ** j
        )
        capacity = (
            np.repeat(np.asarray(self.internal), lengths)
            - np.repeat(np.asarray(self.learning), lengths) * self.q**j
            + self.vendor_rate * vendor
        )
        ends = np.arange(month_days - 1, n, month_days)
        seg = np.searchsorted(start, ends, side="right") - 1
        monthly = {
            "capacity": capacity.reshape(-1, month_days).mean(axis=1),
            "internal": np.asarray(self.heads, dtype=np.float64)[seg],
            "vendor": vendor[ends],
            "known": np.asarray(self.known, dtype=np.float64)[seg],
        }
        return capacity, monthly


class _Transition:
    """State and processes of one run."""

    def __init__(
        self, p: ModelInputs, rng: np.random.Generator | None, record_events: bool
    ) -> None:
        if p.stochastic and rng is None:
            raise ValueError("variability 'stochastic' needs a random generator")
        self.p = p
        self.rng = rng if p.stochastic else None
        self.env = simpy.Environment()
        self.record = record_events
        self.log: list[tuple[float, str]] = []
        D = p.working_days_per_month
        W = p.working_days_per_week
        self.D = D
        self.n_days = p.horizon_months * D
        # phases (working days from programme start)
        self.eval_end = p.evaluation_weeks * W
        self.notice_day = self.eval_end + p.negotiation_weeks * W
        self.plan_end = self.eval_end + p.planning_weeks * W
        planned = self.notice_day + p.notice_months * D
        if p.cutover_policy == "fixed":
            planned = max(planned, p.cutover_month * D)
        self.planned_exit = planned
        self.cutover_day = math.inf
        self.extensions = 0
        self.engaged = True
        # learning curve p(t) = 1 - (1 - p0) exp(-t / tau)
        p0 = p.initial_productivity
        self.gap = 1.0 - p0
        if p.ramp_up_days <= 0.0 or self.gap <= 0.0:
            self.tau = 0.0
        elif p0 < 0.9:
            self.tau = p.ramp_up_days / math.log(self.gap / 0.1)
        else:
            self.tau = p.ramp_up_days / math.log(10.0)
        # team state (aggregate productivity kept with a running sum of exp terms)
        self.staff: list[_Agent] = []
        self.all_agents: list[_Agent] = []
        self.n_prod = 0
        self.S = 0.0
        self.t_u = 0.0
        self.hires = 0
        self.leavers = 0
        self.first_onboarded = False
        #: counts every change of team, knowledge or vendor state (the flow refreshes on it)
        self.changes = 0
        # knowledge
        self.domain_state = [_PENDING] * p.domains
        self.known = 0
        self.transferred = 0
        self.lost = 0
        self.knowledge_started = False
        self.plan_ended = False
        self.coop_breaks, self.coop_rates = self._cooperation_schedule()
        # vendor
        self.vendors = p.vendor_agents
        self.notice_served = False
        # risk windows
        self.freezes = [
            (e.at_month * D, e.at_month * D + e.duration_days)
            for e in p.events
            if e.event == "hiring_freeze"
        ]
        # resources
        self.recruiting = simpy.Resource(self.env, capacity=max(1, p.parallel_hiring))
        self.sessions = simpy.Resource(self.env, capacity=max(1, p.parallel_sessions))
        self.rebuild = simpy.Resource(self.env, capacity=max(1, p.parallel_sessions))
        # random streams (all drawn in blocks; none when variability is "none")
        r = self.rng
        acc = min(1.0, max(p.offer_acceptance, 1e-9))
        if r is None:
            self.tth = _Stream(None, p.time_to_hire_days / acc)
        else:
            self.tth = _gamma_stream(r, p.time_to_hire_days, p.time_to_hire_cv)
        self.accept = _Stream(None if r is None else (lambda n: r.random(n)), 0.0)
        self.transfer_work = _gamma_stream(r, p.transfer_days_per_domain, p.transfer_cv)
        self.rebuild_work = _gamma_stream(r, p.rediscovery_days_per_domain, p.transfer_cv)
        self.att_gap = _Stream(None if r is None else (lambda n: r.exponential(1.0, n)), 1.0)
        self.pick = _Stream(None if r is None else (lambda n: r.random(n)), 0.0)

    # helpers ----------------------------------------------------------------------------------

    def note(self, msg: str) -> None:
        if self.record:
            self.log.append((float(self.env.now), msg))

    def _cooperation_schedule(self) -> tuple[list[float], list[float]]:
        p = self.p
        points = {0.0: p.cooperation, self.notice_day: p.cooperation_after_notice}
        walkouts = [
            (e.at_month * p.working_days_per_month, e.level)
            for e in p.events
            if e.event == "vendor_walkout"
        ]
        times = sorted(set(points) | {t for t, _ in walkouts})
        rates = []
        for t in times:
            rate = p.cooperation if t < self.notice_day else p.cooperation_after_notice
            for wt, level in walkouts:
                if wt <= t:
                    rate = min(rate, level)
            rates.append(rate)
        return times, rates

    def productivity(self, t: float) -> float:
        """Aggregate productivity of the team at time ``t`` (full-productivity agents)."""
        if self.tau == 0.0 or self.S == 0.0:
            return float(self.n_prod)
        return self.n_prod - self.gap * self.S * math.exp(-(t - self.t_u) / self.tau)

    def knowledge_share(self) -> float:
        n = self.p.domains
        return 1.0 if n == 0 else self.known / n

    def internal_capacity(self, t: float) -> float:
        """Internal effective capacity (tickets/day) at time ``t``."""
        k = self.knowledge_share()
        u = self.p.unknown_domain_productivity
        return self.p.agent_tickets_per_day * self.productivity(t) * (k + (1.0 - k) * u)

    def mean_demand(self, t: float) -> float:
        d = min(int(t), self.n_days - 1)
        return float(self.demand_mean[d]) if self.n_days > 0 else 0.0

    def frozen_until(self, t: float) -> float:
        """End of a hiring freeze covering time ``t`` (or ``t`` itself)."""
        end = t
        for a, b in self.freezes:
            if a <= end < b:
                end = b
        return end

    # team -------------------------------------------------------------------------------------

    def _add_productive(self, t: float) -> None:
        if self.tau > 0.0:
            self.S = self.S * math.exp(-(t - self.t_u) / self.tau) + 1.0
            self.t_u = t
        self.n_prod += 1
        self.changes += 1

    def _remove(self, agent: _Agent, t: float) -> None:
        agent.left = t
        self.changes += 1
        if agent.state == 1:
            self.n_prod -= 1
            if self.tau > 0.0:
                term = math.exp(-(t - agent.productive_from) / self.tau)
                self.S = max(0.0, self.S * math.exp(-(t - self.t_u) / self.tau) - term)
                self.t_u = t
                if self.n_prod == 0:
                    self.S = 0.0
        agent.state = 2

    def leave(self, why: str) -> None:
        """One agent leaves now (uniformly chosen; the longest-serving under "none")."""
        if not self.staff:
            return
        i = min(int(self.pick.next() * len(self.staff)), len(self.staff) - 1)
        agent = self.staff.pop(i)
        self._remove(agent, float(self.env.now))
        self.leavers += 1
        self.note(f"agent leaves ({why}); {len(self.staff)} internal agents; backfill opened")
        self.env.process(self.requisition(backfill=True))

    # processes --------------------------------------------------------------------------------

    def programme(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        p = self.p
        if self.eval_end > 0:
            yield env.timeout(self.eval_end)
        self.note("evaluation ends: planning, negotiation and hiring start")
        env.process(self.planning())
        for _ in range(p.target_agents):
            env.process(self.requisition(backfill=False))
        if self.notice_day > env.now:
            yield env.timeout(self.notice_day - env.now)
        self.notice_served = True
        self.changes += 1
        self.note(f"notice served; planned vendor exit on day {self.planned_exit:.1f}")
        if self.rng is not None:
            env.process(self.vendor_rampdown())
        if self.planned_exit > env.now:
            yield env.timeout(self.planned_exit - env.now)
        if p.cutover_policy == "readiness":
            while self.extensions < p.max_extension_months and not self._ready():
                self.extensions += 1
                self.note(
                    f"not ready (internal capacity {self.internal_capacity(env.now):.1f}/day, "
                    f"knowledge {self.transferred}/{p.domains}): vendor extended, month "
                    f"{self.extensions}"
                )
                yield env.timeout(self.D)
        self._cutover()

    def _ready(self) -> bool:
        p = self.p
        t = float(self.env.now)
        cap_ok = self.internal_capacity(t) >= p.readiness_capacity * self.mean_demand(t)
        share = 1.0 if p.domains == 0 else self.transferred / p.domains
        return cap_ok and share >= p.readiness_knowledge - 1e-12

    def _cutover(self) -> None:
        t = float(self.env.now)
        self.cutover_day = t
        self.engaged = False
        self.vendors = 0
        self.changes += 1
        lost = [i for i, s in enumerate(self.domain_state) if s == _PENDING]
        for i in lost:
            self.domain_state[i] = _LOST
            self.env.process(self.rediscover(i))
        self.lost = len(lost)
        self.note(
            f"cutover: vendor leaves after {self.extensions} extension month(s); "
            f"{self.lost} domain(s) lost"
        )

    def planning(self) -> Generator[simpy.Event, Any, None]:
        if self.plan_end > self.env.now:
            yield self.env.timeout(self.plan_end - self.env.now)
        self.plan_ended = True
        self.note("planning ends")
        self._maybe_start_knowledge()

    def vendor_rampdown(self) -> Generator[simpy.Event, Any, None]:
        """Stochastic mode: each vendor agent leaves after an exponential time from notice."""
        p = self.p
        a = p.vendor_attrition_after_notice
        if self.rng is None or a <= 0.0 or p.vendor_agents == 0:
            return
        env = self.env
        if a >= 1.0:
            self.vendors = 0
            self.changes += 1
            return
        rate = -math.log1p(-a) / self.D  # per working day and agent
        times = np.sort(float(env.now) + self.rng.exponential(1.0 / rate, p.vendor_agents))
        for t in times.tolist():
            if t >= self.n_days or not self.engaged:
                return
            yield env.timeout(t - env.now)
            if not self.engaged:
                return
            self.vendors -= 1
            self.changes += 1
            self.note(f"vendor agent leaves; {self.vendors} remain")

    def requisition(self, backfill: bool) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.recruiting.request() as req:
            yield req
            while True:
                wait = self.frozen_until(float(env.now)) - env.now
                if wait > 0:
                    yield env.timeout(wait)
                yield env.timeout(self.tth.next())
                if self.rng is None or self.accept.next() < self.p.offer_acceptance:
                    break
            wait = self.frozen_until(float(env.now)) - env.now
            if wait > 0:
                yield env.timeout(wait)
        yield from self.agent(backfill)  # the new agent's life continues in this process

    def agent(self, backfill: bool) -> Generator[simpy.Event, Any, None]:
        env = self.env
        t = float(env.now)
        agent = _Agent(t, t + self.p.onboarding_days)
        self.staff.append(agent)
        self.changes += 1
        self.all_agents.append(agent)
        self.hires += 1
        kind = "backfill hire" if backfill else "hire"
        self.note(f"{kind} starts; {len(self.staff)} internal agents")
        if self.p.onboarding_days > 0:
            yield env.timeout(self.p.onboarding_days)
        if agent.state == 2:
            return
        agent.state = 1
        self._add_productive(float(env.now))
        if not self.first_onboarded:
            self.first_onboarded = True
            self.note("first internal agent onboarded")
            self._maybe_start_knowledge()

    def _maybe_start_knowledge(self) -> None:
        if self.knowledge_started or not (self.plan_ended and self.first_onboarded):
            return
        self.knowledge_started = True
        if not self.engaged:
            return
        self.note("knowledge transfer starts")
        for i in range(self.p.domains):
            self.env.process(self.transfer(i))

    def transfer(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.sessions.request() as req:
            yield req
            if self.domain_state[i] != _PENDING:
                return
            done = _finish_time(
                float(env.now), self.transfer_work.next(), self.coop_breaks, self.coop_rates
            )
            if math.isinf(done):
                yield env.event()  # no cooperation left: the session never ends
                return
            if done > env.now:
                yield env.timeout(done - env.now)
            if self.domain_state[i] == _PENDING:
                self.domain_state[i] = _DONE
                self.known += 1
                self.changes += 1
                self.transferred += 1
                self.note(f"domain {i + 1} transferred ({self.transferred}/{self.p.domains})")

    def rediscover(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.rebuild.request() as req:
            yield req
            work = self.rebuild_work.next()
            if work > 0:
                yield env.timeout(work)
            self.known += 1
            self.changes += 1
            self.note(f"domain {i + 1} rebuilt internally")

    def staff_loss(self, t: float, n: int) -> Generator[simpy.Event, Any, None]:
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)
        for _ in range(min(n, len(self.staff))):
            self.leave("staff_loss risk")

    # the daily capacity ---------------------------------------------------------------------

    def flow(self, seg: _Segments) -> Generator[simpy.Event, Any, None]:
        """Record the daily ticket capacity, segment by segment, between SimPy events.

        Team, knowledge and vendor state change only at SimPy events (or at an attrition leaver,
        decided here; every change counts in ``self.changes``), so between two changes capacity
        follows a closed form: day ``d`` of a
        segment starting on ``d0`` has ``A - B q^(d - d0) + V r^(d - d0)`` tickets (the
        learning-curve term decays by ``q`` a day, the deterministic vendor ramp-down by ``r``).
        Each segment is recorded once (:class:`_Segments`); no Python work is done per day.
        Attrition: the cumulative hazard ``lam`` per agent-day grows linearly inside a segment,
        so the day it crosses the next exponential threshold is solved for, not searched.
        """
        env = self.env
        p = self.p
        n = self.n_days
        D = self.D
        lam = p.annual_attrition / (12.0 * D)
        threshold = self.att_gap.next() if lam > 0.0 else math.inf
        cum_hazard = 0.0  # hazard accumulated up to and including day hazard_day
        hazard_day = -1
        tpa = p.agent_tickets_per_day
        u = p.unknown_domain_productivity
        ndom = p.domains
        a = p.vendor_attrition_after_notice
        decay = -math.log1p(-a) if 0.0 < a < 1.0 else (0.0 if a <= 0.0 else math.inf)
        stochastic = self.rng is not None
        qv = math.exp(-decay / D) if 0.0 < decay < math.inf else 1.0
        seen = -1  # self.changes when the current segment started
        lam_n = A = B = vn = k = r = 0.0
        staff = 0
        d = 0
        while d < n:
            nxt = env.peek()
            if d >= nxt:
                yield env.timeout(nxt - env.now)
                continue
            if self.changes != seen:
                seen = self.changes
                staff = len(self.staff)
                lam_n = lam * staff
                k = 1.0 if ndom == 0 else self.known / ndom
                kf = tpa * (k + (1.0 - k) * u)
                A = kf * self.n_prod
                if self.tau > 0.0 and self.S > 0.0:
                    B = kf * self.gap * self.S * math.exp(-(d - self.t_u) / self.tau)
                else:
                    B = 0.0
                if not self.engaged or (decay == math.inf and self.notice_served):
                    vn = 0.0
                elif stochastic or not self.notice_served or decay == 0.0:
                    vn = float(self.vendors)
                else:
                    vn = self.vendors * math.exp(-decay * (d - self.notice_day) / D)
                r = (
                    qv
                    if vn > 0.0 and not stochastic and self.notice_served and decay > 0.0
                    else 1.0
                )
                seg.add(d, A, B, vn, r, staff, k)
            end = n if nxt >= n else math.ceil(nxt)  # the days before the next event
            if lam_n > 0.0:
                if hazard_day != d:
                    cum_hazard += lam_n
                    hazard_day = d
                if cum_hazard >= threshold:
                    if env.now < d:
                        yield env.timeout(d - env.now)
                        continue
                    while cum_hazard >= threshold and self.staff:
                        self.leave("attrition")
                        threshold += self.att_gap.next()
                    continue
                # first later day whose hazard reaches the threshold
                cross = d + max(1, math.ceil((threshold - cum_hazard) / lam_n - 1e-9))
                if cross < end:
                    end = cross
                cum_hazard += lam_n * (end - 1 - d)
                hazard_day = end - 1
            d = end

    # run ------------------------------------------------------------------------------------

    def run(self) -> RunResult:
        p = self.p
        env = self.env
        n = self.n_days
        D = self.D
        days = np.arange(n, dtype=np.float64)
        mean = p.tickets_per_day * (1.0 + p.demand_growth_per_year) ** (days / (12.0 * D))
        for e in p.events:
            if e.event == "ticket_surge" and e.duration_days > 0:
                s = e.at_month * D
                mean = mean + e.extra_tickets_per_day * ((days >= s) & (days < s + e.duration_days))
        self.demand_mean = mean
        arrivals = mean if self.rng is None else self.rng.poisson(mean).astype(np.float64)
        for e in p.events:
            if e.event == "staff_loss" and e.agents > 0:
                env.process(self.staff_loss(e.at_month * D, e.agents))
        env.process(self.programme())
        q = math.exp(-1.0 / self.tau) if self.tau > 0.0 else 0.0
        seg = _Segments(q, p.vendor_tickets_per_agent_day)
        flow = env.process(self.flow(seg))
        events = 0
        step = env.step
        try:
            while not flow.triggered:
                step()
                events += 1
        except simpy.core.EmptySchedule:  # pragma: no cover - the flow always ends
            pass
        # the queue never feeds back into the programme: it is computed once, after the run
        capacity, monthly = seg.daily(n, D)
        queue = fifo_queue(arrivals, capacity, p.sla_days)
        return self._result(queue, monthly, events)

    # outputs ----------------------------------------------------------------------------------

    def _result(
        self, queue: QueueFlow, out: dict[str, NDArray[np.float64]], events: int
    ) -> RunResult:
        p = self.p
        D = self.D
        M = p.horizon_months
        n = self.n_days
        H = float(n)
        arrivals = queue.arrivals
        backlog = queue.backlog
        breached = queue.breached
        overdue = queue.overdue
        due = queue.due
        due_m = due.reshape(M, D).sum(axis=1)
        br_m = breached.reshape(M, D).sum(axis=1)
        sla_m = np.where(due_m > 0, 1.0 - br_m / np.where(due_m > 0, due_m, 1.0), 1.0)
        monthly: dict[str, NDArray[np.float64]] = {
            "internal_agents": out["internal"],
            "vendor_agents": out["vendor"],
            "effective_capacity": out["capacity"],
            "demand": arrivals.reshape(M, D).mean(axis=1),
            "backlog": backlog.reshape(M, D)[:, -1].copy(),
            "sla_compliance": sla_m,
            "knowledge_transferred": out["known"],
        }
        cut = self.cutover_day
        costs = self._costs(overdue.reshape(M, D).sum(axis=1))
        monthly["cost_backsourcing"] = costs["cum_bs"]
        monthly["cost_status_quo"] = costs["cum_sq"]
        # stabilisation: weekly compliance after cutover
        W = p.working_days_per_week
        nw = n // W
        due_w = due[: nw * W].reshape(nw, W).sum(axis=1)
        br_w = breached[: nw * W].reshape(nw, W).sum(axis=1)
        comp_w = np.where(due_w > 0, 1.0 - br_w / np.where(due_w > 0, due_w, 1.0), 1.0)
        ok = comp_w >= p.sla_target - 1e-12
        ends = (np.arange(nw) + 1.0) * W
        end_day = math.inf
        streak = 0
        for w in range(nw):
            if ends[w] <= cut:
                continue
            streak = streak + 1 if ok[w] else 0
            if streak >= p.stable_weeks:
                end_day = float(ends[w])
                break
        stabilised = math.isfinite(end_day)
        cut_m = min(cut, H) / D
        # open tickets already due at the horizon are breaches; open ones not yet due are not
        total_breached = float(breached.sum())
        done = queue.total_resolved
        mean_age = queue.total_age / done if done > 0 else 0.0
        scalars: dict[str, float] = {
            "cutover_month": cut_m,
            "extension_months": float(self.extensions),
            "transition_months": end_day / D if stabilised else float(M),
            "stabilised": 1.0 if stabilised else 0.0,
            "one_off_cost": costs["one_off"],
            "overlap_cost": costs["overlap"],
            "disruption_cost": costs["disruption"],
            "transition_cost": costs["one_off"] + costs["overlap"] + costs["disruption"],
            "backsourcing_npv": costs["npv_bs"],
            "status_quo_npv": costs["npv_sq"],
            "npv_savings": costs["npv_sq"] - costs["npv_bs"],
            "breakeven_month": costs["breakeven"],
            "peak_backlog": float(backlog.max()) if n else 0.0,
            "tickets_breached": total_breached,
            "sla_breach_weeks": float(np.sum(~ok)),
            "knowledge_lost_domains": float(self.lost),
            "hires": float(self.hires),
            "leavers": float(self.leavers),
            "notice_month": self.notice_day / D,
            "planned_exit_month": self.planned_exit / D,
            "knowledge_transferred_domains": float(self.transferred),
            "ticket_days_beyond_sla": float(overdue.sum()),
            "mean_resolution_days": mean_age,
            "termination_cost": costs["termination"],
            "extension_cost": costs["extension"],
        }
        return RunResult(
            scalars=MappingProxyType(scalars),
            risks=MappingProxyType(dict(p.risk_flags)),
            monthly=MappingProxyType(monthly),
            events=tuple(self.log),
            sim_events=events,
        )

    def _costs(self, ticket_days_m: NDArray[np.float64]) -> dict[str, Any]:
        """Monthly nominal cash flows of both paths, discounted; see docs/model.md (Costs)."""
        p = self.p
        D = float(self.D)
        M = p.horizon_months
        H = M * D
        edges = np.arange(M + 1, dtype=np.float64) * D
        lo, hi = edges[:-1], edges[1:]
        price = (1.0 + p.annual_price_increase) ** np.floor(np.arange(M) / 12.0)
        fee_m = p.monthly_fee * price
        cut = min(self.cutover_day, H)
        planned = min(max(self.planned_exit, 0.0), cut)

        def share(a: float, b: float) -> NDArray[np.float64]:
            """Working-day share of each month inside [a, b)."""
            return np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0.0, None) / D

        vendor_base = fee_m * share(0.0, cut)
        extension = fee_m * p.extension_premium * share(planned, cut)
        termination = np.zeros(M)
        if self.cutover_day < H:
            termination[int(self.cutover_day // D)] += p.termination_fee
        # agents: employed over [hired, left)
        starts = np.array([a.hired for a in self.all_agents], dtype=np.float64)
        stops = np.array([min(a.left, H) for a in self.all_agents], dtype=np.float64)
        day_salary = p.salary_per_year / (12.0 * D)
        if starts.size:
            days_in = np.clip(
                np.minimum(hi[None, :], stops[:, None]) - np.maximum(lo[None, :], starts[:, None]),
                0.0,
                None,
            )
            salaries = day_salary * days_in.sum(axis=0)
            overlap_days = np.clip(np.minimum(stops, cut) - starts, 0.0, None).sum()
            hire_month = np.minimum((starts // D).astype(np.int64), M - 1)
            hiring = np.bincount(
                hire_month[starts < H],
                minlength=M,
            ).astype(np.float64) * (p.recruiting_cost_per_hire + p.training_cost_per_hire)
            hires_in_overlap = float(np.sum(starts < cut))
        else:
            salaries = np.zeros(M)
            overlap_days = 0.0
            hiring = np.zeros(M)
            hires_in_overlap = 0.0
        mgr_year = p.managers * p.manager_salary_per_year
        managers = mgr_year / 12.0 * share(self.eval_end, H)
        monthly_items = p.monthly_total * share(cut, H)
        one_off = np.zeros(M)
        if M:
            one_off[0] = p.one_off_total
        disruption = p.disruption_per_ticket_day * ticket_days_m
        bs = (
            vendor_base
            + extension
            + termination
            + salaries
            + hiring
            + managers
            + monthly_items
            + one_off
            + disruption
        )
        sq = fee_m
        disc = (1.0 + p.discount_rate) ** (-np.arange(1, M + 1) / 12.0)
        cum_bs = np.cumsum(bs * disc)
        cum_sq = np.cumsum(sq * disc)
        overlap = (
            day_salary * overlap_days
            + hires_in_overlap * (p.recruiting_cost_per_hire + p.training_cost_per_hire)
            + mgr_year / (12.0 * D) * max(0.0, cut - min(self.eval_end, cut))
        )
        return {
            "cum_bs": cum_bs,
            "cum_sq": cum_sq,
            "npv_bs": float(cum_bs[-1]) if M else 0.0,
            "npv_sq": float(cum_sq[-1]) if M else 0.0,
            "one_off": p.one_off_total,
            "overlap": float(overlap),
            "disruption": float(disruption.sum()),
            "termination": float(termination.sum()),
            "extension": float(extension.sum()),
            "breakeven": _breakeven(cum_bs, cum_sq),
        }


def _breakeven(cum_bs: NDArray[np.float64], cum_sq: NDArray[np.float64]) -> float:
    """First month (1-based) from which cumulative backsourcing cost stays <= status quo."""
    tol = 1e-6 * max(1.0, float(np.max(np.abs(cum_sq))) if cum_sq.size else 1.0)
    worse = np.flatnonzero(cum_bs > cum_sq + tol)
    if worse.size == 0:
        return 1.0 if cum_bs.size else math.nan
    last = int(worse[-1])
    return math.nan if last == cum_bs.size - 1 else float(last + 2)


def run_transition(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunResult:
    """Run the transition model once.

    ``rng`` is the iteration's own stream; it may be ``None`` (and is never used) when
    ``inputs.variability == "none"``.
    """
    return _Transition(inputs, rng, record_events).run()


def trace_frame(result: RunResult) -> pd.DataFrame:
    """Month-by-month table of one run (index: month 1..horizon), for ``simulate trace``."""
    frame = pd.DataFrame({k: np.asarray(result.monthly[k]) for k in SERIES_NAMES})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    return frame


def iter_scalars(result: RunResult) -> Iterator[tuple[str, float]]:
    """``(name, value)`` of every scalar in ``SCALAR_NAMES`` order."""
    for name in SCALAR_NAMES:
        yield name, float(result.scalars[name])


__all__ = [
    "SCALAR_NAMES",
    "SERIES_NAMES",
    "RunResult",
    "run_transition",
    "trace_frame",
    "iter_scalars",
]
