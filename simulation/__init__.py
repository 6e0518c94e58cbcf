"""Backsourcing risk simulation: a SimPy transition model under a NumPy Monte Carlo layer.

Notebook use::

    from simulation import load_scenario, run
    res = run(load_scenario("scenarios/it_helpdesk.toml"), iterations=2000, seed=1)
    res.summary, res.samples, res.timeseries
    res.save("results/my_run")

The public API, one verb per stage of the pipeline:

===================  ==========================================================================
``load_scenario``    read and check a TOML scenario -> :class:`Scenario`
``sample_inputs``    draw its uncertain inputs as a run would, without the model
``run``              the Monte Carlo run (:class:`RunOptions`) -> :class:`Results`
``trace``            re-run one iteration of a run with its event log
``compare``          alternatives on the same futures -> :class:`Comparison`
``sweep``            one or more levers over a grid -> :class:`SweepResults` (``Lever``)
``load_results``     read back a results folder -> :class:`Results` (the type a run returns)
===================  ==========================================================================

Names are imported lazily, on first use, so that ``import simulation`` (and
``import simulation.scenario.schema``) stays cheap: NumPy, SimPy and matplotlib load only when a
name that needs them is used. No public name is also the name of a subpackage, so importing
``simulation.analysis.compare`` leaves ``simulation.compare`` the verb. Type checkers see the
real imports in the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulation.analysis.compare import Comparison, compare
    from simulation.analysis.levers import Lever, parse_sets
    from simulation.analysis.sweep import SweepResults, sweep
    from simulation.api import run
    from simulation.engine.run import trace
    from simulation.errors import ScenarioError, SimulationError
    from simulation.results.reader import load_results
    from simulation.results.types import Results
    from simulation.sampling.designs import InputMatrix, sample_inputs
    from simulation.scenario.reader import load_scenario
    from simulation.scenario.run_options import RunOptions
    from simulation.scenario.types import Scenario

__all__ = [
    "Comparison",
    "InputMatrix",
    "Lever",
    "Results",
    "RunOptions",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "SweepResults",
    "compare",
    "load_results",
    "load_scenario",
    "parse_sets",
    "run",
    "sample_inputs",
    "sweep",
    "trace",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "Comparison": "simulation.analysis.compare",
    "InputMatrix": "simulation.sampling.designs",
    "Lever": "simulation.analysis.levers",
    "Results": "simulation.results.types",
    "RunOptions": "simulation.scenario.run_options",
    "Scenario": "simulation.scenario.types",
    "ScenarioError": "simulation.errors",
    "SimulationError": "simulation.errors",
    "SweepResults": "simulation.analysis.sweep",
    "compare": "simulation.analysis.compare",
    "load_results": "simulation.results.reader",
    "load_scenario": "simulation.scenario.reader",
    "parse_sets": "simulation.analysis.levers",
    "run": "simulation.api",
    "sample_inputs": "simulation.sampling.designs",
    "sweep": "simulation.analysis.sweep",
    "trace": "simulation.engine.run",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (and the module's dunder attributes), for ``dir()`` and completion."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
