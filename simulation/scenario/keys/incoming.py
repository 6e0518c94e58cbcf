"""The keys of ``[incoming]``: who builds the incoming team (``kind``), a new vendor's fees and
service level, and the incoming team's own staffing parameters when a new vendor builds it (each
a ``staffing`` key of the same name, for the new vendor's team)."""

from __future__ import annotations

from dataclasses import replace

from simulation.scenario.keys.staffing import STAFFING_KEYS
from simulation.scenario.keyspec import KeySpec, spec

#: The incoming team's own parameters when a new vendor builds it (``incoming.kind = "vendor"``):
#: each defaults to the in-house team's ``staffing`` key of the same name.
INCOMING_STAFFING: tuple[str, ...] = (
    "target_agents",
    "parallel_hiring",
    "time_to_hire_days",
    "time_to_hire_cv",
    "offer_acceptance",
    "onboarding_days",
    "ramp_up_days",
    "initial_productivity",
    "tickets_per_agent_day",
    "annual_attrition",
)

#: The keys of ``[incoming]`` that are its own: who builds the team and a new vendor's terms.
INCOMING_VENDOR_KEYS: tuple[KeySpec, ...] = (
    spec(
        "incoming",
        "kind",
        "choice",
        "in_house",
        "",
        "Who builds the incoming team: 'in_house' (the company: backsourcing) or 'vendor' "
        "(a new vendor: switching vendor, at its own fee instead of salaries, hiring and "
        "managers)",
        choices=("in_house", "vendor"),
    ),
    spec(
        "incoming",
        "transition_fee",
        "number",
        None,
        "currency",
        "'vendor': the new vendor's one-off fee for the transition, paid at notice; unset: 0",
        "nonneg",
    ),
    spec(
        "incoming",
        "monthly_fee",
        "number",
        None,
        "currency/month",
        "'vendor': the new vendor's fixed fee for the whole service at programme start "
        "prices, paid pro rata for the part it has taken over; unset: 0 (this key or "
        "incoming.price_per_ticket is required)",
        "nonneg",
    ),
    spec(
        "incoming",
        "price_per_ticket",
        "number",
        None,
        "currency/ticket",
        "'vendor': the new vendor's price per ticket on the status-quo demand (growth "
        "included), at programme start prices, on top of incoming.monthly_fee; unset: 0",
        "nonneg",
    ),
    spec(
        "incoming",
        "sla_compliance",
        "number",
        None,
        "fraction",
        "'vendor': share of the tickets the new vendor's team resolves within the SLA by "
        "contract, charged like the outgoing vendor's late tickets (vendor.late_days); "
        "unset: vendor.sla_compliance (a new vendor is as good as the old one)",
        "fraction",
    ),
    spec(
        "incoming",
        "annual_price_increase",
        "number",
        None,
        "per year",
        "'vendor': the new vendor's yearly price rise; unset: vendor.annual_price_increase",
        "rate",
    ),
)


def _for_the_new_vendor(base: KeySpec) -> KeySpec:
    """The incoming team's key of a ``staffing`` key: optional, defaulting to the in-house
    team's value."""
    return replace(
        base,
        section="incoming",
        default=None,
        required=False,
        doc=f"'vendor': {base.doc[:1].lower()}{base.doc[1:]} of the new vendor's "
        f"team; unset: staffing.{base.key}",
    )


_STAFFING_BY_KEY = {k.key: k for k in STAFFING_KEYS if k.section == "staffing"}

#: Every key of ``[incoming]``: its own, then the new vendor team's staffing parameters.
INCOMING_KEYS: tuple[KeySpec, ...] = (
    *INCOMING_VENDOR_KEYS,
    *(_for_the_new_vendor(_STAFFING_BY_KEY[name]) for name in INCOMING_STAFFING),
)
