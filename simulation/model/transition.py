"""One run of the transition model: its SimPy part (``run_programme``) and, with the outputs
that follow from it, ``run_transition`` (see :mod:`simulation.model`)."""

from __future__ import annotations

import numpy as np

from simulation.model.outcomes import outcomes
from simulation.model.parameters import ModelInputs
from simulation.model.programme import Programme
from simulation.model.record import RunRecord
from simulation.model.result import RunResult, to_result

__all__ = ["run_programme", "run_transition"]


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
