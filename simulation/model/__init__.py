"""The SimPy transition model: one backsourcing programme, day by day (see docs/model.md).

``run_transition(inputs, rng)`` is a pure function: it builds its own ``simpy.Environment``,
reads no files and no globals, and returns a frozen :class:`RunResult`. One module per job:

=====================  =======================================================================
one run
``transition``         ``run_programme`` and ``run_transition``: one run, SimPy part and outputs;
                       ``PausedRun``: a run that pauses after its cutover (the risk ranking)
``context``            what the mechanisms of one run share (environment, inputs, calendar, log)
``record``             ``RunRecord``: what the SimPy part did, handed to the outcomes
``result``             ``RunResult`` of one run, ``trace_frame``
the SimPy mechanisms
``programme``          phases, notice, each wave's cutover; wires the mechanisms of one run
``plan``               the waves of a strategy: shares, exits, requisitions
``arrivals``           the tickets known at programme start; when risk events strike
``staffing``           requisitions, recruiting slots, hires, onboarding, learning curve, leavers
``attrition``          the day the next agent leaves through attrition (solved, not searched)
``knowledge``          handover sessions at the vendor's cooperation rate, loss and rebuilding
``vendor``             the outgoing vendor's teams, their ramp-down after notice and floor
``capacity``           the daily capacity as segments between SimPy events
``watch``              the FIFO queue as the weekly review sees it, kept incrementally
``review``             the weekly review: what it reads, what it decides, which reviews are quiet
``levers``             agency staff, hypercare, overtime and the team target
``streams``            block-drawn random numbers, demand growth
one iteration's inputs
``parameters``         the frozen ``ModelInputs`` and ``RiskEvent``
``inputs``             one iteration's values + scenario options -> ``ModelInputs``, from
                       ``parameter_table``, ``choices`` and ``risk_effects``
the outputs of a batch of runs (numpy passes)
``outcomes``           scalars and monthly series, from ``daily_capacity``, ``queue`` (the FIFO
                       ticket queue), ``quality``, ``stability``, ``costs`` (with
                       ``vendor_costs``, ``team_costs``, ``cost_months``), ``fees`` and
                       ``response_costs``; ``arrays``: the calendar and shared array helpers
=====================  =======================================================================

Time unit: one working day. Random numbers are drawn in blocks; with ``variability = "none"``
none are drawn at all. Without the response layer no Python code runs per simulated day: SimPy
events, one capacity segment per change of state, and a fixed number of numpy passes over the
horizon. With it, the review's queue watch takes one Python step a day while the queue is not
empty (an empty stretch costs O(1)).

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
