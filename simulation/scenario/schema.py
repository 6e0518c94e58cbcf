"""The scenario contract: every key of every section, its kind, default, unit, bounds and meaning.

This table is the single source of truth for the scenario reader (unknown keys, defaults, types,
bounds), for ``simulate new`` starter files and for the model's parameter object. Numeric keys
(``kind`` ``number`` or ``integer``) may be given as a plain number or as a distribution table
(see :mod:`simulation.distributions.families`); every other kind must be a plain value.

Keys whose name starts with a prefix listed in :data:`PREFIX_KEYS` (``costs.one_off_*``,
``costs.monthly_*``) are open-ended families: any suffix is accepted.
"""

from __future__ import annotations

from simulation.scenario import outputs
from simulation.scenario.keys.case import CASE_KEYS
from simulation.scenario.keys.demand import PHASE_AND_DEMAND_KEYS
from simulation.scenario.keys.incoming import INCOMING_KEYS, INCOMING_STAFFING
from simulation.scenario.keys.policy import KNOWLEDGE_COSTS_POLICY_KEYS, LATE_TICKET_KEYS
from simulation.scenario.keys.response import RESPONSE_KEYS
from simulation.scenario.keys.staffing import STAFFING_KEYS, TRANSFER_KEYS
from simulation.scenario.keys.status_quo import STATUS_QUO_KEYS, STAY_KEYS
from simulation.scenario.keys.vendor import VENDOR_KEYS, VENDOR_NOTICE_KEYS
from simulation.scenario.keyspec import (
    LONG_DAYS,
    LONG_MONTHS,
    MAX_COUNT,
    MAX_HORIZON_MONTHS,
    MAX_ITERATIONS,
    MAX_TICKETS_PER_DAY,
    WHY_LONG,
    WHY_TICKETS,
    Bound,
    KeySpec,
    Kind,
    unit_words,
)

__all__ = [
    "BY_PATH",
    "INCOMING_STAFFING",
    "KEYS",
    "LONG_MONTHS",
    "MAX_COUNT",
    "MAX_HORIZON_MONTHS",
    "MAX_ITERATIONS",
    "MODEL_SECTIONS",
    "PREFIX_KEYS",
    "RISK_DERIVED",
    "RISK_EVENTS",
    "RISK_FIELDS",
    "RISK_NUMERIC",
    "RISK_TEXT",
    "SCALAR_NAMES",
    "SERIES_NAMES",
    "TOP_LEVEL",
    "Bound",
    "Kind",
    "KeySpec",
    "input_spec",
    "prefix_spec",
    "section_keys",
    "unit_words",
]

KEYS: tuple[KeySpec, ...] = (
    *CASE_KEYS,
    *VENDOR_KEYS,
    *PHASE_AND_DEMAND_KEYS,
    *STAFFING_KEYS,
    *KNOWLEDGE_COSTS_POLICY_KEYS,
    *VENDOR_NOTICE_KEYS,
    *LATE_TICKET_KEYS,
    *TRANSFER_KEYS,
    *STATUS_QUO_KEYS,
    *STAY_KEYS,
    *RESPONSE_KEYS,
    *INCOMING_KEYS,
)


#: Open-ended key families: ``(section, prefix, unit, doc)``.
PREFIX_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("costs", "one_off_", "currency", "One-off cost paid at programme start"),
    ("costs", "monthly_", "currency/month", "Recurring internal cost from cutover on"),
)

#: Sections whose numeric keys are model inputs (fixed or uncertain).
MODEL_SECTIONS: tuple[str, ...] = (
    "scenario",
    "vendor",
    "phases",
    "demand",
    "staffing",
    "knowledge",
    "costs",
    "policy",
    "response",
    "incoming",
    "stay",
)

#: Every top-level name a scenario file may use: the model sections, ``[simulation]``, ``extends``
#: and the arrays of tables (in this order, which error messages follow).
TOP_LEVEL: tuple[str, ...] = (
    "extends",
    MODEL_SECTIONS[0],
    "simulation",
    *MODEL_SECTIONS[1:],
    "risks",
    "correlations",
    "targets",
    "waves",
)

BY_PATH: dict[str, KeySpec] = {k.path: k for k in KEYS}


def section_keys(section: str) -> dict[str, KeySpec]:
    """The keys of one section by name."""
    return {k.key: k for k in KEYS if k.section == section}


def prefix_spec(section: str, key: str) -> KeySpec | None:
    """The spec of an open-ended key (``costs.one_off_licences``), or ``None``."""
    for sec, prefix, unit, doc in PREFIX_KEYS:
        if sec == section and key.startswith(prefix) and len(key) > len(prefix):
            return KeySpec(section, key, "number", 0.0, unit, doc, "nonneg")
    return None


def input_spec(path: str) -> KeySpec | None:
    """The spec of any numeric input by dotted path: a model key (``staffing.target_agents``),
    an open-ended cost (``costs.one_off_x``) or a risk's field (``risks.<name>.impact``,
    ``risks.<name>.occurs``, ``risks.<name>.at_month``); ``None`` when none matches."""
    spec = BY_PATH.get(path)
    if spec is not None:
        return spec if spec.numeric else None
    section, _, rest = path.partition(".")
    if section == "risks":
        name, _, field_name = rest.rpartition(".")
        found = RISK_FIELDS.get(field_name) or RISK_DERIVED.get(field_name)
        return found if name and found is not None else None
    return prefix_spec(section, rest) if rest else None


# Risk register entries ------------------------------------------------------------------------

RISK_EVENTS: tuple[str, ...] = (
    "staff_loss",
    "ticket_surge",
    "vendor_walkout",
    "hiring_freeze",
    "vendor_failure",
)


def _r(
    key: str,
    unit: str,
    doc: str,
    bound: Bound,
    maximum: float | None = None,
    why: str = "",
) -> KeySpec:
    return KeySpec("risks", key, "number", None, unit, doc, bound, maximum=maximum, why=why)


#: Numeric fields of a risk (each may be uncertain except the window), as the spec of the input
#: ``risks.<name>.<field>``; ``occurs`` and ``at_month`` are the inputs the reader derives from
#: ``probability`` and the window.
RISK_FIELDS: dict[str, KeySpec] = {
    spec.key: spec
    for spec in (
        _r("probability", "fraction", "Chance the risk occurs in one iteration", "fraction"),
        _r("impact", "key units or factor", "Size of a parameter shock (adds_to / scales)", "any"),
        _r(
            "window_start_month",
            "months",
            "Earliest month the event can strike",
            "nonneg",
            LONG_MONTHS,
            WHY_LONG,
        ),
        _r(
            "window_end_month",
            "months",
            "Latest month the event can strike",
            "nonneg",
            LONG_MONTHS,
            WHY_LONG,
        ),
        _r(
            "agents",
            "agents",
            "staff_loss: internal agents leaving at once",
            "nonneg",
            MAX_COUNT,
            "the same limit as staffing.target_agents",
        ),
        _r(
            "extra_tickets_per_day",
            "tickets/day",
            "ticket_surge: extra tickets per working day",
            "nonneg",
            MAX_TICKETS_PER_DAY,
            WHY_TICKETS,
        ),
        _r(
            "duration_days",
            "working days",
            "ticket_surge / hiring_freeze: how long it lasts",
            "nonneg",
            LONG_DAYS,
            WHY_LONG,
        ),
        _r("level", "fraction", "vendor_walkout: cooperation from the event on", "fraction"),
    )
}
#: The inputs a risk derives: its occurrence flag (1 in an iteration it occurs, else 0) and the
#: month of its event (uniform over the window).
RISK_DERIVED: dict[str, KeySpec] = {
    "occurs": _r("occurs", "0/1", "1 when the risk occurs in an iteration, else 0", "fraction"),
    "at_month": _r(
        "at_month", "months", "Month the event strikes", "nonneg", LONG_MONTHS, WHY_LONG
    ),
}
#: Numeric fields a risk may carry: unit, meaning and bound (a view of :data:`RISK_FIELDS`).
RISK_NUMERIC: dict[str, tuple[str, str, Bound]] = {
    k: (spec.unit, spec.doc, spec.bound) for k, spec in RISK_FIELDS.items()
}
RISK_TEXT: tuple[str, ...] = (
    "name",
    "description",
    "adds_to",
    "scales",
    "event",
    "window_relative_to",
)


# Outputs of one model run ---------------------------------------------------------------------

#: Scalar outputs of one run, in the fixed order of the results table (a contract): a view of
#: the outputs table, :data:`simulation.scenario.outputs.OUTPUTS`, which says each one's unit,
#: label, better direction and meaning.
SCALAR_NAMES: tuple[str, ...] = outputs.SCALAR_NAMES

#: Monthly series of one run (index 0 = month 1).
SERIES_NAMES: tuple[str, ...] = (
    "internal_agents",
    "vendor_agents",
    "effective_capacity",
    "demand",
    "backlog",
    "sla_compliance",
    "knowledge_transferred",
    "cost_backsourcing",
    "cost_status_quo",
    "agency_agents",
    "hypercare_agents",
    "target_agents",
)
