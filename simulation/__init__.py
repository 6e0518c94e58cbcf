"""Backsourcing risk simulation: a SimPy transition model under a NumPy Monte Carlo layer.

Notebook use::

    from simulation import load_scenario, run
    res = run(load_scenario("scenarios/it_helpdesk.toml"), iterations=2000, seed=1)
    res.summary, res.samples, res.timeseries
    res.save("results/my_run")

Names are imported lazily so that ``import simulation.schema`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RunResults", "Scenario", "ScenarioError", "SimulationError", "load_scenario", "run"]

_WHERE = {
    "run": "simulation.api",
    "RunResults": "simulation.results",
    "Scenario": "simulation.scenario_types",
    "ScenarioError": "simulation.errors",
    "SimulationError": "simulation.errors",
    "load_scenario": "simulation.scenario",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
