"""Reading each part of a scenario against the schema: the key sections, the risk register
(events, windows relative to start, notice or cutover), waves, rank correlations, targets,
and the checks of fees and run size."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation.distributions.families import Distribution, Fixed
from simulation.scenario import schema
from simulation.scenario.checks import check_value, lower_bound, upper_bound
from simulation.scenario.extends import Entry
from simulation.scenario.messages import (
    Collector,
    bytes_text,
    num_text,
    pydantic_messages,
    suggestion,
    type_name,
)
from simulation.scenario.size import per_iteration_bytes
from simulation.scenario.types import Correlation, Risk, Target, Wave
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
    "WAVE_KEYS",
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
    specs = schema.section_keys(name)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        c.add(name, f"must be a table ([{name}]), got {type_name(table)}")
        table = {}
    numeric_section = name in schema.MODEL_SECTIONS
    for key, value in table.items():
        path = f"{name}.{key}"
        spec = specs.get(key) or schema.prefix_spec(name, key)
        if spec is None:
            options_list = list(specs) + [p for s, p, _, _ in schema.PREFIX_KEYS if s == name]
            c.add(path, f"unknown key{suggestion(key, options_list)}")
            continue
        if spec.numeric:
            dist = read_numeric(value, path, c)
            if dist is None:
                continue
            if not numeric_section and not dist.is_fixed:
                c.add(path, "must be a plain number (this section's values cannot be uncertain)")
                continue
            check_value(dist, spec, path, c)
            if numeric_section:
                inputs[path] = dist
            elif spec.kind == "integer":
                options[path] = exact_integer(value, dist)
            else:
                options[path] = dist.mean()
        else:
            v = read_plain(spec, value, path, c)
            if v is not None:
                options[path] = v
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
        if spec.numeric and numeric_section:
            inputs[path] = Fixed(float(spec.default))
        else:
            options[path] = spec.default


#: Keys of one ``[[waves]]`` entry.
WAVE_KEYS = ("name", "share", "earliest_month", "description")


def read_waves(
    entries: list[Entry] | None,
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    horizon: float,
    c: Collector,
) -> tuple[Wave, ...]:
    """Validate ``[[waves]]`` against ``policy.strategy``: the waves of a ``"waves"`` strategy,
    in order, their shares summing to at most 1 (the rest stays with the vendor); none under
    any other strategy."""
    strategy = options.get("policy.strategy", "big_bang")
    if strategy != "waves":
        if entries:
            c.add(
                "waves",
                f"[[waves]] are read only under policy.strategy = 'waves' (it is '{strategy}')",
                entries[0].file,
            )
        retained = inputs.get("policy.retained_share")
        if retained is not None and strategy != "selective" and upper_bound(retained) > 0.0:
            c.add("policy.retained_share", "is read only under policy.strategy = 'selective'")
        elif retained is not None and strategy == "selective" and upper_bound(retained) >= 1.0:
            c.add(
                "policy.retained_share",
                "must be < 1 (a part must be taken back; to keep everything use strategy 'stay')",
            )
        elif retained is not None and strategy == "selective" and lower_bound(retained) > 0.0:
            agents = inputs.get("vendor.agents")
            n = round(lower_bound(agents)) if agents is not None else 0
            low = lower_bound(retained)
            kept = n - math.floor(n * (1.0 - low) + 0.5)
            if n > 0 and kept < 1:
                c.add(
                    "policy.retained_share",
                    f"keeps no vendor agent: {low:g} of the vendor's {n} agents rounds to 0, "
                    "so the part kept would be paid for and served by nobody (use at least "
                    f"{0.5 / n:.2g}, or strategy 'big_bang')",
                )
        return ()
    if not entries:
        c.add("waves", "policy.strategy = 'waves' needs at least one [[waves]] table")
        return ()
    waves: list[Wave] = []
    seen: set[str] = set()
    for item in entries:
        file, where, entry = item.file, item.label, item.value
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {type_name(entry)}", file)
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            c.add(f"{where}.name", "is required: a name of letters, digits and underscores", file)
            continue
        where = f"waves.{name}"
        if name in seen:
            c.add(where, "is defined twice", file)
            continue
        seen.add(name)
        for key in entry:
            if key not in WAVE_KEYS:
                c.add(f"{where}.{key}", f"unknown key{suggestion(key, WAVE_KEYS)}", file)
        share = entry.get("share")
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
            shown = num_text(share) if isinstance(share, int | float) else type_name(share)
            c.add(
                f"{where}.share",
                f"is required: the wave's share of demand and domains, within (0, 1], got {shown}",
                file,
            )
            continue
        month = entry.get("earliest_month", 0)
        if (
            not isinstance(month, int | float)
            or isinstance(month, bool)
            or not 0 <= month <= horizon
        ):
            shown = num_text(month) if isinstance(month, int | float) else type_name(month)
            c.add(
                f"{where}.earliest_month",
                f"must be a month within [0, {horizon:g}] (the horizon), got {shown}",
                file,
            )
            continue
        if waves and month < waves[-1].earliest_month:
            c.add(
                f"{where}.earliest_month",
                f"waves cut over one after another: {month:g} is before the earliest month of "
                f"the wave before it ({waves[-1].earliest_month:g})",
                file,
            )
            continue
        waves.append(Wave(name, float(share), float(month)))
    total = sum(w.share for w in waves)
    if total > 1.0 + 1e-9:
        shares = " + ".join(f"{w.share:g}" for w in waves)
        c.add(
            "waves",
            f"the waves' shares must sum to at most 1 (the rest stays with the vendor), got "
            f"{shares} = {total:g}",
        )
    return tuple(waves)


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
        where, entry, file = item.label, item.value, item.file
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {type_name(entry)}", file)
            continue
        try:
            rec = _CorrelationEntry.model_validate(entry)
        except ValidationError as exc:
            for loc, msg in pydantic_messages(exc):
                if loc.startswith("rank"):
                    rank = entry.get("rank")
                    shown = num_text(rank) if isinstance(rank, int | float) else type_name(rank)
                    msg = f"must be a number within [-1, 1], got {shown}"
                if loc.startswith("between"):
                    loc, msg = "between", 'must list two inputs, e.g. ["a.b", "c.d"]'
                c.add(f"{where}.{loc}", msg, file)
            continue
        a, b = rec.between
        if a in invalid or b in invalid:
            continue
        bad = False
        for name in (a, b):
            dist = inputs.get(name)
            if dist is None:
                c.add(
                    f"{where}.between",
                    f"'{name[:80]}' is not an input{suggestion(name, list(inputs))}",
                    file,
                )
                bad = True
            elif dist.is_fixed:
                c.add(
                    f"{where}.between",
                    f"'{name}' is fixed: only uncertain inputs can correlate",
                    file,
                )
                bad = True
        if bad:
            continue
        if a == b:
            c.add(f"{where}.between", f"'{a}' cannot be correlated with itself", file)
            continue
        pair = frozenset((a, b))
        if pair in seen:
            c.add(f"{where}.between", f"the pair {a} ~ {b} is given twice", file)
            continue
        seen.add(pair)
        out.append(Correlation(a, b, float(rec.rank)))
    return out


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
            shown = num_text(limit) if isinstance(limit, int | float) else type_name(limit)
            c.add(key, f"{kind} must be a finite number, got {shown}")
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
