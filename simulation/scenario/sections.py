"""Reading each part of a scenario against the schema: the key sections, the named entries of
an array of tables (``[[risks]]``, ``[[waves]]``: :func:`named_entry`), rank correlations,
targets, and the checks of fees and run size. The risk register is
:mod:`simulation.scenario.risks`, the waves :mod:`simulation.scenario.waves`."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation.distributions.families import Distribution, Fixed
from simulation.scenario import schema
from simulation.scenario.checks import check_value, lower_bound
from simulation.scenario.extends import Entry
from simulation.scenario.messages import (
    Collector,
    bytes_text,
    num_text,
    pydantic_messages,
    suggestion,
    type_name,
    value_text,
)
from simulation.scenario.size import per_iteration_bytes
from simulation.scenario.types import Correlation, Risk, Target
from simulation.scenario.values import exact_integer, is_finite_number, read_numeric, read_plain

#: Largest iteration count a scenario or the command line may ask for (see the schema).
MAX_ITERATIONS = schema.MAX_ITERATIONS
#: Longest horizon the monthly series may cover (see the schema).
MAX_HORIZON_MONTHS = schema.MAX_HORIZON_MONTHS
#: Monthly series each iteration keeps (the model's contract), for memory estimates.
_MONTHLY_SERIES = len(schema.SERIES_NAMES)
#: Scalar outputs a target may name (the model's contract; ``stabilised`` is a 0/1 flag).
TARGET_METRICS = tuple(name for name in schema.SCALAR_NAMES if name != "stabilised")

__all__ = [
    "MAX_HORIZON_MONTHS",
    "MAX_ITERATIONS",
    "TARGET_METRICS",
    "named_entry",
]


class _CorrelationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    between: list[str] = Field(min_length=2, max_length=2)
    rank: float = Field(ge=-1.0, le=1.0)

    @field_validator("rank", mode="before")
    @classmethod
    def is_finite_number(cls, v: object) -> object:
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v) if abs(v) < 10**300 else math.inf
        return v


def read_section(
    name: str,
    table: object,
    c: Collector,
    inputs: dict[str, Distribution],
    options: dict[str, object],
) -> None:
    """One key section (``[staffing]``, ``[simulation]`` …) against the schema: each key given
    (unknown ones reported, with a did-you-mean), then the required and default keys not given.
    Numbers of a model section become ``inputs`` (fixed or uncertain); every other value an
    option."""
    specs = schema.section_keys(name)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        c.add(name, f"must be a table ([{name}]), got {type_name(table)}")
        table = {}
    into = inputs if name in schema.MODEL_SECTIONS else None
    for key, value in table.items():
        path = f"{name}.{key}"
        spec = specs.get(key) or schema.prefix_spec(name, key)
        if spec is None:
            options_list = list(specs) + [p for s, p, _, _ in schema.PREFIX_KEYS if s == name]
            c.add(path, f"unknown key{suggestion(key, options_list)}")
        elif spec.numeric:
            _read_number(spec, value, path, into, options, c)
        else:
            v = read_plain(spec, value, path, c)
            if v is not None:
                options[path] = v
    _not_given(specs, table, into, options, c)


def _read_number(
    spec: schema.KeySpec,
    value: object,
    path: str,
    inputs: dict[str, Distribution] | None,
    options: dict[str, object],
    c: Collector,
) -> None:
    """A numeric key's value: into ``inputs`` (a model section's, which may be uncertain), else
    into ``options`` as a plain number (``inputs`` is ``None``), exact for a whole-number key."""
    dist = read_numeric(value, path, c)
    if dist is None:
        return
    if inputs is None and not dist.is_fixed:
        c.add(path, "must be a plain number (this section's values cannot be uncertain)")
        return
    check_value(dist, spec, path, c)
    if inputs is not None:
        inputs[path] = dist
    elif spec.kind == "integer":
        options[path] = exact_integer(value, dist)
    else:
        options[path] = dist.mean()


def _not_given(
    specs: Mapping[str, schema.KeySpec],
    table: Mapping[str, object],
    inputs: dict[str, Distribution] | None,
    options: dict[str, object],
    c: Collector,
) -> None:
    """The section's keys the files do not give: a required one is reported on the extending
    (first) file; one with a default takes it (into ``inputs`` for a model section's number)."""
    for key, spec in specs.items():
        path = spec.path
        if key in table:
            continue
        if spec.required:  # nobody gave it: reported on the extending (first) file
            unit = f", in {spec.unit}" if spec.unit else ""
            c.add(path, f"is required ({spec.doc}{unit})", c.file)
            continue
        if spec.default is None:
            continue
        if spec.numeric and inputs is not None:
            inputs[path] = Fixed(float(spec.default))
        else:
            options[path] = spec.default


def named_entry(
    item: Entry, section: str, keys: tuple[str, ...], seen: set[str], c: Collector
) -> tuple[str, dict[str, Any]] | None:
    """One entry of an array of named tables (``[[risks]]``, ``[[waves]]``): its name and table,
    or ``None`` when it is not a table, has no usable name or repeats one (reported, the entry
    named ``<section>.<name>`` once it has a name); keys not in ``keys`` are reported and the
    entry is still read. ``seen``: the names so far (this one is added). Messages name the
    entry's own file."""
    file, where, entry = item.file, item.label, item.value
    if not isinstance(entry, dict):
        c.add(where, f"must be a table, got {type_name(entry)}", file)
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        c.add(f"{where}.name", "is required: a name of letters, digits and underscores", file)
        return None
    where = f"{section}.{name}"
    if name in seen:
        c.add(where, "is defined twice", file)
        return None
    seen.add(name)
    for key in entry:
        if key not in keys:
            c.add(f"{where}.{key}", f"unknown key{suggestion(key, keys)}", file)
    return name, entry


def read_correlations(
    entries: list[Entry] | None,
    c: Collector,
    inputs: Mapping[str, Distribution],
    invalid: Collection[str] = (),
) -> list[Correlation]:
    """Validate ``[[correlations]]``; inputs in ``invalid`` (given, but with a value already
    reported as wrong) make an entry silently skipped rather than reported twice."""
    out: list[Correlation] = []
    seen: set[frozenset[str]] = set()
    for item in entries or []:
        rec = _correlation_entry(item, c)
        if rec is None:
            continue
        a, b = rec.between
        if a in invalid or b in invalid:
            continue
        problems = _pair_problems(a, b, inputs, seen)
        for problem in problems:
            c.add(f"{item.label}.between", problem, item.file)
        if problems:
            continue
        seen.add(frozenset((a, b)))
        out.append(Correlation(a, b, float(rec.rank)))
    return out


def _correlation_entry(item: Entry, c: Collector) -> _CorrelationEntry | None:
    """One ``[[correlations]]`` entry's form: a table of two inputs ``between`` and a ``rank``
    within [-1, 1]; ``None`` when it is not (reported on the entry's file)."""
    where, entry, file = item.label, item.value, item.file
    if not isinstance(entry, dict):
        c.add(where, f"must be a table, got {type_name(entry)}", file)
        return None
    try:
        return _CorrelationEntry.model_validate(entry)
    except ValidationError as exc:
        for loc, msg in pydantic_messages(exc):
            if loc.startswith("rank"):
                msg = f"must be a number within [-1, 1], got {value_text(entry.get('rank'))}"
            if loc.startswith("between"):
                loc, msg = "between", 'must list two inputs, e.g. ["a.b", "c.d"]'
            c.add(f"{where}.{loc}", msg, file)
        return None


def _pair_problems(
    a: str, b: str, inputs: Mapping[str, Distribution], seen: set[frozenset[str]]
) -> list[str]:
    """Why ``a`` ~ ``b`` cannot correlate (none: it can): each must be an uncertain input, the
    two different, and the pair not given before (``seen``)."""
    problems = []
    for name in (a, b):
        dist = inputs.get(name)
        if dist is None:
            problems.append(f"'{name[:80]}' is not an input{suggestion(name, list(inputs))}")
        elif dist.is_fixed:
            problems.append(f"'{name}' is fixed: only uncertain inputs can correlate")
    if problems:
        return problems
    if a == b:
        return [f"'{a}' cannot be correlated with itself"]
    if frozenset((a, b)) in seen:
        return [f"the pair {a} ~ {b} is given twice"]
    return []


def read_targets(table: object, c: Collector) -> list[Target]:
    if table is None:
        return []
    if not isinstance(table, dict):
        c.add("targets", f"must be a table ([targets]), got {type_name(table)}")
        return []
    out = []
    for metric, value in table.items():
        key = f"targets.{metric}"
        if metric not in TARGET_METRICS:
            c.add(key, f"unknown output{suggestion(metric, TARGET_METRICS)}")
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {"at_most": value}
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or not set(value) <= {"at_most", "at_least"}
        ):
            c.add(key, "must be a number (at most) or { at_most = x } or { at_least = x }")
            continue
        ((kind, limit),) = value.items()
        if not is_finite_number(limit) or abs(limit) > 1e300:
            c.add(key, f"{kind} must be a finite number, got {value_text(limit)}")
            continue
        out.append(
            Target(metric, float(limit), None)
            if kind == "at_most"
            else Target(metric, None, float(limit))
        )
    return out


def fee_checks(
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    risks: Collection[Risk],
    c: Collector,
) -> None:
    """The status-quo keys that depend on each other: a per-ticket fee needs its price and a
    fixed fee must not have one (a price given without ``fee_model = "per_ticket"`` would be
    ignored); a vendor that can miss the SLA needs the lateness of its late tickets. A missing
    key is reported on the extending (first) file, as a missing required key is."""
    per_ticket = options.get("vendor.fee_model", "fixed") == "per_ticket"
    price = "vendor.price_per_ticket"
    if per_ticket and price not in inputs and price not in c.keys:
        c.add(
            price, "is required with vendor.fee_model = 'per_ticket' (currency per ticket)", c.file
        )
    if not per_ticket and price in inputs:
        c.add(
            price,
            "is used only with vendor.fee_model = 'per_ticket' (the fee model is 'fixed': set "
            "fee_model = 'per_ticket' or remove the price)",
        )
    late = "vendor.late_days"
    switching = options.get("incoming.kind", "in_house") == "vendor"
    for key in ("vendor.sla_compliance", "incoming.sla_compliance", "staffing.sla_compliance"):
        if key.startswith("incoming.") and not switching:
            continue
        compliance = inputs.get(key)
        can_be_late = (compliance is not None and lower_bound(compliance) < 1.0) or any(
            r.target == key for r in risks
        )
        if can_be_late and late not in inputs and late not in c.keys:
            c.add(
                late,
                f"is required when {key} can be below 1 (mean working days beyond the SLA of "
                "a late vendor ticket)",
                c.file,
            )


def size_checks(
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    horizon: float,
    n_risks: int,
    c: Collector,
) -> int:
    """Refuse iteration counts and horizons above their limits (schema ``maximum``), stating
    the memory they would take (:func:`simulation.scenario.size.per_iteration_bytes`); return the
    iterations. Whether a run fits the machine's memory is checked when it starts
    (:mod:`simulation.engine.memory`)."""
    iterations = options.get("simulation.iterations", 1000)
    iterations = int(iterations) if isinstance(iterations, int | float) else 1000
    uncertain = sum(1 for d in inputs.values() if not d.is_fixed)
    per_iteration = per_iteration_bytes(min(horizon, 1e9), uncertain, n_risks)
    series = 4 * _MONTHLY_SERIES * min(horizon, 1e9)
    if iterations > MAX_ITERATIONS:
        c.add(
            "simulation.iterations",
            f"must be at most {MAX_ITERATIONS:,} (got {num_text(iterations)}): the results would "
            f"need about {bytes_text(iterations * per_iteration)} of memory",
        )
    if horizon > MAX_HORIZON_MONTHS:
        months = num_text(horizon)
        c.add(
            "scenario.horizon_months",
            f"must be at most {MAX_HORIZON_MONTHS} months ({MAX_HORIZON_MONTHS // 12} years), got "
            f"{months}: every iteration keeps {_MONTHLY_SERIES} monthly series (about "
            f"{bytes_text(series)} per iteration, "
            f"{bytes_text(series * min(iterations, MAX_ITERATIONS))} for "
            f"{min(iterations, MAX_ITERATIONS):,} iterations) and steps through every working "
            "day of the horizon",
        )
    return iterations
