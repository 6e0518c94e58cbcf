"""Commented starter scenarios for ``simulate new``.

Two kinds of starter file:

* :func:`starter_text` — every section with every key of :mod:`simulation.scenario.schema` at its
default,
  each with its unit and meaning as a comment and an ``assumption`` marker, so a modeller replaces
  the values one by one with sourced figures. Required keys that have no default get a placeholder
  value (see :data:`PLACEHOLDERS`) so that the file validates as written.
* :func:`like_text` — a small file that ``extends`` an existing scenario, with every key of the
  base shown as a commented example of an override.

:func:`write_starter` checks the name (a plain file name, never a path) and writes the file
without overwriting an existing one unless asked to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.scenario import schema

#: The marker put next to every value a modeller must replace.
MARKER = "assumption: replace with a sourced figure"

#: Values for required keys that have no default, so that a starter file validates as written.
#: They describe a small service desk (see scenarios/minimal.toml) and are placeholders only.
PLACEHOLDERS: dict[str, float | int] = {
    "vendor.agents": 4,
    "vendor.tickets_per_agent_day": 10,
    "vendor.monthly_fee": 20000,
    "demand.tickets_per_day": 30,
    "staffing.target_agents": 4,
    "staffing.tickets_per_agent_day": 10,
    "staffing.salary_per_year": 50000,
}

#: Open-ended key families shown in a starter file, one example each.
PREFIX_EXAMPLES: dict[str, str] = {
    "one_off_": "one_off_programme_management",
    "monthly_": "monthly_tooling",
}

_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


_SECTION_DOCS: dict[str, str] = {
    "scenario": "The case: name, currency, cost horizon and discount rate.",
    "simulation": "How the Monte Carlo layer runs (not model inputs).",
    "phases": "Programme phases before the vendor exit (docs/model.md, section 1).",
    "vendor": "The outsourcing vendor today, its notice, fee and behaviour after notice.",
    "demand": "Tickets (or cases, work items) arriving and the SLA they are held to.",
    "staffing": "The internal team: hiring, onboarding, learning, attrition, pay.",
    "knowledge": "Knowledge handover from the vendor (docs/model.md, section 3).",
    "costs": "Other costs: one_off_* paid at start, monthly_* from cutover, disruption.",
    "policy": "When the vendor leaves (cutover) and when the transition counts as stable.",
    "response": "The weekly performance review and its recovery levers (docs/model.md, sec. 10).",
    "incoming": "Who builds the incoming team: the company, or a new vendor (docs/model.md, 11).",
    "stay": "Terms of staying with the vendor, read under policy.strategy = 'stay' (section 11).",
}

#: The sections of a starter scenario, in the order it writes them (each with its comment).
_SECTIONS: tuple[str, ...] = tuple(_SECTION_DOCS)


def check_name(name: str) -> str:
    """Return ``name`` (without a trailing ``.toml``) if it is a plain file name, else raise.

    A plain name has 1-100 letters, digits, ``_`` or ``-``: no path separator, no ``..``.
    Raises :class:`SimulationError` with a message that says what is allowed.
    """
    stem = name[:-5] if name.endswith(".toml") else name
    if not _NAME.fullmatch(stem):
        shown = name.encode("unicode_escape").decode("ascii")[:120]
        raise SimulationError(
            f"'{shown}': the scenario name must be a plain file name of letters, digits, "
            "'_' or '-' (no path separators, no '..'); use --dir to choose the folder"
        )
    return stem


def _toml(value: Any) -> str:
    """A TOML literal for a scalar, a list or an inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key_comment(spec: schema.KeySpec) -> str:
    unit = f" [{spec.unit}]" if spec.unit else ""
    extra = f" One of: {', '.join(spec.choices)}." if spec.choices else ""
    return f"# {spec.doc}{unit}.{extra}"


def _key_lines(spec: schema.KeySpec, name: str) -> list[str]:
    lines = [_key_comment(spec)]
    if spec.path == "scenario.name":
        lines.append(f"{spec.key} = {_toml(name)}")
    elif spec.path in PLACEHOLDERS:
        lines.append(f"{spec.key} = {_toml(PLACEHOLDERS[spec.path])}   # required; {MARKER}")
    elif spec.default is None:
        example = {"scenario.start_date": "2027-01-04", "simulation.seed": "12345"}.get(
            spec.path, "..."
        )
        lines.append(f"# {spec.key} = {example}   # optional")
    elif spec.section == "simulation" or not spec.numeric:
        lines.append(f"{spec.key} = {_toml(spec.default)}")
    else:
        lines.append(f"{spec.key} = {_toml(spec.default)}   # default; {MARKER}")
    return lines


def _section_lines(section: str, name: str) -> list[str]:
    lines = [f"[{section}]", f"# {_SECTION_DOCS[section]}"]
    for spec in schema.KEYS:
        if spec.section == section:
            lines.extend(_key_lines(spec, name))
    for sec, prefix, unit, doc in schema.PREFIX_KEYS:
        if sec == section:
            key = PREFIX_EXAMPLES.get(prefix, f"{prefix}example")
            lines.append(f"# {doc} [{unit}]. Any key starting with '{prefix}' is accepted.")
            lines.append(f"{key} = 0   # {MARKER}")
    return lines


_EXAMPLES = """\
# Uncertain inputs: any number above may be a distribution table instead, e.g.
#   time_to_hire_days = { dist = "pert", min = 21, mode = 42, max = 84 }
#   tickets_per_day = { dist = "lognormal", p10 = 200, p90 = 280 }
# Catalogue: fixed, uniform, triangular, pert, normal, lognormal, gamma, beta, discrete,
# bernoulli, empirical (docs/model.md and `simulate inputs` show what a table gives).

# Risk register: uncomment and adapt. A risk either shocks an input (adds_to / scales, with an
# impact) or is an event in the model (staff_loss, ticket_surge, vendor_walkout, hiring_freeze,
# vendor_failure).
# [[risks]]
# name = "negotiation_delay"
# description = "The vendor contests the exit terms."
# probability = 0.25            # {marker}
# adds_to = "phases.negotiation_weeks"
# impact = { dist = "pert", min = 2, mode = 4, max = 12 }   # weeks; {marker}
#
# [[risks]]
# name = "key_staff_loss"
# probability = 0.2             # {marker}
# event = "staff_loss"
# agents = 3
# window_start_month = 6
# window_end_month = 18

# Rank correlations between two uncertain inputs (both must be distributions):
# [[correlations]]
# between = ["staffing.time_to_hire_days", "staffing.salary_per_year"]
# rank = 0.4                    # {marker}

# Targets: the probability of meeting each is reported.
# [targets]
# transition_months = { at_most = 18 }
# transition_cost = { at_most = 900000 }
# npv_savings = { at_least = 0 }
"""


def starter_text(name: str) -> str:
    """A full starter scenario: every schema key at its default, commented with unit and meaning.

    ``name`` becomes ``scenario.name``. The text validates as written (required keys without a
    default get :data:`PLACEHOLDERS`); every model value carries the :data:`MARKER` comment.
    """
    head = [
        f"# Starter scenario '{name}', written by `simulate new`. Every key of the scenario format",
        "# is listed at its default with its unit and meaning. Replace each value marked",
        f"# '{MARKER}' with a figure whose source you name in a comment",
        "# (see scenarios/it_helpdesk.toml for the style), or say plainly that it is an",
        "# assumption.",
        "# Keys you do not need can be deleted: they fall back to the defaults shown here.",
        "",
        '# extends = "it_helpdesk.toml"   # optional: inherit every key of another scenario',
        "",
    ]
    body: list[str] = []
    for section in _SECTIONS:
        body.extend(_section_lines(section, name))
        body.append("")
    return "\n".join(head + body) + "\n" + _EXAMPLES.replace("{marker}", MARKER)


def _base_lines(data: Mapping[str, Any]) -> list[str]:
    """Every key of a base scenario, commented out, as examples of overrides."""
    lines: list[str] = []
    for section in _SECTIONS:
        table = data.get(section)
        if not isinstance(table, Mapping) or section == "scenario":
            continue
        lines.append(f"# [{section}]")
        for key, value in table.items():
            spec = schema.section_keys(section).get(key) or schema.prefix_spec(section, key)
            unit = f"   # [{spec.unit}]" if spec is not None and spec.unit else ""
            lines.append(f"# {key} = {_toml(value)}{unit}")
        lines.append("")
    return lines


def like_text(name: str, base: Path, base_ref: str) -> str:
    """A starter that extends the scenario at ``base`` (written as ``extends = base_ref``).

    The base's keys are shown commented out as examples of overrides; its risks can be replaced
    by name or removed with ``remove = true``.
    """
    from simulation.scenario.extends import read_toml

    data, _ = read_toml(base)
    risks = [r.get("name") for r in data.get("risks", []) if isinstance(r, Mapping)]
    first_risk = next((r for r in risks if isinstance(r, str)), "some_risk")
    lines = [
        f"# Scenario '{name}', written by `simulate new --like {base.stem}`: it extends",
        f"# {base_ref} and changes only the keys it gives. Tables merge key by key; a value",
        "# (also a distribution table) replaces the base's as a whole; [[risks]] merge by name and",
        "# [[correlations]] by their pair. Give each override a comment with its source, or say",
        f"# plainly that it is an assumption ('{MARKER}').",
        f"extends = {_toml(base_ref)}",
        "",
        "[scenario]",
        f"name = {_toml(name)}",
        f'description = "Alternative to {base.stem}: say here what changes and why."',
        "",
        "# Examples of overrides (the base's current values; uncomment and change):",
        "",
        *_base_lines(data),
        "# A base risk is replaced as a whole by a risk of the same name, or removed:",
        "# [[risks]]",
        f'# name = "{first_risk}"',
        "# remove = true",
        "",
    ]
    return "\n".join(lines)


def resolve_like(like: str, directory: Path) -> Path:
    """The base scenario file for ``--like``: ``<directory>/<like>.toml``, which must exist and
    be a valid scenario (read and validated as ``simulate validate`` would: a syntax error, an
    invalid key or a file that is not UTF-8 is one error naming the base file)."""
    from simulation.scenario.reader import load_scenario

    stem = check_name(like)
    path = directory / f"{stem}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []
        hint = f" (scenarios there: {', '.join(known)})" if known else ""
        raise SimulationError(f"--like {like}: no scenario {path}{hint}")
    try:
        load_scenario(path)
    except SimulationError as exc:
        more = len(exc.messages) - 1
        others = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise SimulationError(
            f"--like {like}: the base scenario cannot be extended, it is not valid: "
            f"{exc.messages[0]}{others}; see `simulate validate {path}`"
        ) from None
    return path


def write_starter(name: str, directory: Path, like: str | None = None, force: bool = False) -> Path:
    """Write ``<directory>/<name>.toml`` and return its path.

    Without ``like`` the file is :func:`starter_text`; with ``like`` (the stem of a scenario in
    ``directory``) it is :func:`like_text` extending that scenario. Refuses (``SimulationError``)
    a name that is not a plain file name and an existing file unless ``force``.
    """
    stem = check_name(name)
    path = directory / f"{stem}.toml"
    if like is not None:
        base = resolve_like(like, directory)
        if base.resolve() == path.resolve():
            raise SimulationError(f"{path}: a scenario cannot extend itself")
        text = like_text(stem, base, base.name)
    else:
        text = starter_text(stem)
    if path.exists() and not force:
        raise SimulationError(f"{path}: the file exists already (use --force to replace it)")
    tmp = directory / f".{stem}.toml.tmp{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise SimulationError(f"{path}: cannot write ({os_reason(exc)})") from None
    return path
