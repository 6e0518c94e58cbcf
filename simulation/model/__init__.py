"""The SimPy transition model: one backsourcing programme, day by day (see docs/model.md).

``run_transition(inputs, rng)`` is a pure function: it builds its own ``simpy.Environment``,
reads no files and no globals, and returns a frozen :class:`RunResult`. One module per
mechanism:

==================  ==========================================================================
``programme``       phases, notice, the cutover decision; wires the mechanisms of one run
``staffing``        requisitions, recruiting slots, hires, onboarding, learning curve, leavers
``knowledge``       handover sessions at the vendor's cooperation rate, loss and rebuilding
``vendor``          the outgoing vendor's team and its ramp-down after notice
``capacity``        the daily capacity as segments between SimPy events; internal attrition
``context``         what the mechanisms of one run share (environment, inputs, calendar, log)
``streams``         block-drawn random numbers, demand growth
``record``          ``RunRecord``: what the SimPy part did, handed to the outcomes
``queue``           the FIFO ticket queue in numpy passes (backlog, breaches, ticket-days)
``outcomes``        scalars, monthly series and costs of a batch of runs
``result``          ``RunResult`` of one run, ``trace_frame``
==================  ==========================================================================

Time unit: one working day. Random numbers are drawn in blocks; with ``variability = "none"``
none are drawn at all. No Python code runs per simulated day: SimPy events, one capacity segment
per change of state, and a fixed number of numpy passes over the horizon.
"""

from __future__ import annotations

import numpy as np

from simulation.model.outcomes import Outcomes, outcomes
from simulation.model.programme import Programme
from simulation.model.record import RunRecord
from simulation.model.result import (
    SCALAR_NAMES,
    SERIES_NAMES,
    RunResult,
    iter_scalars,
    to_result,
    trace_frame,
)
from simulation.params import ModelInputs


def run_programme(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunRecord:
    """The SimPy part of one run: what the programme did (see :mod:`simulation.model.outcomes`
    for the outputs that follow from it). ``rng`` as in :func:`run_transition`."""
    return Programme(inputs, rng, record_events).run()


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


__all__ = [
    "SCALAR_NAMES",
    "SERIES_NAMES",
    "Outcomes",
    "RunRecord",
    "RunResult",
    "iter_scalars",
    "outcomes",
    "run_programme",
    "run_transition",
    "to_result",
    "trace_frame",
]
