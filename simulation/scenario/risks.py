"""The risk register of a scenario (``[[risks]]``): each risk's probability, impact or event with
its fields, and the window it may strike in, relative to start, notice or cutover."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulation.distributions.families import Distribution, Fixed
from simulation.distributions.parsing import parse_distribution
from simulation.scenario import schema
from simulation.scenario.checks import Shocked, check_shocks, check_value
from simulation.scenario.extends import Entry
from simulation.scenario.messages import (
    Collector,
    num_text,
    suggestion,
    type_name,
)
from simulation.scenario.types import Risk
from simulation.scenario.values import is_finite_number, read_numeric

__all__ = [
    "RELATIVE_TO",
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


def _risk(
    item: Entry,
    c: Collector,
    inputs: dict[str, Distribution],
    horizon: float,
    seen: set[str],
) -> Risk | None:
    """Validate one ``[[risks]]`` entry; add its inputs; messages name the entry's own file."""
    allowed = list(schema.RISK_NUMERIC) + list(schema.RISK_TEXT)
    file, where, entry = item.file, item.label, item.value
    if not isinstance(entry, dict):
        c.add(where, f"must be a table, got {type_name(entry)}", file)
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        c.add(f"{where}.name", "is required: a name of letters, digits and underscores", file)
        return None
    where = f"risks.{name}"
    if name in seen:
        c.add(where, "is defined twice", file)
        return None
    seen.add(name)
    for key in entry:
        if key not in allowed:
            c.add(f"{where}.{key}", f"unknown key{suggestion(key, allowed)}", file)
    modes = [k for k in ("adds_to", "scales", "event") if k in entry]
    if len(modes) != 1:
        c.add(where, "needs exactly one of 'adds_to', 'scales' or 'event'", file)
        return None
    mode = modes[0]
    target = entry[mode]
    if not isinstance(target, str):
        c.add(f"{where}.{mode}", f"must be a text, got {type_name(target)}", file)
        return None
    risk: Risk
    if mode == "event":
        if target not in schema.RISK_EVENTS:
            c.add(
                f"{where}.event",
                f"must be one of {', '.join(schema.RISK_EVENTS)}, got '{target[:40]}'"
                f"{suggestion(target, schema.RISK_EVENTS)}",
                file,
            )
            return None
        risk = Risk(name=name, kind="event", event=target)
    else:
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
        risk = Risk(name=name, kind=mode, target=target)  # type: ignore[arg-type]
    desc = entry.get("description", "")
    if isinstance(desc, str):
        risk = Risk(risk.name, risk.kind, risk.target, risk.event, desc)
    relative = _relative_to(entry, where, mode, target, c, file)
    if relative is None:
        return None
    if relative != "start":
        risk = Risk(risk.name, risk.kind, risk.target, risk.event, risk.description, relative)
    prob = entry.get("probability")
    if prob is None:
        c.add(f"{where}.probability", "is required (chance the risk occurs, within [0, 1])", file)
        return None
    if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 <= prob <= 1:
        shown = num_text(prob) if isinstance(prob, int | float) else type_name(prob)
        c.add(f"{where}.probability", f"must be a number within [0, 1], got {shown}", file)
        return None
    p = float(prob)
    inputs[risk.path("occurs")] = (
        Fixed(p) if p in (0.0, 1.0) else parse_distribution({"dist": "bernoulli", "p": p})
    )
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
    if mode == "event":
        _event_fields(entry, where, target, risk, horizon, inputs, c, file)
    return risk


#: The milestones a timed event's window may count from.
RELATIVE_TO = ("start", "notice", "cutover")


def _relative_to(
    entry: Mapping[str, Any], where: str, mode: str, target: str, c: Collector, file: str
) -> str | None:
    """The milestone an event's window counts from (``start`` when not given); None when the
    entry's value is refused (reported). ``target``: the event, or the key a shock changes."""
    value = entry.get("window_relative_to", "start")
    key = f"{where}.window_relative_to"
    if mode != "event":
        if "window_relative_to" in entry:
            c.add(
                key,
                f"only a timed event has a window; a risk that "
                f"{'adds to' if mode == 'adds_to' else 'scales'} {target} does so for the whole "
                "run (remove window_relative_to)",
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
    if value == "cutover" and target == "vendor_walkout":
        c.add(
            key,
            "a vendor walkout cannot be timed from cutover: the vendor has left by then (use "
            "start or notice)",
            file,
        )
        return None
    if value == "cutover" and target == "vendor_failure":
        c.add(
            key,
            "a vendor failure cannot be timed from cutover: the vendor has left by then (use "
            "start or notice)",
            file,
        )
        return None
    return value


def _event_fields(
    entry: Mapping[str, Any],
    where: str,
    event: str,
    risk: Risk,
    horizon: float,
    inputs: dict[str, Distribution],
    c: Collector,
    file: str,
) -> None:
    """Timing window (months) and the required fields of a timed event."""
    start = entry.get("window_start_month", 0)
    end = entry.get("window_end_month", min(12.0, horizon))
    ok = True
    for key, val in (("window_start_month", start), ("window_end_month", end)):
        if not (is_finite_number(val) and 0 <= val <= schema.LONG_MONTHS):
            shown = num_text(val) if isinstance(val, int | float) else type_name(val)
            c.add(
                f"{where}.{key}",
                f"must be a number of months within [0, {schema.LONG_MONTHS}], got {shown}",
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
    needed = {
        "staff_loss": "agents",
        "ticket_surge": "extra_tickets_per_day",
        "vendor_walkout": "level",
        "hiring_freeze": "duration_days",
        "vendor_failure": None,  # the event itself is all: the vendor exits at short notice
    }[event]
    if needed is not None and needed not in entry:
        c.add(f"{where}.{needed}", f"is required for event '{event}'", file)
    if event == "ticket_surge" and "duration_days" not in entry:
        c.add(f"{where}.duration_days", "is required for event 'ticket_surge'", file)
