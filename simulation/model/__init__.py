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
``transition``      ``run_programme`` and ``run_transition``: one run, SimPy part and outputs
``inputs``          one iteration's values + scenario options -> frozen ``ModelInputs``
==================  ==========================================================================

Time unit: one working day. Random numbers are drawn in blocks; with ``variability = "none"``
none are drawn at all. No Python code runs per simulated day: SimPy events, one capacity segment
per change of state, and a fixed number of numpy passes over the horizon.

Names are imported on first use (:mod:`simulation.lazy`), so that a module which needs only
``simulation.model.inputs`` (the pre-run guards of ``simulate validate``) loads no more. The
function ``outcomes`` is imported from its module (``simulation.model.outcomes.outcomes``):
re-exported here, the submodule of the same name would replace it once loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.model.outcomes import Outcomes
    from simulation.model.parameters import ModelInputs
    from simulation.model.record import RunRecord
    from simulation.model.result import (
        SCALAR_NAMES,
        SERIES_NAMES,
        RunResult,
        iter_scalars,
        to_result,
        trace_frame,
    )
    from simulation.model.transition import run_programme, run_transition

__all__ = [
    "ModelInputs",
    "Outcomes",
    "RunRecord",
    "RunResult",
    "SCALAR_NAMES",
    "SERIES_NAMES",
    "iter_scalars",
    "run_programme",
    "run_transition",
    "to_result",
    "trace_frame",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "ModelInputs": "parameters",
    "Outcomes": "outcomes",
    "RunRecord": "record",
    "RunResult": "result",
    "SCALAR_NAMES": "result",
    "SERIES_NAMES": "result",
    "iter_scalars": "result",
    "run_programme": "transition",
    "run_transition": "transition",
    "to_result": "result",
    "trace_frame": "result",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
