"""The engine stage: the Monte Carlo run around the model.

Owns the run (sampling once, chunks of iterations, assembly by index, convergence: ``run``,
``convergence``), where chunks run (``backends``: in-process, local pool, Dask), the checks
before a run (``guards``, ``memory``), the cores a process may use (``cores``), Ctrl-C and
SIGTERM at safe points (``interrupts``) and the optional dependencies (``extras``). Imports
:mod:`simulation.model` and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.engine.convergence import ConvergenceCheck
    from simulation.engine.cores import available_cores
    from simulation.engine.extras import require, require_extras
    from simulation.engine.guards import GuardReport, check_scenario
    from simulation.engine.run import RawResults, default_jobs, simulate, trace

__all__ = [
    "ConvergenceCheck",
    "GuardReport",
    "RawResults",
    "available_cores",
    "check_scenario",
    "default_jobs",
    "require",
    "require_extras",
    "simulate",
    "trace",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "ConvergenceCheck": "convergence",
    "GuardReport": "guards",
    "RawResults": "run",
    "available_cores": "cores",
    "check_scenario": "guards",
    "default_jobs": "run",
    "require": "extras",
    "require_extras": "extras",
    "simulate": "run",
    "trace": "run",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
