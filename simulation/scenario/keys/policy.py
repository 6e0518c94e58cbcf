"""The keys of ``[knowledge]``, ``[costs]`` and ``[policy]``, and the cost of a late or abandoned
ticket."""

from __future__ import annotations

from simulation.scenario.keyspec import (
    LONG_DAYS,
    LONG_MONTHS,
    MAX_COUNT,
    MAX_CV,
    MAX_HORIZON_MONTHS,
    MAX_STABLE_WEEKS,
    WHY_CV,
    WHY_LONG,
    KeySpec,
    spec,
)

KNOWLEDGE_COSTS_POLICY_KEYS: tuple[KeySpec, ...] = (
    # [knowledge]
    spec(
        "knowledge",
        "domains",
        "integer",
        10,
        "domains",
        "Knowledge areas to hand over",
        "nonneg",
        maximum=MAX_COUNT,
        why="each domain is a handover process in the model",
    ),
    spec(
        "knowledge",
        "parallel_sessions",
        "integer",
        2,
        "sessions",
        "Transfer sessions that can run at the same time",
        "positive",
        maximum=MAX_COUNT,
        why=(
            "each session slot is a process in the model (more sessions than the most domains is "
            "pointless)"
        ),
    ),
    spec(
        "knowledge",
        "transfer_days_per_domain",
        "number",
        10.0,
        "working days",
        "Handover time of one domain at full cooperation",
        "nonneg",
        maximum=LONG_DAYS,
        why=WHY_LONG,
    ),
    spec(
        "knowledge",
        "rediscovery_days_per_domain",
        "number",
        30.0,
        "working days",
        "Time to rebuild one lost domain internally",
        "nonneg",
        maximum=LONG_DAYS,
        why=WHY_LONG,
    ),
    spec(
        "knowledge",
        "unknown_domain_productivity",
        "number",
        0.5,
        "fraction",
        "Productivity of internal agents on tickets in domains not yet known",
        "fraction",
    ),
    spec(
        "knowledge",
        "transfer_cv",
        "number",
        0.3,
        "fraction",
        "Coefficient of variation of each domain's transfer / rediscovery time (gamma); assumption",
        "nonneg",
        maximum=MAX_CV,
        why=WHY_CV,
    ),
    # [costs]
    spec(
        "costs",
        "disruption_per_ticket_day",
        "number",
        0.0,
        "currency/ticket-day",
        "Business cost of each ticket-day beyond SLA",
        "nonneg",
    ),
    # [policy]
    spec(
        "policy",
        "cutover",
        "choice",
        "readiness",
        "",
        "'readiness': keep the vendor until ready (bounded); 'fixed': leave at the planned exit",
        choices=("readiness", "fixed"),
    ),
    spec(
        "policy",
        "strategy",
        "choice",
        "big_bang",
        "",
        "'big_bang': the whole service cuts over at once; 'waves': in the [[waves]] given, one "
        "after another; 'selective': all but policy.retained_share, which stays with the vendor "
        "for good; 'stay': no transition, the vendor keeps the service under the [stay] terms "
        "(renegotiating)",
        choices=("big_bang", "waves", "selective", "stay"),
    ),
    spec(
        "policy",
        "retained_share",
        "number",
        0.0,
        "fraction",
        "'selective': share of demand, domains and vendor agents that stays with the vendor "
        "for good, at the pro-rata fee",
        "fraction",
    ),
    spec(
        "policy",
        "cutover_month",
        "number",
        0.0,
        "months",
        "Earliest cutover under 'fixed', counted from programme start",
        "nonneg",
        maximum=LONG_MONTHS,
        why=WHY_LONG,
    ),
    spec(
        "policy",
        "readiness_capacity",
        "number",
        1.0,
        "fraction",
        "Internal effective capacity needed, as a share of demand",
        "nonneg",
    ),
    spec(
        "policy",
        "readiness_knowledge",
        "number",
        0.8,
        "fraction",
        "Share of domains that must be transferred",
        "fraction",
    ),
    spec(
        "policy",
        "max_extension_months",
        "integer",
        6,
        "months",
        "Most months the vendor may be kept past the planned exit",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why=("an extension longer than the longest horizon (600 months) cannot be seen"),
    ),
    spec(
        "policy",
        "sla_target",
        "number",
        0.9,
        "fraction",
        "Weekly SLA compliance that counts as stable",
        "fraction",
    ),
    spec(
        "policy",
        "stable_weeks",
        "integer",
        4,
        "weeks",
        "Consecutive weeks at or above the SLA target that end the transition",
        "positive",
        maximum=MAX_STABLE_WEEKS,
        why="the longest horizon (600 months, 50 years) holds about 2,600 weeks",
    ),
    spec(
        "policy",
        "stable_backlog_days",
        "number",
        None,
        "days of demand",
        "A stable week also ends with at most this backlog (in days of expected demand) and "
        "with capacity over the trailing response.window_weeks covering their arrivals; unset: "
        "compliance alone decides (the model before issue 14)",
        "nonneg",
        maximum=LONG_DAYS,
        why=WHY_LONG,
    ),
)


LATE_TICKET_KEYS: tuple[KeySpec, ...] = (
    # [costs] of a late or abandoned ticket
    spec(
        "costs",
        "disruption_cap_per_ticket",
        "number",
        None,
        "currency/ticket",
        "Most disruption cost one ticket can cause (users find workarounds); unset: no cap",
        "nonneg",
    ),
    spec(
        "costs",
        "abandoned_ticket_cost",
        "number",
        0.0,
        "currency/ticket",
        "Business cost of a stale ticket closed without work (response.triage)",
        "nonneg",
    ),
)
