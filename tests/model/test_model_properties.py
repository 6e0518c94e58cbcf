"""Invariants of the transition model over generated inputs (hypothesis, bounded budget)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.model import run_transition
from simulation.model.inputs import ModelInputs, build_inputs

BASE: dict[str, float] = {
    "scenario.horizon_months": 24,
    "scenario.discount_rate": 0.05,
    "vendor.agents": 6,
    "vendor.tickets_per_agent_day": 10,
    "vendor.monthly_fee": 40000,
    "vendor.termination_fee": 20000,
    "vendor.extension_premium": 0.2,
    "phases.evaluation_weeks": 4,
    "phases.negotiation_weeks": 6,
    "phases.planning_weeks": 6,
    "demand.tickets_per_day": 50,
    "demand.growth_per_year": 0.05,
    "demand.sla_days": 2,
    "staffing.target_agents": 6,
    "staffing.time_to_hire_days": 30,
    "staffing.tickets_per_agent_day": 10,
    "staffing.salary_per_year": 50000,
    "staffing.managers": 1,
    "staffing.manager_salary_per_year": 70000,
    "staffing.recruiting_cost_per_hire": 5000,
    "knowledge.domains": 6,
    "costs.one_off_setup": 50000,
    "costs.monthly_tools": 2000,
    "costs.disruption_per_ticket_day": 8,
}

varied = st.fixed_dictionaries(
    {
        "phases.evaluation_weeks": st.floats(0, 12),
        "phases.negotiation_weeks": st.floats(0, 20),
        "phases.planning_weeks": st.floats(0, 20),
        "vendor.notice_months": st.floats(0, 6),
        "vendor.cooperation": st.floats(0, 1),
        "vendor.cooperation_after_notice": st.floats(0, 1),
        "vendor.attrition_after_notice": st.floats(0, 1),
        "demand.tickets_per_day": st.floats(0, 120),
        "demand.sla_days": st.floats(0, 5),
        "staffing.target_agents": st.integers(0, 12).map(float),
        "staffing.parallel_hiring": st.integers(1, 6).map(float),
        "staffing.time_to_hire_days": st.floats(1, 120),
        "staffing.offer_acceptance": st.floats(0.2, 1),
        "staffing.onboarding_days": st.floats(0, 20),
        "staffing.ramp_up_days": st.floats(0, 120),
        "staffing.annual_attrition": st.floats(0, 0.8),
        "knowledge.domains": st.integers(0, 12).map(float),
        "knowledge.parallel_sessions": st.integers(1, 4).map(float),
        "knowledge.transfer_days_per_domain": st.floats(0, 40),
        "policy.max_extension_months": st.integers(0, 6).map(float),
        "policy.readiness_capacity": st.floats(0, 1.5),
        "policy.cutover_month": st.floats(0, 12),
    }
)
options = st.fixed_dictionaries(
    {
        "policy.cutover": st.sampled_from(["readiness", "fixed"]),
        "simulation.variability": st.sampled_from(["stochastic", "none"]),
        "response.enabled": st.booleans(),
    }
)


def inputs(changes: dict[str, float], opts: dict[str, object]) -> ModelInputs:
    return build_inputs({**BASE, **changes}, opts)


def run(p: ModelInputs, seed: int = 0):  # type: ignore[no-untyped-def]
    return run_transition(p, np.random.default_rng(seed) if p.stochastic else None)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(varied, options, st.integers(0, 2**32 - 1))
def test_costs_never_negative_and_order_of_milestones(
    changes: dict[str, float], opts: dict[str, object], seed: int
) -> None:
    p = inputs(changes, opts)
    r = run(p, seed)
    s = r.scalars
    for k in (
        "one_off_cost",
        "overlap_cost",
        "disruption_cost",
        "transition_cost",
        "backsourcing_npv",
        "status_quo_npv",
        "termination_cost",
        "extension_cost",
        "response_cost",
        "agency_agent_days",
        "hypercare_agent_days",
        "overtime_weeks",
        "abandoned_tickets",
        "disruption_after_stabilisation_cost",
    ):
        assert s[k] >= -1e-9, k
    for series in ("cost_backsourcing", "cost_status_quo"):
        assert np.all(np.diff(r.monthly[series]) >= -1e-9)  # cumulative: never decreasing
    assert s["transition_months"] >= min(s["cutover_month"], p.horizon_months)
    if opts["policy.cutover"] == "readiness":
        assert s["cutover_month"] >= min(s["planned_exit_month"], p.horizon_months) - 1e-9
    assert 0 <= s["knowledge_lost_domains"] <= p.domains
    assert np.all((r.monthly["sla_compliance"] >= 0) & (r.monthly["sla_compliance"] <= 1))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(varied, st.integers(0, 10))
def test_more_target_agents_never_raise_peak_backlog(changes: dict[str, float], extra: int) -> None:
    # fixed cutover: under 'readiness' a larger team may be judged ready earlier and cut over
    # sooner (a real effect, see docs/model.md), so the property is stated for a fixed exit;
    # the plan alone (management's levers react to the backlog: tests/model/test_response.py)
    opts = {"policy.cutover": "fixed", "simulation.variability": "none", "response.enabled": False}
    changes = {**changes, "staffing.annual_attrition": 0.0}
    few = run(inputs(changes, opts)).scalars["peak_backlog"]
    more_changes = {**changes, "staffing.target_agents": changes["staffing.target_agents"] + extra}
    more = run(inputs(more_changes, opts)).scalars["peak_backlog"]
    assert more <= few + 1e-6


@settings(max_examples=30, deadline=None, derandomize=True)
@given(varied, st.floats(0, 1), st.floats(0, 1))
def test_higher_cooperation_never_loses_more_knowledge(
    changes: dict[str, float], c1: float, c2: float
) -> None:
    opts = {"policy.cutover": "fixed", "simulation.variability": "none", "response.enabled": False}
    lo, hi = sorted((c1, c2))
    low = run(
        inputs({**changes, "vendor.cooperation": lo, "vendor.cooperation_after_notice": lo}, opts)
    )
    high = run(
        inputs({**changes, "vendor.cooperation": hi, "vendor.cooperation_after_notice": hi}, opts)
    )
    assert high.scalars["knowledge_lost_domains"] <= low.scalars["knowledge_lost_domains"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(varied, options, st.integers(0, 2**32 - 1))
def test_unlimited_capacity_never_breaches(
    changes: dict[str, float], opts: dict[str, object], seed: int
) -> None:
    changes = {
        **changes,
        "vendor.tickets_per_agent_day": 1e9,
        "vendor.agents": 1,
        "staffing.tickets_per_agent_day": 1e9,
        "vendor.attrition_after_notice": 0.0,
        "staffing.target_agents": 12,
        "staffing.annual_attrition": 0.0,
        "staffing.onboarding_days": 0.0,
        "staffing.time_to_hire_days": 1.0,
        "phases.evaluation_weeks": 0.0,
        "staffing.offer_acceptance": 1.0,
        "policy.cutover_month": 6.0,
        "vendor.notice_months": 6.0,
    }
    r = run(inputs(changes, opts), seed)
    assert r.scalars["tickets_breached"] == 0
    assert r.scalars["disruption_cost"] == 0
    assert r.scalars["peak_backlog"] == 0
