"""When internal agents leave through attrition (docs/model.md, section 2).

The team's attrition hazard (leavers per working day: ``staffing.annual_attrition`` per agent,
``staffing.transfer_attrition`` per transferred agent) is constant inside a capacity segment,
so the cumulative hazard grows linearly there and the day it reaches the next threshold of a
unit-rate exponential stream is solved for, not searched day by day.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from simulation.model.staffing import Team


class AttritionClock:
    """The cumulative attrition hazard of one run and the thresholds at which agents leave."""

    __slots__ = ("gaps", "lam", "lam_t", "threshold", "cum", "day", "rate")

    def __init__(self, gaps: Iterator[float], lam: float, lam_t: float) -> None:
        #: unit-rate exponential gaps between leavers (the run's own stream)
        self.gaps = gaps
        #: leavers per agent-day: of the team's own agents, of agents transferred from the vendor
        self.lam = lam
        self.lam_t = lam_t
        self.threshold = next(gaps) if lam > 0.0 or lam_t > 0.0 else math.inf
        self.cum = 0.0  # hazard accumulated up to and including day `day`
        self.day = -1  # the hazard of day x is added on day x, at the rate of that day
        self.rate = 0.0  # leavers per working day at the current segment's head count

    def restart(self, d: int, rate: float, n: int) -> int:
        """From day ``d`` on the hazard is ``rate`` a day (the days before ``d`` had the rate
        before); returns the day the cumulative hazard reaches the threshold at that rate (``n``,
        the horizon, when it does not within it)."""
        day = self.day
        cum = self.cum
        if day < d - 1:
            cum += self.rate * (d - 1 - day)
            day = d - 1
            self.cum = cum
            self.day = day
        self.rate = rate
        if rate <= 0.0:
            return n
        threshold = self.threshold
        if cum >= threshold:
            return day
        steps = (threshold - cum) / rate  # inf for a subnormal hazard
        gap = math.ceil(steps - 1e-9) if steps < n else n
        return day + (gap if gap > 1 else 1)

    def accumulate(self, d: int) -> None:
        """Add the hazard of the days up to and including ``d``."""
        if self.day < d:
            self.cum += self.rate * (d - self.day)
            self.day = d

    def leave(self, team: Team) -> None:
        """The agents whose thresholds the cumulative hazard has reached leave now."""
        while self.cum >= self.threshold and team.staff:
            team.leave("attrition")
            self.threshold += next(self.gaps)
