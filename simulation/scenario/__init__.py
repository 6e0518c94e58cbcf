"""The scenario stage: what a scenario may say and what a run writes, read from TOML.

Owns the scenario keys (``schema``: kind, default, unit, bounds, meaning; the tables in
``keys/``, one module per group of sections, written with ``keyspec``), the outputs table
(``outputs``; its rows in ``output_groups/``, one module per group of outputs, each an
``outputspec.Output``), the frozen :class:`Scenario` and its parts (``types``), reading and
checking a TOML file (``reader``, with ``extends``, ``sections``, ``waves``, ``risks``,
``checks``, ``values``, ``cross_checks`` and ``messages``), the run settings
(``run_options``), the size of one iteration (``size``) and commented starter scenarios
(``starter``). Imports only :mod:`simulation.distributions` and the base modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.scenario.outputs import KEY_OUTPUTS, OUTPUTS, SCALAR_NAMES, metric_info
    from simulation.scenario.outputspec import Output
    from simulation.scenario.reader import (
        check_inputs,
        load_scenario,
        parse_scenario,
        value_problems,
    )
    from simulation.scenario.run_options import BACKENDS, SAMPLERS, RunOptions
    from simulation.scenario.schema import BY_PATH, KEYS, KeySpec
    from simulation.scenario.size import per_iteration_bytes, size_text
    from simulation.scenario.starter import starter_text, write_starter
    from simulation.scenario.types import Correlation, Risk, Scenario, Target, Wave

__all__ = [
    "BACKENDS",
    "BY_PATH",
    "Correlation",
    "KEYS",
    "KEY_OUTPUTS",
    "KeySpec",
    "OUTPUTS",
    "Output",
    "Risk",
    "RunOptions",
    "SAMPLERS",
    "SCALAR_NAMES",
    "Scenario",
    "Target",
    "Wave",
    "check_inputs",
    "load_scenario",
    "metric_info",
    "parse_scenario",
    "per_iteration_bytes",
    "size_text",
    "starter_text",
    "value_problems",
    "write_starter",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "BACKENDS": "run_options",
    "BY_PATH": "schema",
    "Correlation": "types",
    "KEYS": "schema",
    "KEY_OUTPUTS": "outputs",
    "KeySpec": "schema",
    "OUTPUTS": "outputs",
    "Output": "outputspec",
    "Risk": "types",
    "RunOptions": "run_options",
    "SAMPLERS": "run_options",
    "SCALAR_NAMES": "outputs",
    "Scenario": "types",
    "Target": "types",
    "Wave": "types",
    "check_inputs": "reader",
    "load_scenario": "reader",
    "metric_info": "outputs",
    "parse_scenario": "reader",
    "per_iteration_bytes": "size",
    "size_text": "size",
    "starter_text": "starter",
    "value_problems": "reader",
    "write_starter": "starter",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
