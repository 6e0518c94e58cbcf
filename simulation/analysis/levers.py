"""The levers of a sweep (:mod:`simulation.analysis.sweep`): parsing ``--set KEY=VALUES``
against a scenario, the grid of settings, and a setting applied to the frozen scenario.

A lever is a scenario key set with ``--set KEY=VALUES``:

* ``a:b:step`` — a numeric range from ``a`` in steps of ``step`` (> 0), including ``b`` when it
  falls on the grid (``18:30:4`` → 18, 22, 26, 30; ``18:29:4`` → 18, 22, 26);
* ``a,b,c`` — a list of numbers, or of options for a choice key
  (``policy.cutover=readiness,fixed``);
* a single value.

Several ``--set`` give the full grid (every combination, the first key varying slowest). Each
setting replaces the key's distribution by a fixed value (or, for a choice key, the option) with
``dataclasses.replace`` on the frozen :class:`Scenario` — the TOML text is never edited. A
correlation that names a swept key is dropped (the key is no longer uncertain).
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from simulation.distributions.families import Distribution, Fixed
from simulation.errors import SimulationError
from simulation.scenario import schema
from simulation.scenario.reader import value_problems
from simulation.scenario.types import Scenario

Value = float | str

#: Most settings one sweep may run (the full grid).
MAX_SETTINGS = 400

#: Choice keys that may be swept (the model's options).
CHOICE_KEYS: tuple[str, ...] = ("policy.cutover", "simulation.variability")

# Parsing --set ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """One swept key: its dotted path and the values to run (numbers in the key's units, or
    option names for a choice key)."""

    path: str
    values: tuple[Value, ...]

    @property
    def is_choice(self) -> bool:
        return self.path in CHOICE_KEYS


def sweepable_keys(scenario: Scenario) -> list[str]:
    """Every key a sweep may set: the scenario's numeric inputs and the choice keys."""
    return [*scenario.inputs, *CHOICE_KEYS]


def _number(text: str, path: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SimulationError(f"--set {path}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise SimulationError(f"--set {path}: '{text}' is not a finite number")
    return value


def parse_range(spec: str, path: str) -> list[float]:
    """``a:b:step`` → a, a + step, … up to b (inclusive when b falls on the grid)."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise SimulationError(f"--set {path}: a range is start:end:step, got '{spec}'")
    a, b, step = (_number(p.strip(), path) for p in parts)
    if step <= 0 or a > b:
        raise SimulationError(f"--set {path}: range '{spec}' needs start <= end and a step > 0")
    count = math.floor((b - a) / step + 1e-9) + 1
    if count > MAX_SETTINGS:
        raise SimulationError(
            f"--set {path}: range '{spec}' has {count:,} values; at most {MAX_SETTINGS}"
        )
    return [float(np.round(a + k * step, 12)) for k in range(count)]


def _check_number(path: str, value: float) -> None:
    """A swept value against its key's bound, maximum and kind: the checks a value in the
    scenario file passes (:func:`simulation.scenario.reader.value_problems`)."""
    problems = value_problems(path, Fixed(value))
    if problems:
        raise SimulationError(f"--set {path}={value_text(value)}: {problems[0]}")


def parse_set(text: str, scenario: Scenario) -> Lever:
    """Parse one ``--set KEY=VALUES`` against the scenario; raises :class:`SimulationError` with
    one message naming the key (unknown key with a did-you-mean, bad value, out of bounds)."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise SimulationError(
            f"--set '{text}': expected KEY=VALUES, e.g. staffing.target_agents=18:30:2"
        )
    if path in CHOICE_KEYS:
        return Lever(path, tuple(_choices(path, spec)))
    known = schema.input_spec(path)
    if known is None or (path not in scenario.inputs and not path.startswith("costs.")):
        close = difflib.get_close_matches(path, sweepable_keys(scenario), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SimulationError(f"--set {path}: unknown key{hint}")
    if ":" in spec:
        values = parse_range(spec, path)
    else:
        values = [_number(item.strip(), path) for item in spec.split(",")]
    for v in values:
        _check_number(path, v)
    return Lever(path, tuple(dict.fromkeys(values)))


def _choices(path: str, spec: str) -> list[str]:
    options = schema.BY_PATH[path].choices
    values = [item.strip() for item in spec.split(",")]
    for v in values:
        if v not in options:
            close = difflib.get_close_matches(v, options, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SimulationError(
                f"--set {path}: must be one of {', '.join(options)}, got '{v}'{hint}"
            )
    return list(dict.fromkeys(values))


def parse_sets(texts: Sequence[str], scenario: Scenario) -> list[Lever]:
    """Parse every ``--set``; a key given twice or a grid above :data:`MAX_SETTINGS` is an
    error."""
    if not texts:
        raise SimulationError("give at least one --set KEY=VALUES")
    levers = [parse_set(t, scenario) for t in texts]
    seen: set[str] = set()
    for lever in levers:
        if lever.path in seen:
            raise SimulationError(f"--set {lever.path}: given twice")
        seen.add(lever.path)
    size = math.prod(len(lever.values) for lever in levers)
    if size > MAX_SETTINGS:
        raise SimulationError(f"--set: the grid has {size:,} settings; at most {MAX_SETTINGS}")
    return levers


def grid(levers: Sequence[Lever]) -> list[dict[str, Value]]:
    """Every combination of the levers' values (the first lever varying slowest)."""
    return [
        dict(zip([lv.path for lv in levers], combo, strict=True))
        for combo in itertools.product(*(lv.values for lv in levers))
    ]


def apply_setting(scenario: Scenario, setting: Mapping[str, Value]) -> Scenario:
    """The scenario with each key of ``setting`` fixed at its value (numeric keys) or set to its
    option (choice keys); correlations naming a fixed key are dropped."""
    inputs: dict[str, Distribution] = dict(scenario.inputs)
    options: dict[str, object] = dict(scenario.options)
    for path, value in setting.items():
        if path in CHOICE_KEYS:
            options[path] = str(value)
        else:
            inputs[path] = Fixed(float(value))
    correlations = tuple(
        c for c in scenario.correlations if c.a not in setting and c.b not in setting
    )
    return dataclasses.replace(
        scenario,
        inputs=MappingProxyType(inputs),
        options=MappingProxyType(options),
        correlations=correlations,
    )


def setting_text(setting: Mapping[str, Value]) -> str:
    """A setting as ``key=value, key=value`` (the ``--set`` it came from)."""
    return ", ".join(f"{k}={value_text(v)}" for k, v in setting.items())


def value_text(v: Value) -> str:
    """A lever's value as typed: an option name, or a number in its shortest form."""
    return v if isinstance(v, str) else f"{v:g}"


__all__ = [
    "CHOICE_KEYS",
    "MAX_SETTINGS",
    "Lever",
    "Value",
    "apply_setting",
    "grid",
    "parse_range",
    "parse_set",
    "parse_sets",
    "setting_text",
    "sweepable_keys",
    "value_text",
]
