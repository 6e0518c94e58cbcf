"""The SimPy transition model: one backsourcing programme, day by day (see docs/model.md).

``run_transition(inputs, rng)`` is a pure function: it builds its own ``simpy.Environment``,
reads no files and no globals, and returns a frozen :class:`RunResult`.

Time unit: one working day. Events in time (phases, notice, recruiting slots working the
requisition queue, onboarding, handover and rebuild session slots working the domain queue,
vendor attrition, risk events, cutover decisions) are SimPy processes and events. The daily
capacity is recorded by one lightweight process that wakes only at those events and records a
segment of days per change of state, never an event per day; the ticket queue, monthly series
and costs follow after the run (:mod:`simulation.outcomes`).
Random numbers are drawn in blocks; with ``variability = "none"`` none are drawn at all.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import simpy
from numpy.typing import NDArray

from simulation import schema
from simulation.outcomes import RunRecord, outcomes
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


def _blocks(draw: Callable[[int], NDArray[np.float64]]) -> Iterator[float]:
    """Values drawn ``_BLOCK`` at a time, one block when the previous one is used up."""
    while True:
        yield from draw(_BLOCK).tolist()


def _stream(
    draw: Callable[[int], NDArray[np.float64]] | None, fixed: float = 0.0
) -> Iterator[float]:
    """Block-drawn random numbers of one kind (``next(stream)`` gives the next value); with
    ``draw=None`` (variability "none") it gives ``fixed`` for ever and never draws."""
    return itertools.repeat(fixed) if draw is None else _blocks(draw)


def _gamma_stream(rng: np.random.Generator | None, mean: float, cv: float) -> Iterator[float]:
    """Durations with the given mean (days) and coefficient of variation (gamma)."""
    if rng is None or cv <= 0.0 or mean <= 0.0:
        return _stream(None, mean)
    shape = 1.0 / (cv * cv)
    scale = mean / shape
    return _blocks(lambda n: rng.gamma(shape, scale, n))


@functools.lru_cache(maxsize=64)
def _growth(rate: float, month_days: int, days: int) -> NDArray[np.float64]:
    """Demand growth factor of each working day, ``(1 + rate) ** (day / (12 · month_days))``
    (read-only; shared by every run with the same yearly rate and calendar)."""
    factor = (1.0 + rate) ** (np.arange(days, dtype=np.float64) / (12.0 * month_days))
    factor.flags.writeable = False
    return factor


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
    ``internal[s] - learning[s] * q**j + rate * vendor[s] * r[s]**j`` tickets of capacity
    (``j = d - start[s]``; ``vendor`` in agents, ``rate`` the vendor's tickets per agent-day),
    ``heads[s]`` internal agents and ``known[s]`` the share of domains known.
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
        self.open_requisitions: deque[bool] = deque()  # backfill? per open requisition, FIFO
        self.idle_recruiters: list[simpy.Event] = []  # recruiting slots waiting for work
        self.slots = max(1, p.parallel_sessions)  # handover sessions and rebuilds at a time
        self.next_domain = 0  # the next domain a free handover slot takes
        self.rebuild_queue: list[int] = []  # lost domains, in the order they are rebuilt
        self.next_rebuild = 0
        # random streams (all drawn in blocks; none when variability is "none")
        r = self.rng
        acc = min(1.0, max(p.offer_acceptance, 1e-9))
        if r is None:
            self.tth = _stream(None, p.time_to_hire_days / acc)
        else:
            self.tth = _gamma_stream(r, p.time_to_hire_days, p.time_to_hire_cv)
        self.accept = _stream(None if r is None else (lambda n: r.random(n)), 0.0)
        self.transfer_work = _gamma_stream(r, p.transfer_days_per_domain, p.transfer_cv)
        self.rebuild_work = _gamma_stream(r, p.rediscovery_days_per_domain, p.transfer_cv)
        self.att_gap = _stream(None if r is None else (lambda n: r.exponential(1.0, n)), 1.0)
        self.pick = _stream(None if r is None else (lambda n: r.random(n)), 0.0)

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
        i = min(int(next(self.pick) * len(self.staff)), len(self.staff) - 1)
        agent = self.staff.pop(i)
        self._remove(agent, float(self.env.now))
        self.leavers += 1
        if self.record:
            self.note(f"agent leaves ({why}); {len(self.staff)} internal agents; backfill opened")
        self.open_requisition(backfill=True)

    # processes --------------------------------------------------------------------------------

    def programme(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        p = self.p
        if self.eval_end > 0:
            yield env.timeout(self.eval_end)
        self.note("evaluation ends: planning, negotiation and hiring start")
        env.process(self.planning())
        for _ in range(p.target_agents):
            self.open_requisition(backfill=False)
        for _ in range(max(1, p.parallel_hiring)):
            env.process(self.recruiter())
        if self.notice_day > env.now:
            yield env.timeout(self.notice_day - env.now)
        self.notice_served = True
        self.changes += 1
        if self.record:
            self.note(f"notice served; planned vendor exit on day {self.planned_exit:.1f}")
        if self.rng is not None:
            env.process(self.vendor_rampdown())
        if self.planned_exit > env.now:
            yield env.timeout(self.planned_exit - env.now)
        if p.cutover_policy == "readiness":
            while self.extensions < p.max_extension_months and not self._ready():
                self.extensions += 1
                if self.record:
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
        self.rebuild_queue = lost
        for _ in range(min(self.slots, len(lost))):
            self.env.process(self.rebuild_slot())
        self.lost = len(lost)
        if self.record:
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
            if self.record:
                self.note(f"vendor agent leaves; {self.vendors} remain")

    def open_requisition(self, backfill: bool) -> None:
        """A requisition joins the recruiting queue (and wakes an idle recruiting slot)."""
        self.open_requisitions.append(backfill)
        if self.idle_recruiters:
            self.idle_recruiters.pop(0).succeed()

    def recruiter(self) -> Generator[simpy.Event, Any, None]:
        """One recruiting slot (``staffing.parallel_hiring`` of them): it works the open
        requisitions first come, first served, as a resource of that many slots would grant
        them; each search takes a time to hire per candidate until an offer is accepted, and
        neither a search nor a start happens during a hiring freeze."""
        env = self.env
        p = self.p
        queue = self.open_requisitions
        while True:
            if not queue:
                wake = env.event()
                self.idle_recruiters.append(wake)
                yield wake
                continue
            backfill = queue.popleft()
            while True:
                wait = self.frozen_until(float(env.now)) - env.now
                if wait > 0:
                    yield env.timeout(wait)
                yield env.timeout(next(self.tth))
                if self.rng is None or next(self.accept) < p.offer_acceptance:
                    break
            wait = self.frozen_until(float(env.now)) - env.now
            if wait > 0:
                yield env.timeout(wait)
            self.start_agent(backfill)

    def start_agent(self, backfill: bool) -> None:
        """A hire starts now (paid from today) and is productive after onboarding."""
        env = self.env
        t = float(env.now)
        agent = _Agent(t, t + self.p.onboarding_days)
        self.staff.append(agent)
        self.changes += 1
        self.all_agents.append(agent)
        self.hires += 1
        kind = "backfill hire" if backfill else "hire"
        if self.record:
            self.note(f"{kind} starts; {len(self.staff)} internal agents")
        if self.p.onboarding_days > 0:
            done = env.timeout(self.p.onboarding_days)
            done.callbacks.append(lambda _: self._onboarded(agent))
        else:
            self._onboarded(agent)

    def _onboarded(self, agent: _Agent) -> None:
        if agent.state == 2:  # left during onboarding
            return
        agent.state = 1
        self._add_productive(float(self.env.now))
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
        for _ in range(min(self.slots, self.p.domains)):
            self.env.process(self.handover_slot())

    def handover_slot(self) -> Generator[simpy.Event, Any, None]:
        """One handover session slot: it takes the domains in order, one session each, as a
        first-come-first-served resource of ``parallel_sessions`` slots would grant them.
        A domain lost at cutover is skipped; a session that can never end (no cooperation left)
        holds its slot for good."""
        env = self.env
        p = self.p
        while self.next_domain < p.domains:
            i = self.next_domain
            self.next_domain += 1
            if self.domain_state[i] != _PENDING:
                continue
            done = _finish_time(
                float(env.now), next(self.transfer_work), self.coop_breaks, self.coop_rates
            )
            if math.isinf(done):
                return  # no cooperation left: the session never ends
            if done > env.now:
                yield env.timeout(done - env.now)
            if self.domain_state[i] == _PENDING:
                self.domain_state[i] = _DONE
                self.known += 1
                self.changes += 1
                self.transferred += 1
                if self.record:
                    self.note(f"domain {i + 1} transferred ({self.transferred}/{p.domains})")

    def rebuild_slot(self) -> Generator[simpy.Event, Any, None]:
        """One internal rebuild slot: it rebuilds the lost domains in order, one at a time."""
        env = self.env
        queue = self.rebuild_queue
        while self.next_rebuild < len(queue):
            i = queue[self.next_rebuild]
            self.next_rebuild += 1
            work = next(self.rebuild_work)
            if work > 0:
                yield env.timeout(work)
            self.known += 1
            self.changes += 1
            if self.record:
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
        threshold = next(self.att_gap) if lam > 0.0 else math.inf
        cum_hazard = 0.0  # hazard accumulated up to and including day hazard_day
        hazard_day = -1  # hazard of day x is added on day x, at the rate of that day
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
        cross = n  # the day the cumulative hazard reaches the threshold at the current rate
        peek = env.peek
        timeout = env.timeout
        d = 0
        while d < n:
            nxt = peek()
            if d >= nxt:
                yield timeout(nxt - env.now)
                continue
            if self.changes != seen:
                seen = self.changes
                if hazard_day < d - 1:  # days before d had the previous rate
                    cum_hazard += lam_n * (d - 1 - hazard_day)
                    hazard_day = d - 1
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
                while cum_hazard >= threshold and self.staff:
                    self.leave("attrition")
                    threshold += next(self.att_gap)
                seen = -1  # the rate and the threshold changed: start a new segment today
                continue
            end = n if nxt >= n else math.ceil(nxt)  # the days before the next event
            if cross < end:
                end = cross
            d = end
            if nxt <= d < n:  # the days before the next event are done: wait for it
                yield timeout(nxt - env.now)

    # run ------------------------------------------------------------------------------------

    def run(self) -> RunRecord:
        p = self.p
        env = self.env
        n = self.n_days
        D = self.D
        mean = p.tickets_per_day * _growth(p.demand_growth_per_year, D, n)
        for e in p.events:
            if e.event == "ticket_surge" and e.duration_days > 0:
                days = np.arange(n, dtype=np.float64)
                s = e.at_month * D
                mean = mean + e.extra_tickets_per_day * ((days >= s) & (days < s + e.duration_days))
        self.demand_mean = mean
        arrivals = mean if self.rng is None else self.rng.poisson(mean).astype(np.float64)
        for e in p.events:
            if e.event == "staff_loss" and e.agents > 0:
                env.process(self.staff_loss(e.at_month * D, e.agents))
        env.process(self.programme())
        q = math.exp(-1.0 / self.tau) if self.tau > 0.0 else 0.0
        seg = _Segments(q)
        flow = env.process(self.flow(seg))
        env.run(until=flow)
        events = _processed_events(env)
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
            hired=[a.hired for a in self.all_agents],
            left=[a.left for a in self.all_agents],
            eval_end=self.eval_end,
            notice_day=self.notice_day,
            planned_exit=self.planned_exit,
            cutover_day=self.cutover_day,
            extensions=self.extensions,
            lost=self.lost,
            transferred=self.transferred,
            hires=self.hires,
            leavers=self.leavers,
            sim_events=events,
            log=tuple(self.log),
        )


def _processed_events(env: simpy.Environment) -> int:
    """SimPy events processed so far: events scheduled less those still queued.

    Read from SimPy's own event counter (``Environment._eid``, an ``itertools.count``) so the
    run loop stays SimPy's; ``-1`` when a SimPy version has no such counter."""
    counter = getattr(env, "_eid", None)
    queue = getattr(env, "_queue", None)
    if counter is None or queue is None:  # pragma: no cover - SimPy internals changed
        return -1
    return int(next(counter)) - len(queue)


def run_programme(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunRecord:
    """The SimPy part of one run: what the programme did (see :mod:`simulation.outcomes` for
    the outputs that follow from it). ``rng`` as in :func:`run_transition`."""
    return _Transition(inputs, rng, record_events).run()


def to_result(
    record: RunRecord, scalars: NDArray[np.float64], monthly: NDArray[np.float64]
) -> RunResult:
    """One run's outputs (a row of :class:`~simulation.outcomes.Outcomes`) as a RunResult.

    NaN (a break-even never reached) is always ``math.nan`` itself, so equal runs compare equal.
    """
    return RunResult(
        scalars=MappingProxyType(
            {
                k: v if v == v else math.nan
                for k, v in zip(SCALAR_NAMES, scalars.tolist(), strict=True)
            }
        ),
        risks=MappingProxyType(dict(record.p.risk_flags)),
        monthly=MappingProxyType({k: monthly[j].copy() for j, k in enumerate(SERIES_NAMES)}),
        events=record.log,
        sim_events=record.sim_events,
    )


def run_transition(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunResult:
    """Run the transition model once.

    ``rng`` is the iteration's own stream; it may be ``None`` (and is never used) when
    ``inputs.variability == "none"``.
    """
    record = run_programme(inputs, rng, record_events)
    out = outcomes([record])
    return to_result(record, out.scalars[0], out.monthly[0])


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
    "run_programme",
    "run_transition",
    "to_result",
    "trace_frame",
    "iter_scalars",
]
