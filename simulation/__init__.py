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
``run``              the Monte Carlo run (:class:`RunOptions`) -> :class:`RunResults`
``trace``            re-run one iteration of a run with its event log
``compare``          alternatives on the same futures -> :class:`Comparison`
``sweep``            one or more levers over a grid -> :class:`SweepResults` (``Lever``)
``load_results``     read back a results folder -> :class:`ResultsData`
===================  ==========================================================================

Names are imported lazily, on first use, so that ``import simulation`` (and
``import simulation.schema``) stays cheap: NumPy, SimPy and matplotlib load only when a name
that needs them is used. Type checkers see the real imports in the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulation.api import run
    from simulation.compare import Comparison, compare
    from simulation.engine import trace
    from simulation.errors import ScenarioError, SimulationError
    from simulation.report import ResultsData, load_results
    from simulation.results import RunResults
    from simulation.run_options import RunOptions
    from simulation.sampling import InputMatrix, sample_inputs
    from simulation.scenario import load_scenario
    from simulation.scenario_types import Scenario
    from simulation.sweep import Lever, SweepResults, parse_sets, sweep

__all__ = [
    "Comparison",
    "InputMatrix",
    "Lever",
    "ResultsData",
    "RunOptions",
    "RunResults",
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
    "Comparison": "simulation.compare",
    "InputMatrix": "simulation.sampling",
    "Lever": "simulation.sweep",
    "ResultsData": "simulation.report",
    "RunOptions": "simulation.run_options",
    "RunResults": "simulation.results",
    "Scenario": "simulation.scenario_types",
    "ScenarioError": "simulation.errors",
    "SimulationError": "simulation.errors",
    "SweepResults": "simulation.sweep",
    "compare": "simulation.compare",
    "load_results": "simulation.report",
    "load_scenario": "simulation.scenario",
    "parse_sets": "simulation.sweep",
    "run": "simulation.api",
    "sample_inputs": "simulation.sampling",
    "sweep": "simulation.sweep",
    "trace": "simulation.engine",
}


#: Verbs named like the module that holds them (``simulation.compare.compare``,
#: ``simulation.sweep.sweep``). Importing such a module would make ``simulation.compare`` the
#: module; here it stays the verb. Import from the module itself to reach the rest of it:
#: ``from simulation.compare import Comparison``, ``importlib.import_module("simulation.sweep")``.
_VERBS_NAMED_LIKE_THEIR_MODULE = frozenset({"compare", "sweep"})


class _Package(types.ModuleType):
    """The package module, whose ``compare`` and ``sweep`` stay the verbs (see above)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _VERBS_NAMED_LIKE_THEIR_MODULE and isinstance(value, types.ModuleType):
            return  # the import system binding the submodule: keep the verb (from __getattr__)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (and the module's dunder attributes), for ``dir()`` and completion."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
