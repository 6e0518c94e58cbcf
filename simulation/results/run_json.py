"""``run.json`` of a results folder: every key the report reads, with its type and range
(:data:`RUN_KEYS`), checked when the file is read (:func:`read_run`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.errors import SimulationError
from simulation.results.parsing import decode_text

__all__ = [
    "Key",
    "RUN_KEYS",
    "read_run",
]


def _text(v: object) -> bool:
    return isinstance(v, str)


def _whole(low: int) -> Callable[[object], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _object(v: object) -> bool:
    return isinstance(v, dict)


@dataclass(frozen=True)
class Key:
    """One key of ``run.json`` (dotted for nested objects): what it holds, and a test."""

    path: str
    expected: str
    valid: Callable[[object], bool]
    required: bool = False


RUN_KEYS: tuple[Key, ...] = (
    Key("scenario", "an object (path, sha256, name, description)", _object, required=True),
    Key("scenario.path", "text", _text),
    Key("scenario.sha256", "text", _text),
    Key("scenario.name", "text", _text),
    Key("scenario.description", "text", _text),
    Key("seed", "a whole number ≥ 0", _whole(0), required=True),
    Key("iterations", "a whole number ≥ 1", _whole(1), required=True),
    Key("sampler", "text", _text),
    Key("jobs", "a whole number ≥ 1 or null", lambda v: v is None or _whole(1)(v)),
    Key("backend", "text", _text),
    Key("variability", "text", _text),
    Key(
        "versions",
        "an object of text values",
        lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    ),
    Key("started", "text", _text),
    Key("finished", "text", _text),
    Key("wall_seconds", "a finite number ≥ 0", lambda v: _finite(v) and v >= 0),  # type: ignore[operator]
    Key("convergence", "an object (mode, converged, message)", _object, required=True),
    Key("convergence.mode", "text", _text),
    Key("convergence.converged", "true, false or null", lambda v: v is None or v in (True, False)),
    Key("convergence.message", "text", _text),
    Key("currency", "text", _text, required=True),
    Key("horizon_months", "a whole number of months ≥ 1", _whole(1), required=True),
    Key(
        "warnings",
        "a list of text",
        lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        required=True,
    ),
)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _found(value: object) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = json.dumps(value)
        return shown if len(shown) <= 40 else shown[:36] + '..."'
    return _json_type(value) if not isinstance(value, bool) else json.dumps(value)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def read_run(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse ``run.json`` and check every key the report uses (:data:`RUN_KEYS`)."""
    text = decode_text(raw, path, "the JSON object written by simulate run")
    try:
        run = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SimulationError(f"{path}: is not valid JSON ({reason})") from None
    if not isinstance(run, dict):
        raise SimulationError(f"{path}: expected a JSON object, found {_json_type(run)}")
    for key in RUN_KEYS:
        parent, _, name = key.path.rpartition(".")
        holder = run.get(parent) if parent else run
        if not isinstance(holder, dict):
            continue  # the parent's own check names it
        if name not in holder:
            if key.required:
                raise SimulationError(f"{path}: has no '{key.path}' ({key.expected})")
            continue
        if not key.valid(holder[name]):
            raise SimulationError(
                f"{path}: '{key.path}' must be {key.expected}, found {_found(holder[name])}"
            )
    return run
