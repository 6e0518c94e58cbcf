"""What every mechanism of one run shares: the SimPy environment, the inputs, the calendar, the
random generator, the event log and the count of state changes."""

from __future__ import annotations

import numpy as np
import simpy

from simulation.model.parameters import ModelInputs


class RunContext:
    """The shared state of one run.

    ``changes`` counts every change of team, knowledge, vendor or management state; the capacity
    recorder starts a new segment whenever it moved. Time unit: one working day from programme
    start; ``D`` working days a month, ``W`` a week, ``n_days`` in the horizon.
    """

    __slots__ = ("env", "p", "rng", "record", "log", "D", "W", "n_days", "changes")

    def __init__(
        self, p: ModelInputs, rng: np.random.Generator | None, record_events: bool
    ) -> None:
        if p.stochastic and rng is None:
            raise ValueError("variability 'stochastic' needs a random generator")
        self.env = simpy.Environment()
        self.p = p
        self.rng = rng if p.stochastic else None
        self.record = record_events
        self.log: list[tuple[float, str]] = []
        self.D = p.working_days_per_month
        self.W = p.working_days_per_week
        self.n_days = p.horizon_months * self.D
        self.changes = 0

    def note(self, msg: str, when: float | None = None) -> None:
        """Add ``msg`` to the event log (only when it is recorded; build costly messages only
        under ``if ctx.record``)."""
        if self.record:
            self.log.append((float(self.env.now) if when is None else when, msg))
