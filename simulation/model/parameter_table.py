"""The parameter table: which scenario key fills which :class:`ModelInputs` field, the value it
takes when the scenario leaves it out (its schema default; NaN for an optional key whose value is
derived), the interval it is clamped back into and whether it is a whole number; and the
documented values of those derived keys (:func:`fill_derived`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping

from simulation.scenario import schema

#: scenario key (dotted path) -> the :class:`ModelInputs` field it fills
FIELDS: dict[str, str] = {
    "scenario.horizon_months": "horizon_months",
    "scenario.discount_rate": "discount_rate",
    "phases.evaluation_weeks": "evaluation_weeks",
    "phases.negotiation_weeks": "negotiation_weeks",
    "phases.planning_weeks": "planning_weeks",
    "vendor.agents": "vendor_agents",
    "vendor.tickets_per_agent_day": "vendor_tickets_per_agent_day",
    "vendor.notice_months": "notice_months",
    "vendor.cooperation": "cooperation",
    "vendor.cooperation_after_notice": "cooperation_after_notice",
    "vendor.attrition_after_notice": "vendor_attrition_after_notice",
    "vendor.monthly_fee": "monthly_fee",
    "vendor.annual_price_increase": "annual_price_increase",
    "vendor.termination_fee": "termination_fee",
    "vendor.extension_premium": "extension_premium",
    "demand.tickets_per_day": "tickets_per_day",
    "demand.growth_per_year": "demand_growth_per_year",
    "demand.sla_days": "sla_days",
    "demand.working_days_per_month": "working_days_per_month",
    "demand.working_days_per_week": "working_days_per_week",
    "staffing.target_agents": "target_agents",
    "staffing.parallel_hiring": "parallel_hiring",
    "staffing.time_to_hire_days": "time_to_hire_days",
    "staffing.time_to_hire_cv": "time_to_hire_cv",
    "staffing.offer_acceptance": "offer_acceptance",
    "staffing.onboarding_days": "onboarding_days",
    "staffing.ramp_up_days": "ramp_up_days",
    "staffing.initial_productivity": "initial_productivity",
    "staffing.tickets_per_agent_day": "agent_tickets_per_day",
    "staffing.annual_attrition": "annual_attrition",
    "staffing.managers": "managers",
    "staffing.manager_salary_per_year": "manager_salary_per_year",
    "staffing.salary_per_year": "salary_per_year",
    "staffing.recruiting_cost_per_hire": "recruiting_cost_per_hire",
    "staffing.training_cost_per_hire": "training_cost_per_hire",
    "staffing.transfer_offers": "transfer_offers",
    "staffing.transfer_acceptance": "transfer_acceptance",
    "staffing.transfer_salary_premium": "transfer_salary_premium",
    "staffing.retention_bonus": "retention_bonus",
    "staffing.transfer_attrition": "transfer_attrition",
    "knowledge.domains": "domains",
    "knowledge.parallel_sessions": "parallel_sessions",
    "knowledge.transfer_days_per_domain": "transfer_days_per_domain",
    "knowledge.rediscovery_days_per_domain": "rediscovery_days_per_domain",
    "knowledge.transfer_cv": "transfer_cv",
    "knowledge.unknown_domain_productivity": "unknown_domain_productivity",
    "costs.disruption_per_ticket_day": "disruption_per_ticket_day",
    "policy.cutover_month": "cutover_month",
    "policy.retained_share": "retained_share",
    "stay.fee_change": "stay_fee_change",
    "stay.late_tickets_avoided": "stay_late_tickets_avoided",
    "stay.renegotiation_cost": "stay_renegotiation_cost",
    "stay.from_month": "stay_from_month",
    "policy.readiness_capacity": "readiness_capacity",
    "policy.readiness_knowledge": "readiness_knowledge",
    "policy.max_extension_months": "max_extension_months",
    "policy.sla_target": "sla_target",
    "policy.stable_weeks": "stable_weeks",
    "policy.stable_backlog_days": "stable_backlog_days",
    "vendor.min_staffing_share": "vendor_min_staffing_share",
    "vendor.backfill_days": "vendor_backfill_days",
    "costs.disruption_cap_per_ticket": "disruption_cap_per_ticket",
    "costs.abandoned_ticket_cost": "abandoned_ticket_cost",
    "response.review_days": "review_days",
    "response.window_weeks": "window_weeks",
    "response.forecast_months": "forecast_months",
    "response.burn_down_days": "burn_down_days",
    "response.release_backlog_days": "release_backlog_days",
    "response.release_weeks": "release_weeks",
    "response.resize_lead_days": "resize_lead_days",
    "response.max_target_agents": "max_target_agents",
    "response.agency_trigger_backlog_days": "agency_trigger_backlog_days",
    "response.agency_trigger_weeks": "agency_trigger_weeks",
    "response.agency_lead_days": "agency_lead_days",
    "response.agency_productivity": "agency_productivity",
    "response.agency_cost_factor": "agency_cost_factor",
    "response.agency_min_days": "agency_min_days",
    "response.agency_max_agents": "agency_max_agents",
    "response.agency_max_months": "agency_max_months",
    "response.overtime_capacity": "overtime_capacity",
    "response.overtime_hours": "overtime_hours",
    "response.overtime_premium": "overtime_premium",
    "response.overtime_max_weeks": "overtime_max_weeks",
    "response.overtime_attrition_factor": "overtime_attrition_factor",
    "response.overtime_lead_days": "overtime_lead_days",
    "response.hypercare_months": "hypercare_months",
    "response.hypercare_trigger_backlog_days": "hypercare_trigger_backlog_days",
    "response.hypercare_lead_days": "hypercare_lead_days",
    "response.hypercare_max_agents": "hypercare_max_agents",
    "response.hypercare_rate_factor": "hypercare_rate_factor",
    "response.triage_age_days": "triage_age_days",
    "response.triage_share_per_week": "triage_share_per_week",
    "vendor.price_per_ticket": "price_per_ticket",
    "vendor.minimum_fee": "minimum_fee",
    "vendor.contract_end_month": "contract_end_month",
    "vendor.renewal_term_months": "renewal_term_months",
    "vendor.renewal_price_change": "renewal_price_change",
    "vendor.retender_cost": "retender_cost",
    "vendor.sla_compliance": "vendor_sla_compliance",
    "vendor.late_days": "vendor_late_days",
    "vendor.governance_share": "governance_share",
    "vendor.emergency_transition_cost": "emergency_transition_cost",
    "staffing.salary_increase_per_year": "salary_increase_per_year",
    "staffing.sla_compliance": "team_sla_compliance",
}

#: ``incoming.<key>`` -> the staffing field it replaces when a new vendor builds the team.
INCOMING_STAFFING: dict[str, str] = {
    f"incoming.{key}": FIELDS[f"staffing.{key}"] for key in schema.INCOMING_STAFFING
}
#: ``incoming.<key>`` -> the new vendor's fee and service fields.
INCOMING_COSTS: dict[str, str] = {
    "incoming.transition_fee": "incoming_transition_fee",
    "incoming.monthly_fee": "incoming_monthly_fee",
    "incoming.price_per_ticket": "incoming_price_per_ticket",
    "incoming.sla_compliance": "incoming_sla_compliance",
    "incoming.annual_price_increase": "incoming_price_increase",
}

#: One key's row: (path, field, default or None if required, lowest, highest, integer).
KeyRow = tuple[str, str, float | None, float, float, bool]


def _bounds(spec: schema.KeySpec) -> tuple[float, float]:
    """The interval a value is clamped back into: its key's bound and maximum (a numerical
    safety net only: the scenario reader refuses values and risk shocks outside them)."""
    lo, hi = -math.inf, math.inf
    if spec.bound in ("nonneg", "positive"):
        lo = 0.0
    elif spec.bound == "fraction":
        lo, hi = 0.0, 1.0
    elif spec.bound == "rate":
        lo = -0.999999
    if spec.maximum is not None:
        hi = min(hi, float(spec.maximum))
    return lo, hi


def _rows(fields: Mapping[str, str]) -> tuple[KeyRow, ...]:
    """Per model key its :data:`KeyRow`; an optional key with no default (its value derived,
    see :func:`fill_derived`) defaults to NaN."""
    rows = []
    for path, name in fields.items():
        spec = schema.BY_PATH.get(path)
        default = (
            float(spec.default)
            if spec is not None and isinstance(spec.default, int | float)
            else (math.nan if spec is not None and not spec.required else None)
        )
        lo, hi = _bounds(spec) if spec is not None else (-math.inf, math.inf)
        rows.append((path, name, default, lo, hi, spec is not None and spec.kind == "integer"))
    return tuple(rows)


#: every key of a run, in the order of :data:`FIELDS`
PLAN: tuple[KeyRow, ...] = _rows(FIELDS)
#: the incoming vendor's team and fees (read only when ``incoming.kind = "vendor"``)
INCOMING_PLAN: tuple[KeyRow, ...] = _rows({**INCOMING_STAFFING, **INCOMING_COSTS})


def is_unset(fields: Mapping[str, object], name: str) -> bool:
    """Whether the optional field ``name`` was left unset (NaN) by the scenario."""
    value = fields[name]
    return isinstance(value, float) and math.isnan(value)


def fill_derived(fields: MutableMapping[str, object]) -> None:
    """Fill the optional fields left unset (NaN) with their documented values (in place):
    no queue checks and no disruption cap (inf), transferred agents leaving as the others do, a
    largest team of 1.5 × the target, at most half the target in agency agents and half the
    vendor's agents on hypercare."""
    for name in ("stable_backlog_days", "disruption_cap_per_ticket"):
        if is_unset(fields, name):
            fields[name] = math.inf
    if is_unset(fields, "transfer_attrition"):
        fields["transfer_attrition"] = fields["annual_attrition"]
    target = int(fields["target_agents"])  # type: ignore[call-overload]
    vendor = int(fields["vendor_agents"])  # type: ignore[call-overload]
    for name, value in (
        ("max_target_agents", math.ceil(1.5 * target)),
        ("agency_max_agents", math.ceil(0.5 * target)),
        ("hypercare_max_agents", math.ceil(0.5 * vendor)),
    ):
        if is_unset(fields, name):
            fields[name] = value
