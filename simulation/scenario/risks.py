"""The risk register of a scenario (``[[risks]]``): each risk's probability, impact or event with
its fields, and the window it may strike in, relative to start, notice or cutover."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from simulation.distributions.families import Distribution, Fixed
from simulation.distributions.parsing import parse_distribution
from simulation.scenario import schema
from simulation.scenario.checks import Shocked, check_shocks, check_value
from simulation.scenario.extends import Entry
from simulation.scenario.messages import Collector, suggestion, type_name, value_text
from simulation.scenario.sections import named_entry
from simulation.scenario.types import Risk
from simulation.scenario.values import is_finite_number, read_numeric

__all__ = [
    "RELATIVE_TO",
    "RISK_KEYS",
    "read_risks",
]


def read_risks(
    entries: list[Entry] | None,
    c: Collector,
    inputs: dict[str, Distribution],
    horizon: float,
) -> tuple[list[Risk], Shocked]:
    """Validate the risk register, then every parameter shock against its key's limits; returns
    the risks and the range of each shocked key (:func:`check_shocks`)."""
    risks: list[Risk] = []
    seen: set[str] = set()
    files: dict[str, str] = {}
    for entry in entries or []:
        risk = _risk(entry, c, inputs, horizon, seen)
        if risk is not None:
            risks.append(risk)
            files[risk.name] = entry.file
    shocked = check_shocks(risks, inputs, c, files)
    return risks, shocked


#: The keys a ``[[risks]]`` entry may have: its numeric fields, then its text fields.
RISK_KEYS: tuple[str, ...] = (*schema.RISK_NUMERIC, *schema.RISK_TEXT)

#: The keys that say what a risk does: one of them, exactly.
_MODES = ("adds_to", "scales", "event")


def _risk(
    item: Entry,
    c: Collector,
    inputs: dict[str, Distribution],
    horizon: float,
    seen: set[str],
) -> Risk | None:
    """Validate one ``[[risks]]`` entry; add its inputs; messages name the entry's own file."""
    found = named_entry(item, "risks", RISK_KEYS, seen, c)
    if found is None:
        return None
    name, entry = found
    file = item.file
    risk = _what_it_does(name, entry, c, file)
    if risk is None:
        return None
    desc = entry.get("description", "")
    if isinstance(desc, str):
        risk = replace(risk, description=desc)
    relative = _relative_to(entry, risk, c, file)
    if relative is None:
        return None
    risk = replace(risk, relative_to=relative)
    p = _probability(entry, risk, c, file)
    if p is None:
        return None
    inputs[risk.path("occurs")] = (
        Fixed(p) if p in (0.0, 1.0) else parse_distribution({"dist": "bernoulli", "p": p})
    )
    _numeric_fields(entry, risk, inputs, c, file)
    if risk.kind == "event":
        _event_window(entry, risk, horizon, inputs, c, file)
        _event_needs(entry, risk, c, file)
    return risk


def _what_it_does(name: str, entry: Mapping[str, Any], c: Collector, file: str) -> Risk | None:
    """The risk's one mode: a timed ``event`` of the catalogue, or a shock that ``adds_to`` or
    ``scales`` a numeric model input; ``None`` when refused (reported)."""
    where = f"risks.{name}"
    modes = [k for k in _MODES if k in entry]
    if len(modes) != 1:
        c.add(where, "needs exactly one of 'adds_to', 'scales' or 'event'", file)
        return None
    mode = modes[0]
    target = entry[mode]
    if not isinstance(target, str):
        c.add(f"{where}.{mode}", f"must be a text, got {type_name(target)}", file)
        return None
    if mode == "event":
        if target not in schema.RISK_EVENTS:
            c.add(
                f"{where}.event",
                f"must be one of {', '.join(schema.RISK_EVENTS)}, got '{target[:40]}'"
                f"{suggestion(target, schema.RISK_EVENTS)}",
                file,
            )
            return None
        return Risk(name=name, kind="event", event=target)
    return _shock(name, mode, target, entry, c, file)


def _shock(
    name: str, mode: str, target: str, entry: Mapping[str, Any], c: Collector, file: str
) -> Risk | None:
    """A risk that ``adds_to`` or ``scales`` (``mode``) the model input ``target`` by its
    ``impact``: the input must be numeric, of a model section, and not structural."""
    where = f"risks.{name}"
    spec = schema.BY_PATH.get(target)
    if spec is None and "." in target:
        spec = schema.prefix_spec(*target.split(".", 1))
    if spec is None or not spec.numeric or spec.section not in schema.MODEL_SECTIONS:
        known = [k.path for k in schema.KEYS if k.numeric]
        c.add(
            f"{where}.{mode}",
            f"'{target[:80]}' is not a numeric model input{suggestion(target, known)}",
            file,
        )
        return None
    if spec.structural:
        verb = "add to" if mode == "adds_to" else "scale"
        c.add(f"{where}.{mode}", f"a risk cannot {verb} {target}: {spec.structural}", file)
        return None
    if "impact" not in entry:
        c.add(f"{where}.impact", f"is required with '{mode}'", file)
        return None
    return Risk(name=name, kind=mode, target=target)  # type: ignore[arg-type]


def _probability(entry: Mapping[str, Any], risk: Risk, c: Collector, file: str) -> float | None:
    """The chance the risk occurs in one iteration, a number within [0, 1] (required)."""
    key = f"risks.{risk.name}.probability"
    prob = entry.get("probability")
    if prob is None:
        c.add(key, "is required (chance the risk occurs, within [0, 1])", file)
        return None
    if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 <= prob <= 1:
        c.add(key, f"must be a number within [0, 1], got {value_text(prob)}", file)
        return None
    return float(prob)


def _numeric_fields(
    entry: Mapping[str, Any],
    risk: Risk,
    inputs: dict[str, Distribution],
    c: Collector,
    file: str,
) -> None:
    """The risk's numeric fields given (impact and an event's fields, each a number or a
    distribution) as its inputs ``risks.<name>.<field>``; every message names the entry's file."""
    where = f"risks.{risk.name}"
    sub = Collector(file)
    for key, field_spec in schema.RISK_FIELDS.items():
        if key in ("probability", "window_start_month", "window_end_month") or key not in entry:
            continue
        dist = read_numeric(entry[key], f"{where}.{key}", sub)
        if dist is not None:
            check_value(dist, field_spec, f"{where}.{key}", sub)
            inputs[risk.path(key)] = dist
    c.messages.extend(sub.messages)
    c.keys |= sub.keys


#: The milestones a timed event's window may count from.
RELATIVE_TO = ("start", "notice", "cutover")


def _relative_to(entry: Mapping[str, Any], risk: Risk, c: Collector, file: str) -> str | None:
    """The milestone an event's window counts from (``start`` when not given); None when the
    entry's value is refused (reported). A shock has no window."""
    value = entry.get("window_relative_to", "start")
    key = f"risks.{risk.name}.window_relative_to"
    if risk.kind != "event":
        if "window_relative_to" in entry:
            c.add(
                key,
                f"only a timed event has a window; a risk that "
                f"{'adds to' if risk.kind == 'adds_to' else 'scales'} {risk.target} does so for "
                "the whole run (remove window_relative_to)",
                file,
            )
            return None
        return "start"
    if not isinstance(value, str) or value not in RELATIVE_TO:
        shown = type_name(value)
        hint = suggestion(value, RELATIVE_TO) if isinstance(value, str) else ""
        c.add(
            key,
            f"must be one of {', '.join(RELATIVE_TO)} (the milestone the window's months count "
            f"from), got {shown}{hint}",
            file,
        )
        return None
    gone = {"vendor_walkout": "a vendor walkout", "vendor_failure": "a vendor failure"}
    if value == "cutover" and risk.event in gone:
        c.add(
            key,
            f"{gone[risk.event]} cannot be timed from cutover: the vendor has left by then (use "
            "start or notice)",
            file,
        )
        return None
    return value


def _event_window(
    entry: Mapping[str, Any],
    risk: Risk,
    horizon: float,
    inputs: dict[str, Distribution],
    c: Collector,
    file: str,
) -> None:
    """An event's timing window (months from its milestone), as its input ``at_month``."""
    where = f"risks.{risk.name}"
    start = entry.get("window_start_month", 0)
    end = entry.get("window_end_month", min(12.0, horizon))
    ok = True
    for key, val in (("window_start_month", start), ("window_end_month", end)):
        if not (is_finite_number(val) and 0 <= val <= schema.LONG_MONTHS):
            c.add(
                f"{where}.{key}",
                f"must be a number of months within [0, {schema.LONG_MONTHS}], got "
                f"{value_text(val)}",
                file,
            )
            ok = False
    if ok and start > end:
        c.add(
            where,
            f"window_start_month ({start:g}) must be <= window_end_month ({end:g})",
            file,
        )
        ok = False
    if ok:
        inputs[risk.path("at_month")] = (
            Fixed(float(start))
            if start == end
            else parse_distribution({"dist": "uniform", "low": start, "high": end})
        )


#: The field each event needs (``None``: the event itself is all, the vendor exits at short
#: notice).
_EVENT_NEEDS: dict[str, str | None] = {
    "staff_loss": "agents",
    "ticket_surge": "extra_tickets_per_day",
    "vendor_walkout": "level",
    "hiring_freeze": "duration_days",
    "vendor_failure": None,
}


def _event_needs(entry: Mapping[str, Any], risk: Risk, c: Collector, file: str) -> None:
    """The fields a timed event requires (a ticket surge also its duration)."""
    assert risk.event is not None
    where, event = f"risks.{risk.name}", risk.event
    needed = _EVENT_NEEDS[event]
    if needed is not None and needed not in entry:
        c.add(f"{where}.{needed}", f"is required for event '{event}'", file)
    if event == "ticket_surge" and "duration_days" not in entry:
        c.add(f"{where}.duration_days", "is required for event 'ticket_surge'", file)
