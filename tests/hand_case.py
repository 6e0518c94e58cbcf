"""The hand-calculated case of the model tests, shared by the tests of the model, the
strategies, the status quo, staying and the management response (a helper, not a test module).
"""

from __future__ import annotations

from simulation.model.inputs import ModelInputs, build_inputs

# A deterministic case small enough to work out by hand (variability "none", no attrition).
# Calendar: 20 working days a month, 5 a week, 12 months = 240 days.
HAND: dict[str, float] = {
    "scenario.horizon_months": 12,
    "scenario.discount_rate": 0.06,
    "demand.working_days_per_month": 20,
    "demand.working_days_per_week": 5,
    "phases.evaluation_weeks": 2,  # evaluation ends day 10
    "phases.negotiation_weeks": 4,  # notice on day 30
    "phases.planning_weeks": 2,  # planning ends day 20
    "vendor.agents": 5,
    "vendor.tickets_per_agent_day": 10,  # vendor capacity 50/day
    "vendor.notice_months": 1,  # planned exit day 50
    "vendor.cooperation": 1.0,
    "vendor.cooperation_after_notice": 1.0,
    "vendor.attrition_after_notice": 0.0,
    "vendor.monthly_fee": 30000,
    "vendor.annual_price_increase": 0.0,
    "vendor.termination_fee": 5000,
    "vendor.extension_premium": 0.15,
    "demand.tickets_per_day": 40,
    "demand.growth_per_year": 0.0,
    "demand.sla_days": 1,
    "staffing.target_agents": 4,
    "staffing.parallel_hiring": 2,
    "staffing.time_to_hire_days": 20,
    "staffing.offer_acceptance": 1.0,
    "staffing.onboarding_days": 5,
    "staffing.ramp_up_days": 0,  # full productivity right after onboarding
    "staffing.tickets_per_agent_day": 12,
    "staffing.annual_attrition": 0.0,
    "staffing.managers": 1,
    "staffing.manager_salary_per_year": 60000,  # 5,000 a month, 250 a working day
    "staffing.salary_per_year": 48000,  # 200 a working day
    "staffing.recruiting_cost_per_hire": 1000,
    "staffing.training_cost_per_hire": 500,
    "knowledge.domains": 2,
    "knowledge.parallel_sessions": 1,
    "knowledge.transfer_days_per_domain": 5,
    "knowledge.unknown_domain_productivity": 0.5,
    "costs.one_off_setup": 20000,
    "costs.one_off_migration": 5000,
    "costs.monthly_tools": 1000,
    "costs.disruption_per_ticket_day": 5,
    "policy.cutover_month": 0,
    "policy.sla_target": 0.9,
    "policy.stable_weeks": 2,
    "policy.readiness_capacity": 1.0,
    "policy.readiness_knowledge": 0.8,
    "policy.max_extension_months": 6,
}


def hand_inputs(policy: str = "fixed", response: bool = False, **changes: float) -> ModelInputs:
    """The hand case; the management layer is off unless ``response`` (its own hand check is
    in tests/model/test_response.py)."""
    values = dict(HAND)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    options = {
        "policy.cutover": policy,
        "simulation.variability": "none",
        "response.enabled": response,
    }
    return build_inputs(values, options)


def discount(month: int, rate: float = 0.06) -> float:
    return (1.0 + rate) ** (-month / 12.0)
