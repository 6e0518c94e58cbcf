"""Read a TOML scenario file, validate every key in one pass, and build a frozen :class:`Scenario`.

Validation follows *fill defaults → validate → build*: every problem is collected (never only the
first), each message naming the file, the dotted key and what was expected, e.g.
``scenarios/x.toml: staffing.time_to_hire_days: min (40) must be <= mode (30)``. When anything is
wrong a single :class:`~simulation.errors.ScenarioError` carries all messages.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation import schema
from simulation.distributions import Distribution, Fixed, parse_distribution
from simulation.errors import DistributionError, ScenarioError
from simulation.sampling import SAMPLERS
from simulation.scenario_types import Correlation, Risk, Scenario, Target, freeze

#: Largest iteration count a scenario or the command line may ask for.
MAX_ITERATIONS = 2_000_000
#: Longest horizon the monthly series may cover.
MAX_HORIZON_MONTHS = 600

#: Scalar outputs a target may name (the model's contract).
TARGET_METRICS = (
    "cutover_month",
    "extension_months",
    "transition_months",
    "one_off_cost",
    "overlap_cost",
    "disruption_cost",
    "transition_cost",
    "backsourcing_npv",
    "status_quo_npv",
    "npv_savings",
    "breakeven_month",
    "peak_backlog",
    "tickets_breached",
    "sla_breach_weeks",
    "knowledge_lost_domains",
    "hires",
    "leavers",
)


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string '{value[:40]}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


class _Collector:
    """Collects messages prefixed with the file name."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.messages: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.messages.append(f"{self.file}: {key}: {message}" if key else f"{self.file}: {message}")


# pydantic records for the small structured tables ------------------------------------------------


class _CorrelationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    between: list[str] = Field(min_length=2, max_length=2)
    rank: float = Field(ge=-1.0, le=1.0)

    @field_validator("rank", mode="before")
    @classmethod
    def _finite(cls, v: object) -> object:
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v


def _pydantic_messages(err: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "is required"
        out.append((loc, msg))
    return out


# Values -------------------------------------------------------------------------------------------


def _check_bound(
    dist: Distribution, bound: schema.Bound, key: str, unit: str, c: _Collector
) -> None:
    """Check a value's support against the key's bound; one message naming what was expected."""
    lo, hi = dist.support()
    ok, expected = {
        "any": (True, ""),
        "nonneg": (lo >= 0, "must not be negative"),
        "positive": (lo > 0, "must be > 0"),
        "fraction": (lo >= 0 and hi <= 1, "must be within [0, 1]"),
        "rate": (lo > -1, "must be > -1 (a rate of -100% or less is meaningless)"),
    }[bound]
    if ok:
        return
    if dist.is_fixed:
        c.add(key, f"{expected} (got {lo:g}{_unit(unit)})")
    else:
        c.add(key, f"{expected}, but its distribution reaches from {lo:g} to {hi:g}{_unit(unit)}")


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit not in ("fraction", "") else ""


def _numeric(value: object, key: str, c: _Collector) -> Distribution | None:
    try:
        return parse_distribution(value)
    except DistributionError as exc:
        for m in exc.messages:
            c.add(key, m)
    return None


def _plain(spec: schema.KeySpec, value: object, key: str, c: _Collector) -> object:
    """Validate a non-numeric key; return its value or None."""
    if spec.kind == "string":
        if not isinstance(value, str):
            c.add(key, f"must be a text, got {_type_name(value)}")
            return None
        if len(value) > 10_000:
            c.add(key, "is too long (more than 10,000 characters)")
            return None
        return value
    if spec.kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            shown = _type_name(value)
            hint = _suggest(value, spec.choices) if isinstance(value, str) else ""
            c.add(key, f"must be one of {', '.join(spec.choices)}, got {shown}{hint}")
            return None
        return value
    if spec.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        c.add(key, f"must be a date like 2027-01-01, got {_type_name(value)}")
        return None
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            c.add(key, f"must be true or false, got {_type_name(value)}")
            return None
        return value
    raise AssertionError(spec.kind)


def _section(
    name: str,
    table: object,
    c: _Collector,
    inputs: dict[str, Distribution],
    options: dict[str, object],
) -> None:
    specs = schema.section_keys(name)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        c.add(name, f"must be a table ([{name}]), got {_type_name(table)}")
        table = {}
    numeric_section = name in schema.MODEL_SECTIONS
    for key, value in table.items():
        path = f"{name}.{key}"
        spec = specs.get(key) or schema.prefix_spec(name, key)
        if spec is None:
            options_list = list(specs) + [p for s, p, _, _ in schema.PREFIX_KEYS if s == name]
            c.add(path, f"unknown key{_suggest(key, options_list)}")
            continue
        if spec.numeric:
            dist = _numeric(value, path, c)
            if dist is None:
                continue
            if not numeric_section and not dist.is_fixed:
                c.add(path, "must be a plain number (this section's values cannot be uncertain)")
                continue
            _check_bound(dist, spec.bound, path, spec.unit, c)
            if spec.kind == "integer" and dist.is_fixed and not float(dist.mean()).is_integer():
                c.add(path, f"must be a whole number, got {dist.mean():g}")
            if numeric_section:
                inputs[path] = dist
            else:
                options[path] = dist.mean()
        else:
            v = _plain(spec, value, path, c)
            if v is not None:
                options[path] = v
    for key, spec in specs.items():
        path = spec.path
        if key in table:
            continue
        if spec.required:
            unit = f", in {spec.unit}" if spec.unit else ""
            c.add(path, f"is required ({spec.doc}{unit})")
            continue
        if spec.default is None:
            continue
        if spec.numeric and numeric_section:
            inputs[path] = Fixed(float(spec.default))
        else:
            options[path] = spec.default


def _risks(
    entries: object, c: _Collector, inputs: dict[str, Distribution], horizon: float
) -> list[Risk]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        c.add("risks", f"must be a list of [[risks]] tables, got {_type_name(entries)}")
        return []
    risks: list[Risk] = []
    seen: set[str] = set()
    allowed = list(schema.RISK_NUMERIC) + list(schema.RISK_TEXT)
    for i, entry in enumerate(entries):
        where = f"risks[{i}]"
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {_type_name(entry)}")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            c.add(f"{where}.name", "is required: a name of letters, digits and underscores")
            continue
        where = f"risks.{name}"
        if name in seen:
            c.add(where, "is defined twice")
            continue
        seen.add(name)
        for key in entry:
            if key not in allowed:
                c.add(f"{where}.{key}", f"unknown key{_suggest(key, allowed)}")
        modes = [k for k in ("adds_to", "scales", "event") if k in entry]
        if len(modes) != 1:
            c.add(where, "needs exactly one of 'adds_to', 'scales' or 'event'")
            continue
        mode = modes[0]
        target = entry[mode]
        if not isinstance(target, str):
            c.add(f"{where}.{mode}", f"must be a text, got {_type_name(target)}")
            continue
        risk: Risk
        if mode == "event":
            if target not in schema.RISK_EVENTS:
                c.add(
                    f"{where}.event",
                    f"must be one of {', '.join(schema.RISK_EVENTS)}, got '{target}'"
                    f"{_suggest(target, schema.RISK_EVENTS)}",
                )
                continue
            risk = Risk(name=name, kind="event", event=target)
        else:
            spec = schema.BY_PATH.get(target)
            if spec is None and "." in target:
                spec = schema.prefix_spec(*target.split(".", 1))
            if spec is None or not spec.numeric or spec.section not in schema.MODEL_SECTIONS:
                known = [k.path for k in schema.KEYS if k.numeric]
                c.add(
                    f"{where}.{mode}",
                    f"'{target}' is not a numeric model input{_suggest(target, known)}",
                )
                continue
            if "impact" not in entry:
                c.add(f"{where}.impact", f"is required with '{mode}'")
                continue
            risk = Risk(name=name, kind=mode, target=target)  # type: ignore[arg-type]
        desc = entry.get("description", "")
        if isinstance(desc, str):
            risk = Risk(risk.name, risk.kind, risk.target, risk.event, desc)
        # numeric fields
        prob = entry.get("probability")
        if prob is None:
            c.add(f"{where}.probability", "is required (chance the risk occurs, within [0, 1])")
            continue
        if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 <= prob <= 1:
            c.add(f"{where}.probability", f"must be a number within [0, 1], got {prob!r}")
            continue
        p = float(prob)
        inputs[risk.path("occurs")] = (
            Fixed(p) if p in (0.0, 1.0) else parse_distribution({"dist": "bernoulli", "p": p})
        )
        for key, (unit, _doc, bound) in schema.RISK_NUMERIC.items():
            if key in ("probability", "window_start_month", "window_end_month") or key not in entry:
                continue
            dist = _numeric(entry[key], f"{where}.{key}", c)
            if dist is not None:
                _check_bound(dist, bound, f"{where}.{key}", unit, c)
                inputs[risk.path(key)] = dist
        if mode == "event":
            start = entry.get("window_start_month", 0)
            end = entry.get("window_end_month", min(12.0, horizon))
            ok = True
            for key, val in (("window_start_month", start), ("window_end_month", end)):
                if (
                    isinstance(val, bool)
                    or not isinstance(val, int | float)
                    or not (math.isfinite(val) and val >= 0)
                ):
                    c.add(f"{where}.{key}", f"must be a number of months >= 0, got {val!r}")
                    ok = False
            if ok and start > end:
                c.add(
                    where, f"window_start_month ({start:g}) must be <= window_end_month ({end:g})"
                )
                ok = False
            if ok:
                inputs[risk.path("at_month")] = (
                    Fixed(float(start))
                    if start == end
                    else parse_distribution({"dist": "uniform", "low": start, "high": end})
                )
            needed = {
                "staff_loss": "agents",
                "ticket_surge": "extra_tickets_per_day",
                "vendor_walkout": "level",
                "hiring_freeze": "duration_days",
            }[target]
            if needed not in entry:
                c.add(f"{where}.{needed}", f"is required for event '{target}'")
            if target == "ticket_surge" and "duration_days" not in entry:
                c.add(f"{where}.duration_days", "is required for event 'ticket_surge'")
        risks.append(risk)
    return risks


def _correlations(
    entries: object, c: _Collector, inputs: Mapping[str, Distribution]
) -> list[Correlation]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        c.add(
            "correlations", f"must be a list of [[correlations]] tables, got {_type_name(entries)}"
        )
        return []
    out: list[Correlation] = []
    seen: set[frozenset[str]] = set()
    for i, entry in enumerate(entries):
        where = f"correlations[{i}]"
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {_type_name(entry)}")
            continue
        try:
            rec = _CorrelationEntry.model_validate(entry)
        except ValidationError as exc:
            for loc, msg in _pydantic_messages(exc):
                if loc.startswith("rank"):
                    msg = f"must be a number within [-1, 1], got {entry.get('rank')!r}"
                if loc.startswith("between"):
                    loc, msg = "between", 'must list two inputs, e.g. ["a.b", "c.d"]'
                c.add(f"{where}.{loc}", msg)
            continue
        a, b = rec.between
        bad = False
        for name in (a, b):
            dist = inputs.get(name)
            if dist is None:
                c.add(f"{where}.between", f"'{name}' is not an input{_suggest(name, list(inputs))}")
                bad = True
            elif dist.is_fixed:
                c.add(f"{where}.between", f"'{name}' is fixed: only uncertain inputs can correlate")
                bad = True
        if bad:
            continue
        if a == b:
            c.add(f"{where}.between", f"'{a}' cannot be correlated with itself")
            continue
        pair = frozenset((a, b))
        if pair in seen:
            c.add(f"{where}.between", f"the pair {a} ~ {b} is given twice")
            continue
        seen.add(pair)
        out.append(Correlation(a, b, float(rec.rank)))
    return out


def _targets(table: object, c: _Collector) -> list[Target]:
    if table is None:
        return []
    if not isinstance(table, dict):
        c.add("targets", f"must be a table ([targets]), got {_type_name(table)}")
        return []
    out = []
    for metric, value in table.items():
        key = f"targets.{metric}"
        if metric not in TARGET_METRICS:
            c.add(key, f"unknown output{_suggest(metric, TARGET_METRICS)}")
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {"at_most": value}
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or not set(value)
            <= {
                "at_most",
                "at_least",
            }
        ):
            c.add(key, "must be a number (at most) or { at_most = x } or { at_least = x }")
            continue
        ((kind, limit),) = value.items()
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int | float)
            or not math.isfinite(limit)
        ):
            c.add(key, f"{kind} must be a finite number, got {limit!r}")
            continue
        out.append(
            Target(metric, float(limit), None)
            if kind == "at_most"
            else Target(metric, None, float(limit))
        )
    return out


def parse_scenario(data: Mapping[str, Any], file: str, sha256: str = "") -> Scenario:
    """Validate a parsed TOML document and build the :class:`Scenario` (all errors at once)."""
    c = _Collector(file)
    for key in data:
        if key not in schema.TOP_LEVEL:
            c.add(key, f"unknown section{_suggest(key, schema.TOP_LEVEL)}")
    inputs: dict[str, Distribution] = {}
    options: dict[str, object] = {}
    for section in ("scenario", "simulation", *schema.MODEL_SECTIONS[1:]):
        _section(section, data.get(section), c, inputs, options)
    horizon_dist = inputs.get("scenario.horizon_months")
    horizon = horizon_dist.mean() if horizon_dist is not None else 60.0
    if horizon_dist is not None and not horizon_dist.is_fixed:
        c.add("scenario.horizon_months", "must be a plain number (the horizon cannot be uncertain)")
    elif horizon > MAX_HORIZON_MONTHS:
        c.add(
            "scenario.horizon_months",
            f"must be at most {MAX_HORIZON_MONTHS} months, got {horizon:g}",
        )
    risks = _risks(data.get("risks"), c, inputs, horizon)
    correlations = _correlations(data.get("correlations"), c, inputs)
    targets = _targets(data.get("targets"), c)
    iterations = int(float(options.get("simulation.iterations", 1000)))  # type: ignore[arg-type]
    if iterations > MAX_ITERATIONS:
        c.add(
            "simulation.iterations",
            f"must be at most {MAX_ITERATIONS:,} (got {iterations:,})",
        )
    sampler = str(options.get("simulation.sampler", "lhs"))
    if sampler not in SAMPLERS:  # pragma: no cover - guarded by the schema's choices
        c.add("simulation.sampler", f"must be one of {', '.join(SAMPLERS)}")
    seed_opt = options.get("simulation.seed")
    if c.messages:
        raise ScenarioError(c.messages)
    return Scenario(
        path=file,
        sha256=sha256,
        name=str(options.get("scenario.name", Path(file).stem)),
        inputs=freeze(inputs),  # type: ignore[arg-type]
        options=freeze(options),
        risks=tuple(risks),
        correlations=tuple(correlations),
        targets=tuple(targets),
        iterations=iterations,
        seed=None if seed_opt is None else int(float(seed_opt)),  # type: ignore[arg-type]
        sampler=sampler,
        files=(file,),
    )


def read_toml(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read and parse a TOML file; any problem becomes a :class:`ScenarioError` naming the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > 5_000_000:
        raise ScenarioError(f"{path}: is too large for a scenario file ({len(raw):,} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: TOML nesting is too deep") from None
    return data, raw


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and build a scenario; raises :class:`ScenarioError` listing every problem."""
    data, raw = read_toml(path)
    return parse_scenario(data, str(path), hashlib.sha256(raw).hexdigest())
