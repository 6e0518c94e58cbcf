"""The transition model against a hand calculation, the closed-form status quo, and seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hand_case import HAND, discount, hand_inputs

from simulation.model import SCALAR_NAMES, SERIES_NAMES, run_transition, trace_frame
from simulation.model.inputs import ModelInputs, build_inputs
from simulation.scenario.types import Risk


def test_hand_calculation_fixed_cutover() -> None:
    r = run_transition(hand_inputs(), None, record_events=True)
    s = r.scalars
    # Phases: evaluation ends day 10; planning ends day 20; notice day 30; exit day 50.
    assert s["notice_month"] == pytest.approx(30 / 20)
    assert s["cutover_month"] == pytest.approx(50 / 20)
    assert s["extension_months"] == 0
    # Hiring: requisitions 1-2 run days 10-30, 3-4 days 30-50 (two at a time).
    hires = [day for day, msg in r.events if msg.startswith("hire starts")]
    assert hires == [30, 30, 50, 50]
    assert s["hires"] == 4 and s["leavers"] == 0
    # Knowledge: starts day 35 (first agents onboarded); domains done days 40 and 45.
    done = [day for day, msg in r.events if "transferred" in msg]
    assert done == [40, 45]
    assert s["knowledge_lost_domains"] == 0
    # Capacity per day: 0-34: vendor 50; 35-39: 50 + 2*12*0.5 = 62; 40-44: 50 + 24*0.75 = 68;
    # 45-49: 50 + 24 = 74; 50-54 (vendor gone, agents 3-4 onboarding): 24; 55-: 48.
    cap = r.monthly["effective_capacity"]
    assert cap[0] == pytest.approx(50)
    assert cap[1] == pytest.approx((15 * 50 + 5 * 62) / 20)
    assert cap[2] == pytest.approx((5 * 68 + 5 * 74 + 5 * 24 + 5 * 48) / 20)
    assert cap[3:] == pytest.approx([48] * 9)
    # Backlog: +16/day on days 50-54 (peak 80), then -8/day: 40 at day 59, 0 from day 64.
    assert s["peak_backlog"] == pytest.approx(80)
    assert r.monthly["backlog"][:4] == pytest.approx([0, 0, 40, 0])
    # SLA (1 day): cohorts 51..57 fall due with 8, 24, 40, 32, 24, 16, 8 open = 152 breaches,
    # each exactly one day late = 152 ticket-days.
    assert s["tickets_breached"] == pytest.approx(152)
    assert s["ticket_days_beyond_sla"] == pytest.approx(152)
    # Weekly compliance: weeks [50,55) 1-72/200, [55,60) 1-80/200, then 1.0: stable after
    # weeks [60,65) and [65,70) -> transition ends day 70 = month 3.5.
    assert s["sla_breach_weeks"] == 2
    assert s["transition_months"] == pytest.approx(3.5)
    assert s["stabilised"] == 1.0
    assert r.monthly["sla_compliance"][2] == pytest.approx(1 - 152 / 800)  # 20 days * 40 due
    assert r.monthly["internal_agents"][:3].tolist() == [0, 2, 4]
    assert r.monthly["vendor_agents"][:3].tolist() == [5, 5, 0]
    assert r.monthly["knowledge_transferred"][:3].tolist() == [0, 0, 1]

    # Costs, month by month (nominal):
    fee = 30000.0
    bs = np.array(
        [
            fee + 2500 + 25000,  # fee, manager from day 10 (half month), one-offs
            fee + 4000 + 3000 + 5000,  # fee, 20 agent-days * 200, 2 hires * 1500, manager
            fee / 2 + 5000 + 12000 + 3000 + 5000 + 500 + 152 * 5,  # + termination, tools
        ]
        + [16000 + 5000 + 1000] * 9  # 4 agents, manager, tools
    )
    sq = np.full(12, fee)
    disc = np.array([discount(m) for m in range(1, 13)])
    assert s["one_off_cost"] == pytest.approx(25000, abs=0.005)
    # overlap (vendor still paid, days 0-50): agents 1-2 on days 30-50 = 40 * 200, their
    # hiring 2 * 1500, manager days 10-50 = 40 * 250
    assert s["overlap_cost"] == pytest.approx(8000 + 3000 + 10000, abs=0.005)
    assert s["disruption_cost"] == pytest.approx(760, abs=0.005)
    assert s["termination_cost"] == pytest.approx(5000, abs=0.005)
    # one-off + overlap + termination + extension (0) + disruption until stabilisation (day 70:
    # all of it falls on days 50-57)
    assert s["transition_cost"] == pytest.approx(25000 + 21000 + 5000 + 760, abs=0.005)
    assert s["disruption_after_stabilisation_cost"] == 0
    assert s["backsourcing_npv"] == pytest.approx(float(np.sum(bs * disc)), abs=0.005)
    assert s["status_quo_npv"] == pytest.approx(float(np.sum(sq * disc)), abs=0.005)
    assert s["npv_savings"] == pytest.approx(float(np.sum((sq - bs) * disc)), abs=0.005)
    cum_bs, cum_sq = np.cumsum(bs * disc), np.cumsum(sq * disc)
    assert r.monthly["cost_backsourcing"] == pytest.approx(cum_bs, abs=0.005)
    assert r.monthly["cost_status_quo"] == pytest.approx(cum_sq, abs=0.005)
    # excess after month 3: 27,500 + 12,000 + 11,260 = 50,760, recovered 8,000 a month
    # (discounted) -> first at or below the status quo in month 10, and stays there.
    assert cum_bs[8] > cum_sq[8] and np.all(cum_bs[9:] <= cum_sq[9:])
    assert s["breakeven_month"] == 10


def test_hand_calculation_readiness_extends_one_month() -> None:
    # At the planned exit (day 50) only agents 1-2 are productive: 24 < 1.0 * 40 -> extend one
    # month; on day 70 all four give 48 >= 40 and both domains are known -> cut over.
    r = run_transition(hand_inputs("readiness"), None)
    s = r.scalars
    assert s["extension_months"] == 1
    assert s["cutover_month"] == pytest.approx(70 / 20)
    # extension premium: 15% of the fee for days 50-70 (half of month 3, half of month 4)
    assert s["extension_cost"] == pytest.approx(0.15 * 30000 * (0.5 + 0.5), abs=0.005)
    assert s["tickets_breached"] == 0
    assert s["transition_months"] >= s["cutover_month"]
    # overlap: agents 1-2 for 40 days, agents 3-4 for 20 days, 4 hires, manager days 10-70
    assert s["overlap_cost"] == pytest.approx(200 * (80 + 40) + 4 * 1500 + 250 * 60, abs=0.005)


def test_knowledge_lost_when_vendor_leaves_early() -> None:
    # 30-day domains, one session: domain 1 runs days 35-65, so at exit (50) both are lost and
    # rebuilt one after the other (rediscovery 10 days, 1 session): known again on days 60, 70.
    r = run_transition(
        hand_inputs(
            knowledge__transfer_days_per_domain=30, knowledge__rediscovery_days_per_domain=10
        ),
        None,
        record_events=True,
    )
    assert r.scalars["knowledge_lost_domains"] == 2
    assert r.scalars["knowledge_transferred_domains"] == 0
    rebuilt = [day for day, msg in r.events if "rebuilt" in msg]
    assert rebuilt == [60, 70]


def test_learning_curve_reaches_90_percent_at_ramp_up() -> None:
    # One agent, productive from day 15 (hire day 10 + 5 onboarding), p0 = 0.5, ramp-up 40 days:
    # capacity on day t = 10 * (1 - 0.5 exp(-(t - 15) / tau)), tau = 40 / ln(5).
    values = dict(HAND)
    values.update(
        {
            "phases.evaluation_weeks": 0,
            "phases.negotiation_weeks": 100,
            "phases.planning_weeks": 100,
            "staffing.target_agents": 1,
            "staffing.time_to_hire_days": 10,
            "staffing.ramp_up_days": 40,
            "staffing.initial_productivity": 0.5,
            "staffing.tickets_per_agent_day": 10,
            "vendor.agents": 0,
            "knowledge.domains": 0,
            "demand.tickets_per_day": 0,
        }
    )
    p = build_inputs(values, {"simulation.variability": "none"})
    r = run_transition(p, None)
    tau = 40 / math.log(5)
    days = np.arange(240.0)
    cap = np.where(days >= 15, 10 * (1 - 0.5 * np.exp(-(days - 15) / tau)), 0.0)
    assert r.monthly["effective_capacity"] == pytest.approx(cap.reshape(12, 20).mean(axis=1))
    assert 1 - 0.5 * math.exp(-40 / tau) == pytest.approx(0.9)


@pytest.mark.parametrize("increase", [0.0, 0.03, 0.1])
def test_status_quo_npv_is_growing_annuity(increase: float) -> None:
    fee, r, years = 12345.67, 0.07, 5
    p = hand_inputs(
        scenario__horizon_months=12 * years,
        scenario__discount_rate=r,
        vendor__monthly_fee=fee,
        vendor__annual_price_increase=increase,
    )
    v = (1 + r) ** (-1 / 12)
    year_annuity = v * (1 - v**12) / (1 - v)  # 12 monthly payments of 1, end of month
    q = (1 + increase) / (1 + r)
    growing = years if abs(q - 1) < 1e-15 else (1 - q**years) / (1 - q)
    expected = fee * year_annuity * growing
    got = run_transition(p, None).scalars["status_quo_npv"]
    assert got == pytest.approx(expected, rel=1e-12)


def _stochastic_inputs() -> ModelInputs:
    values = dict(HAND)
    values.update(
        {
            "staffing.annual_attrition": 0.4,
            "vendor.attrition_after_notice": 0.2,
            "staffing.offer_acceptance": 0.7,
            "staffing.ramp_up_days": 30,
            "risks.surge.occurs": 1,
            "risks.surge.at_month": 3,
            "risks.surge.extra_tickets_per_day": 20,
            "risks.surge.duration_days": 10,
        }
    )
    risks = (
        Risk("surge", "event", event="ticket_surge"),
        Risk("never", "event", event="staff_loss"),
    )
    return build_inputs(values, {"policy.cutover": "readiness"}, risks)


def test_stochastic_runs_reproducible_for_same_seed() -> None:
    p = _stochastic_inputs()
    a = run_transition(p, np.random.default_rng(42))
    b = run_transition(p, np.random.default_rng(42))
    c = run_transition(p, np.random.default_rng(43))
    assert dict(a.scalars) == dict(b.scalars)
    for k in SERIES_NAMES:
        np.testing.assert_array_equal(a.monthly[k], b.monthly[k])
    assert any(a.scalars[k] != c.scalars[k] for k in SCALAR_NAMES)
    assert dict(a.risks) == {"surge": True, "never": False}


def test_none_variability_draws_nothing() -> None:
    class Exploding:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"rng.{name} used under variability 'none'")

    p = hand_inputs(staffing__annual_attrition=0.5, vendor__attrition_after_notice=0.3)
    run_transition(p, Exploding())  # type: ignore[arg-type]


def test_outputs_complete_and_shaped() -> None:
    r = run_transition(_stochastic_inputs(), np.random.default_rng(1))
    assert tuple(r.scalars) == SCALAR_NAMES
    assert set(r.monthly) == set(SERIES_NAMES)
    assert all(len(r.monthly[k]) == 12 for k in SERIES_NAMES)
    frame = trace_frame(r)
    assert list(frame.columns) == list(SERIES_NAMES)
    assert frame.index[0] == 1 and len(frame) == 12
    assert r.events == ()


def test_build_inputs_shocks_and_required() -> None:
    risks = (
        Risk("slow", "scales", target="staffing.time_to_hire_days"),
        Risk("late", "adds_to", target="phases.negotiation_weeks"),
    )
    values = dict(HAND)
    values.update({"risks.slow.occurs": 1, "risks.slow.impact": 1.5})
    values.update({"risks.late.occurs": 0, "risks.late.impact": 3})
    p = build_inputs(values, {}, risks)
    assert p.time_to_hire_days == 30 and p.negotiation_weeks == 4
    assert dict(p.risk_flags) == {"slow": True, "late": False}
    assert p.one_off_total == 25000 and p.monthly_total == 1000
    missing = {k: v for k, v in HAND.items() if k != "staffing.salary_per_year"}
    with pytest.raises(ValueError, match="staffing.salary_per_year"):
        build_inputs(missing, {})
