"""Knowledge handover and rebuilding (docs/model.md, section 3).

Handover sessions (``knowledge.parallel_sessions`` slots taking the domains in order) start when
planning has ended and the first internal agent is productive, and only while the vendor is
engaged; they progress at the vendor's cooperation rate. At cutover every domain not yet
transferred is lost and rebuilt internally, ``parallel_sessions`` at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import simpy

from simulation.model.context import RunContext
from simulation.model.parameters import RiskEvent
from simulation.model.streams import gamma_stream

PENDING, DONE, LOST, REBUILT = 0, 1, 2, 3


def finish_time(start: float, work: float, breaks: list[float], rates: list[float]) -> float:
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


class Knowledge:
    """The domains of one run: handed over, lost at cutover, rebuilt."""

    def __init__(
        self,
        ctx: RunContext,
        notice_day: float,
        engaged: Callable[[], bool],
        events: Sequence[tuple[float, RiskEvent]] = (),
        domains: int | None = None,
    ) -> None:
        self.ctx = ctx
        p = ctx.p
        self.engaged = engaged
        #: the domains the company takes over (all, unless a part stays with the vendor)
        self.domains = p.domains if domains is None else domains
        self.state = [PENDING] * self.domains
        self.known = 0
        self.transferred = 0
        self.lost = 0
        self.started = False
        self.plan_ended = False
        self.team_ready = False
        self.breaks, self.rates = self._cooperation(notice_day, events)
        self.slots = max(1, p.parallel_sessions)
        self.next_domain = 0
        self.rebuild_queue: list[int] = []
        self.next_rebuild = 0
        self.rebuilding = 0  # rebuild slots at work
        self.transfer_work = gamma_stream(ctx.rng, p.transfer_days_per_domain, p.transfer_cv)
        self.rebuild_work = gamma_stream(ctx.rng, p.rediscovery_days_per_domain, p.transfer_cv)

    def _cooperation(
        self, notice_day: float, events: Sequence[tuple[float, RiskEvent]]
    ) -> tuple[list[float], list[float]]:
        """The vendor's cooperation rate as a step function: breaks and rates (a
        ``vendor_walkout`` at working day ``t`` caps it from then on)."""
        p = self.ctx.p
        points = {0.0: p.cooperation, notice_day: p.cooperation_after_notice}
        walkouts = [(t, e.level) for t, e in events if e.event == "vendor_walkout"]
        times = sorted(set(points) | {t for t, _ in walkouts})
        rates = []
        for t in times:
            rate = p.cooperation if t < notice_day else p.cooperation_after_notice
            for wt, level in walkouts:
                if wt <= t:
                    rate = min(rate, level)
            rates.append(rate)
        return times, rates

    def share(self) -> float:
        """Share of domains known (transferred or rebuilt; 1 when there are none)."""
        n = self.domains
        return 1.0 if n == 0 else self.known / n

    def transferred_share(self, upto: int | None = None) -> float:
        """Share of the domains ``[0, upto)`` (all by default: a wave's and the waves' before
        it) handed over; 1 when there are none."""
        n = self.domains if upto is None else upto
        if n == 0:
            return 1.0
        if n == self.domains:
            return self.transferred / n
        return sum(1 for s in self.state[:n] if s == DONE) / n

    def known_share(self, upto: int) -> float:
        """Share of the domains ``[0, upto)`` known: handed over or rebuilt; 1 when none."""
        if upto == 0:
            return 1.0
        return sum(1 for s in self.state[:upto] if s in (DONE, REBUILT)) / upto

    def carry(self, n: int) -> int:
        """Staff transfer: the first ``n`` domains not yet known are known (transferred with
        the people who hold them); returns how many."""
        done = 0
        for i, state in enumerate(self.state):
            if done >= n:
                break
            if state == PENDING:
                self.state[i] = DONE
                self.known += 1
                self.transferred += 1
                done += 1
        if done:
            self.ctx.changes += 1
        return done

    def planning_ended(self) -> None:
        self.plan_ended = True
        self._maybe_start()

    def first_agent_productive(self) -> None:
        self.team_ready = True
        self._maybe_start()

    def _maybe_start(self) -> None:
        if self.started or not (self.plan_ended and self.team_ready):
            return
        self.started = True
        if not self.engaged():
            return
        self.ctx.note("knowledge transfer starts")
        for _ in range(min(self.slots, self.domains)):
            self.ctx.env.process(self.handover_slot())

    def handover_slot(self) -> Generator[simpy.Event, Any, None]:
        """One handover session slot: it takes the domains in order, one session each. A domain
        lost at cutover is skipped; a session that can never end (no cooperation left) holds
        its slot for good."""
        ctx = self.ctx
        env = ctx.env
        while self.next_domain < self.domains:
            i = self.next_domain
            self.next_domain += 1
            if self.state[i] != PENDING:
                continue
            done = finish_time(float(env.now), next(self.transfer_work), self.breaks, self.rates)
            if math.isinf(done):
                return  # no cooperation left: the session never ends
            if done > env.now:
                yield env.timeout(done - env.now)
            if self.state[i] == PENDING:
                self.state[i] = DONE
                self.known += 1
                ctx.changes += 1
                self.transferred += 1
                if ctx.record:
                    ctx.note(f"domain {i + 1} transferred ({self.transferred}/{self.domains})")

    def lose_pending(self, upto: int | None = None) -> None:
        """At cutover (of the wave that holds the domains ``[0, upto)``; all by default), or
        when the vendor fails: every domain not yet transferred is lost and queued for
        rebuilding."""
        stop = self.domains if upto is None else upto
        lost = [i for i, s in enumerate(self.state[:stop]) if s == PENDING]
        for i in lost:
            self.state[i] = LOST
        self.rebuild_queue.extend(lost)
        waiting = len(self.rebuild_queue) - self.next_rebuild
        for _ in range(min(self.slots - self.rebuilding, waiting)):
            self.rebuilding += 1
            self.ctx.env.process(self.rebuild_slot())
        self.lost += len(lost)

    def rebuild_slot(self) -> Generator[simpy.Event, Any, None]:
        """One internal rebuild slot: it rebuilds the lost domains in order, one at a time."""
        ctx = self.ctx
        env = ctx.env
        queue = self.rebuild_queue
        while self.next_rebuild < len(queue):
            i = queue[self.next_rebuild]
            self.next_rebuild += 1
            work = next(self.rebuild_work)
            if work > 0:
                yield env.timeout(work)
            self.known += 1
            self.state[i] = REBUILT
            ctx.changes += 1
            if ctx.record:
                ctx.note(f"domain {i + 1} rebuilt internally")
        self.rebuilding -= 1
