"""The status quo as a simulated path (issue 15, section 1), against closed forms and hand
calculations: fee models, renewals, the vendor's service quality, governance, salaries that rise
on both sides, and a vendor that fails."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from hand_case import HAND, discount

from simulation.engine.run import simulate
from simulation.errors import ScenarioError
from simulation.model import SCALAR_NAMES, run_programme, run_transition
from simulation.model.fees import late_ticket_charge
from simulation.model.inputs import ModelInputs, build_inputs
from simulation.model.response_costs import response_by_day
from simulation.scenario.reader import check_inputs, load_scenario
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Risk

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

#: Every status-quo key at its neutral value, given explicitly.
NEUTRAL: dict[str, float] = {
    "vendor.minimum_fee": 0.0,
    "vendor.contract_end_month": 0,
    "vendor.renewal_term_months": 0,
    "vendor.renewal_price_change": 0.0,
    "vendor.retender_cost": 0.0,
    "vendor.sla_compliance": 1.0,
    "vendor.governance_share": 0.0,
    "vendor.emergency_transition_cost": 0.0,
    "staffing.salary_increase_per_year": 0.0,
}


def growing_annuity(fee: float, rate: float, increase: float, years: int) -> float:
    """``fee`` a month, paid at each month's end for ``years`` years, stepping up by
    ``increase`` each year, discounted at ``rate`` a year."""
    v = (1 + rate) ** (-1 / 12)
    year_annuity = v * (1 - v**12) / (1 - v)
    q = (1 + increase) / (1 + rate)
    return fee * year_annuity * (years if abs(q - 1) < 1e-15 else (1 - q**years) / (1 - q))


def inputs(
    *, policy: str = "fixed", options: dict[str, object] | None = None, **changes: float
) -> ModelInputs:
    return build_inputs(
        {**HAND, **{k.replace("__", "."): v for k, v in changes.items()}},
        {"policy.cutover": policy, "simulation.variability": "none", "response.enabled": False}
        | (options or {}),
    )


# the fee ------------------------------------------------------------------------------------


@pytest.mark.parametrize("increase", [0.0, 0.03])
def test_neutral_keys_reproduce_the_growing_annuity(increase: float) -> None:
    values = {
        **NEUTRAL,
        "scenario.horizon_months": 36,
        "scenario.discount_rate": 0.07,
        "vendor.monthly_fee": 12345.67,
        "vendor.annual_price_increase": increase,
    }
    p = inputs(
        options={"vendor.fee_model": "fixed"},
        **{k.replace(".", "__"): v for k, v in values.items()},
    )
    r = run_transition(p, None)
    assert r.scalars["status_quo_npv"] == pytest.approx(
        growing_annuity(12345.67, 0.07, increase, 3), rel=1e-12
    )
    assert r.scalars["status_quo_disruption_cost"] == 0.0
    assert r.scalars["status_quo_sla_compliance"] == 1.0
    # the same outputs as with none of the keys given
    plain = run_transition(
        inputs(
            scenario__horizon_months=36,
            scenario__discount_rate=0.07,
            vendor__monthly_fee=12345.67,
            vendor__annual_price_increase=increase,
        ),
        None,
    )
    assert dict(plain.scalars) == pytest.approx(dict(r.scalars), nan_ok=True, rel=0, abs=0)


def test_per_ticket_fee_without_growth_is_its_closed_form() -> None:
    # 40 tickets a day x 20 days = 800 tickets a month at 30 each: 24,000 a month, +3% a year
    p = inputs(
        options={"vendor.fee_model": "per_ticket"},
        scenario__horizon_months=48,
        scenario__discount_rate=0.05,
        vendor__monthly_fee=0,
        vendor__price_per_ticket=30,
        vendor__annual_price_increase=0.03,
    )
    got = run_transition(p, None).scalars["status_quo_npv"]
    assert got == pytest.approx(growing_annuity(30 * 40 * 20, 0.05, 0.03, 4), rel=1e-12)


def test_per_ticket_fee_with_a_fixed_part_growth_and_a_floor() -> None:
    # 2% growth a year: month m has sum over its days of 40 * 1.02^(d / 240) tickets; the fee is
    # 1,000 + 5 per ticket, at least 6,000 (which binds: 1,000 + 5 * ~800-816 < 6,000)
    def npv(floor: float) -> float:
        p = inputs(
            options={"vendor.fee_model": "per_ticket"},
            demand__growth_per_year=0.02,
            vendor__monthly_fee=1000,
            vendor__price_per_ticket=5,
            vendor__minimum_fee=floor,
        )
        return run_transition(p, None).scalars["status_quo_npv"]

    days = np.arange(240)
    tickets = (40 * 1.02 ** (days / 240)).reshape(12, 20).sum(axis=1)
    disc = np.array([discount(m) for m in range(1, 13)])
    assert npv(0) == pytest.approx(float(np.sum((1000 + 5 * tickets) * disc)), rel=1e-12)
    assert npv(6000) == pytest.approx(6000 * float(disc.sum()), rel=1e-12)


def test_per_ticket_backsourcing_pays_the_tickets_until_cutover() -> None:
    # cutover on day 50 (month 3, half of it): the vendor is paid 800 x 30 in months 1-2 and
    # half of month 3's, as the fixed fee of 24,000 would be
    fixed = run_transition(inputs(vendor__monthly_fee=24000), None).scalars
    per_ticket = run_transition(
        inputs(
            options={"vendor.fee_model": "per_ticket"},
            vendor__monthly_fee=0,
            vendor__price_per_ticket=30,
        ),
        None,
    ).scalars
    for name in ("backsourcing_npv", "status_quo_npv", "extension_cost"):
        assert per_ticket[name] == pytest.approx(fixed[name], rel=1e-12)


def test_a_surge_timed_from_cutover_is_not_the_status_quo_s() -> None:
    # 100 extra tickets a day for 10 days: from cutover (day 50) only the backsourcing path has
    # them; from programme start (day 50 too) both paths do, and the per-ticket fee counts them
    def status_quo(relative_to: str, at_month: float) -> float:
        values = {
            **HAND,
            "vendor.monthly_fee": 0,
            "vendor.price_per_ticket": 30,
            "risks.surge.occurs": 1,
            "risks.surge.at_month": at_month,
            "risks.surge.extra_tickets_per_day": 100,
            "risks.surge.duration_days": 10,
        }
        risks = (Risk("surge", "event", event="ticket_surge", relative_to=relative_to),)
        options = {
            "policy.cutover": "fixed",
            "simulation.variability": "none",
            "response.enabled": False,
            "vendor.fee_model": "per_ticket",
        }
        r = run_transition(build_inputs(values, options, risks), None)
        assert r.scalars["peak_backlog"] > 0  # the backsourcing path saw the surge
        return r.scalars["status_quo_npv"]

    plain = growing_annuity(30 * 40 * 20, 0.06, 0.0, 1)
    assert status_quo("cutover", 0.0) == pytest.approx(plain, rel=1e-12)
    assert status_quo("start", 2.5) == pytest.approx(plain + 30 * 1000 * discount(3), rel=1e-12)


# renewal and exit -------------------------------------------------------------------------------


def test_renewal_steps_and_retender_cost_by_hand() -> None:
    # contract ends after month 4, then every 3 months: months 1-4 at 30,000, 5-7 at +10%,
    # 8-10 at +21%, 11-12 at +33.1%; 2,000 re-tendering in months 5, 8 and 11
    p = inputs(
        vendor__contract_end_month=4,
        vendor__renewal_term_months=3,
        vendor__renewal_price_change=0.1,
        vendor__retender_cost=2000,
    )
    r = run_transition(p, None)
    fee = np.array([30000.0] * 4 + [33000.0] * 3 + [36300.0] * 3 + [39930.0] * 2)
    retender = np.zeros(12)
    retender[[4, 7, 10]] = 2000
    disc = np.array([discount(m) for m in range(1, 13)])
    np.testing.assert_allclose(
        r.monthly["cost_status_quo"], np.cumsum((fee + retender) * disc), rtol=1e-12
    )
    # the programme served notice on day 30 and left on day 50, before the first renewal: it
    # pays neither the new price nor the re-tendering, and owes the termination fee
    base = run_transition(inputs(), None).scalars
    assert r.scalars["backsourcing_npv"] == base["backsourcing_npv"]
    assert r.scalars["termination_cost"] == 5000


def test_backsourcing_pays_the_renewed_price_and_no_termination_fee_after_the_contract_end() -> (
    None
):
    # the contract ends after month 2 (day 40); notice day 30, cutover day 50: the term ending
    # after notice is not renewed, so no termination fee; the vendor stays on past its end at the
    # renewed price (+10%) for the 10 days of month 3, and no re-tendering is paid
    base = run_transition(inputs(), None).scalars
    r = run_transition(
        inputs(
            vendor__contract_end_month=2,
            vendor__renewal_price_change=0.1,
            vendor__retender_cost=2000,
        ),
        None,
    ).scalars
    assert r["termination_cost"] == 0.0
    extra = 0.1 * 30000 * 0.5 * discount(3) - 5000 * discount(3)
    assert r["backsourcing_npv"] - base["backsourcing_npv"] == pytest.approx(extra, abs=1e-6)


def test_a_renewal_before_notice_is_paid_by_both_paths() -> None:
    # the contract ends after month 1 (day 20), before notice (day 30): the programme renews as
    # usual (2,000 in month 2, +10% from month 2). Renewed once, the new term runs beyond the
    # horizon: leaving on day 50 ends it early, so the termination fee is owed.
    base = run_transition(inputs(), None).scalars
    changes = {
        "vendor__contract_end_month": 1,
        "vendor__renewal_price_change": 0.1,
        "vendor__retender_cost": 2000,
    }
    once = run_transition(inputs(**changes), None).scalars
    extra = 2000 * discount(2) + 3000 * discount(2) + 3000 * 0.5 * discount(3)
    assert once["backsourcing_npv"] - base["backsourcing_npv"] == pytest.approx(extra, abs=1e-6)
    assert once["termination_cost"] == 5000
    # with one-month terms the term running at notice ends on day 40: cutover on day 50 is after
    # it, so no termination fee (and the month-2 renewal is the only one before notice)
    monthly = run_transition(inputs(vendor__renewal_term_months=1, **changes), None).scalars
    assert monthly["termination_cost"] == 0.0
    extra = 2000 * discount(2) + 3000 * discount(2) + 6300 * 0.5 * discount(3) - 5000 * discount(3)
    assert monthly["backsourcing_npv"] - base["backsourcing_npv"] == pytest.approx(extra, abs=1e-6)


# the vendor's service quality and governance ----------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "charge"),
    [
        (None, 5 * 3.0),  # no cap: rate x mean lateness
        (10.0, 5 * 3.0 * (1 - math.exp(-2 / 3))),  # at most 2 days charged
        (0.0, 0.0),  # nothing charged
    ],
)
def test_vendor_quality_charge_by_hand(cap: float | None, charge: float) -> None:
    # 90% within SLA: 80 of the 800 tickets a month are late, each 3 days on average
    changes: dict[str, float] = {"vendor__sla_compliance": 0.9, "vendor__late_days": 3}
    if cap is not None:
        changes["costs__disruption_cap_per_ticket"] = cap
    p = inputs(**changes)
    assert late_ticket_charge([run_programme(p, None)])[0] == pytest.approx(charge, rel=1e-12)
    r = run_transition(p, None)
    disc = np.array([discount(m) for m in range(1, 13)])
    assert r.scalars["status_quo_disruption_cost"] == pytest.approx(12 * 80 * charge, rel=1e-12)
    assert r.scalars["status_quo_npv"] == pytest.approx(
        float(np.sum((30000 + 80 * charge) * disc)), rel=1e-12
    )
    assert r.scalars["status_quo_sla_compliance"] == pytest.approx(0.9, rel=1e-12)
    # backsourcing: the vendor alone serves days 0-34 (agents 1-2 onboard until day 35), then
    # shares the work by capacity: 50 of 62 on days 35-39, 50 of 68 on days 40-44, 50 of 74 on
    # days 45-49, and leaves on day 50
    served = 40 * (35 + 5 * 50 / 62 + 5 * 50 / 68 + 5 * 50 / 74)
    assert r.scalars["vendor_disruption_cost"] == pytest.approx(0.1 * served * charge, rel=1e-12)


def _alike(stochastic: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """The hand case whose vendor serves alone for its first months (evaluation to day 40,
    first hires on day 60), with no cost but the vendor's: fee, governance and late tickets."""
    values = {
        **HAND,
        "phases.evaluation_weeks": 8,
        "staffing.managers": 0,
        "costs.one_off_setup": 0,
        "costs.one_off_migration": 0,
        "vendor.sla_compliance": 0.8,
        "vendor.late_days": 4,
        "vendor.governance_share": 0.05,
    }
    options = {"policy.cutover": "fixed", "response.enabled": False}
    if not stochastic:
        options["simulation.variability"] = "none"
    p = build_inputs(values, options)
    r = run_transition(p, np.random.default_rng(7) if stochastic else None)
    first_hire = 2 if stochastic else 3  # months before anyone internal works a ticket
    return r.monthly["cost_backsourcing"], r.monthly["cost_status_quo"], first_hire


@pytest.mark.parametrize("stochastic", [False, True])
def test_both_paths_are_charged_alike_while_the_vendor_serves_alone(stochastic: bool) -> None:
    bs, sq, months = _alike(stochastic)
    assert sq[0] > 30000 * 1.05 * discount(1)  # late tickets are charged
    np.testing.assert_array_equal(bs[:months], sq[:months])


def test_governance_is_paid_on_the_fee_while_the_vendor_is_engaged() -> None:
    base = run_transition(inputs(), None).scalars
    r = run_transition(inputs(vendor__governance_share=0.1), None).scalars
    disc = np.array([discount(m) for m in range(1, 13)])
    assert r["status_quo_npv"] == pytest.approx(1.1 * base["status_quo_npv"], rel=1e-12)
    # backsourcing: 10% of the fee for months 1-2 and half of month 3 (cutover day 50)
    extra = 3000 * (disc[0] + disc[1] + 0.5 * disc[2])
    assert r["backsourcing_npv"] - base["backsourcing_npv"] == pytest.approx(extra, abs=1e-6)


def test_steady_compliance_of_a_vendor_that_never_leaves_equals_the_status_quo() -> None:
    # notice after the horizon: the vendor serves alone all year, both paths measured alike
    p = inputs(
        phases__evaluation_weeks=60,
        vendor__sla_compliance=0.85,
        vendor__late_days=2,
    )
    s = run_transition(p, None).scalars
    assert s["steady_sla_compliance"] == pytest.approx(0.85, rel=1e-12)
    assert s["status_quo_sla_compliance"] == pytest.approx(0.85, rel=1e-12)
    assert s["vendor_disruption_cost"] == pytest.approx(s["status_quo_disruption_cost"], rel=1e-12)


# salaries that rise -----------------------------------------------------------------------------


def test_the_in_house_team_s_own_misses_are_charged_like_the_vendor_s() -> None:
    """staffing.sla_compliance 0.9 (late tickets 2 days late, 5 a ticket-day: 10 each): from
    the month after cutover (day 50) the team serves all 40 × 20 tickets a month, 80 of them
    late: 800 a month more disruption; before it, only the team's share of the tickets. The
    queue, the transition cost and the status quo do not move."""
    base = run_transition(inputs(vendor__late_days=2), None)
    own = run_transition(inputs(vendor__late_days=2, staffing__sla_compliance=0.9), None)
    diff = _flows(own) - _flows(base)
    np.testing.assert_allclose(diff[3:], 800.0, rtol=1e-9)
    assert 0.0 < diff[:3].sum() < 3 * 800.0
    for name in ("peak_backlog", "ticket_days_beyond_sla", "transition_cost", "status_quo_npv"):
        assert own.scalars[name] == base.scalars[name], name
    assert own.scalars["steady_sla_compliance"] < 0.91
    with pytest.raises(ValueError, match=r"vendor.late_days: is required when staffing"):
        inputs(staffing__sla_compliance=0.9)


def test_salary_increase_by_hand() -> None:
    # 24 months; from month 13 every salary is 10% higher: the 4 agents cost 17,600 a month and
    # the manager 5,500. Notice in month 12 keeps the vendor until day 270, so the overlap runs
    # 30 days into year 2: agents 1-2 from day 30, 3-4 from day 50 (800 agent-days of year 1 at
    # 200, 4 x 30 of year 2 at 220), 4 hires at 1,500, the manager days 10-270 (230 at 250, 30
    # at 275).
    def run(increase: float) -> dict[str, float]:
        p = inputs(
            scenario__horizon_months=24,
            vendor__notice_months=12,
            staffing__salary_increase_per_year=increase,
        )
        return dict(run_transition(p, None).scalars)

    base, raised = run(0.0), run(0.1)
    assert raised["overlap_cost"] == pytest.approx(
        800 * 200 + 120 * 220 + 4 * 1500 + 230 * 250 + 30 * 275, abs=1e-6
    )
    # after the cutover (day 270, month 14) the agents and the manager cost 10% more in every
    # month of year 2: 30 days of month 13 before the cutover, all of months 13-24 after it
    year2 = sum(discount(m) for m in range(13, 25))
    extra = 0.1 * (16000 + 5000) * year2
    assert raised["backsourcing_npv"] - base["backsourcing_npv"] == pytest.approx(extra, abs=1e-6)
    assert raised["status_quo_npv"] == base["status_quo_npv"]


def test_agency_and_overtime_rise_with_salaries() -> None:
    # an agency agent on days 230-250 and overtime for 4 agents on days 235-245, across the
    # anniversary on day 240: 1.45 x 200 = 290 a day of agency, 4 x 200 x 0.25 x 1.25 = 250 a day
    # of overtime, both 10% more from day 240
    p = build_inputs(
        {**HAND, "staffing.salary_increase_per_year": 0.1, "scenario.horizon_months": 24},
        {"simulation.variability": "none", "policy.cutover": "fixed"},
    )
    record = dataclasses.replace(
        run_programme(p, None), agency_periods=((230.0, 250.0),), hypercare_periods=()
    )
    n = 480
    heads = np.full((1, n), 4.0)
    overtime = np.zeros((1, n))
    overtime[0, 235:245] = 1.0
    got = response_by_day([record], heads, overtime, np.zeros((1, n)), 20)["cost"][0]
    expected = np.zeros(n)
    expected[230:250] += 290
    expected[235:245] += 250
    expected[240:] *= 1.1
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# a vendor that fails ----------------------------------------------------------------------------


def _failure(
    at_month: float, relative_to: str = "start", policy: str = "fixed", **changes: float
) -> ModelInputs:
    values = {
        **HAND,
        "vendor.emergency_transition_cost": 50000,
        "risks.bust.occurs": 1,
        "risks.bust.at_month": at_month,
        **{k.replace("__", "."): v for k, v in changes.items()},
    }
    risks = (Risk("bust", "event", event="vendor_failure", relative_to=relative_to),)
    options = {"policy.cutover": policy, "simulation.variability": "none"}
    return build_inputs(values, options | {"response.enabled": False}, risks)


def _flows(r: object, name: str = "cost_backsourcing") -> np.ndarray:
    """Undiscounted monthly cash flows of one path of a run."""
    cum = r.monthly[name]  # type: ignore[attr-defined]
    disc = np.array([discount(m) for m in range(1, len(cum) + 1)])
    return np.diff(np.concatenate([[0.0], cum])) / disc


def test_vendor_failure_before_cutover_hands_its_part_to_a_replacement() -> None:
    # handover: domain 1 done on day 40, domain 2 in its session until day 45; the vendor fails
    # on day 42: a replacement serves on to the planned exit (day 50) on the same terms, domain 2
    # is lost (and rebuilt), no termination fee is owed, and both paths pay the emergency
    # transition (50,000) in month 3
    r = run_transition(_failure(2.1), None, record_events=True)
    s = r.scalars
    base = run_transition(inputs(), None).scalars
    assert base["knowledge_lost_domains"] == 0 and base["cutover_month"] == 2.5
    assert s["cutover_month"] == 2.5
    assert s["knowledge_lost_domains"] == 1 and s["knowledge_transferred_domains"] == 1
    assert s["termination_cost"] == 0.0
    np.testing.assert_array_equal(r.monthly["vendor_agents"][:3], [5, 5, 0])
    assert any("vendor fails" in msg for _, msg in r.events)
    assert dict(r.risks) == {"bust": True}
    calm = run_transition(_failure(2.1, vendor__emergency_transition_cost=0), None)
    emergency = np.zeros(12)
    emergency[2] = 50000.0
    np.testing.assert_allclose(_flows(r) - _flows(calm), emergency, atol=1e-6)
    np.testing.assert_allclose(
        _flows(r, "cost_status_quo") - _flows(calm, "cost_status_quo"), emergency, atol=1e-6
    )
    # status quo: the emergency transition in month 3, the fee goes on
    disc = np.array([discount(m) for m in range(1, 13)])
    assert s["status_quo_npv"] == pytest.approx(30000 * disc.sum() + 50000 * disc[2], rel=1e-12)


def test_vendor_failure_before_notice_loses_every_domain_and_the_plan_goes_on() -> None:
    # day 20: before notice (day 30) and before any handover: both domains lost; the team is
    # hired and the replacement leaves at the planned exit, as planned
    s = run_transition(_failure(1.0), None).scalars
    assert s["cutover_month"] == 2.5
    assert s["knowledge_lost_domains"] == 2 and s["knowledge_transferred_domains"] == 0
    assert s["hires"] == 4
    assert s["extension_months"] == 0


def test_readiness_counts_rebuilt_domains_after_a_failure() -> None:
    """Under the readiness rule the team is ready once it has rebuilt the domains the failed
    vendor took with it (the replacement hands nothing over): the cutover waits for that."""
    values = {"policy.readiness_knowledge": 1.0, "knowledge.rediscovery_days_per_domain": 30}
    failed = run_transition(
        _failure(1.0, **{k.replace(".", "__"): v for k, v in values.items()}, policy="readiness"),
        None,
    ).scalars
    assert failed["knowledge_lost_domains"] == 2
    # rebuilt one at a time, 30 days each, from the failure on day 20: on days 50 and 80. The
    # exit, due on day 50, is checked month by month: days 50 and 70 find one domain known, day
    # 90 both: two extension months, cutover in month 4.5
    assert failed["cutover_month"] == 4.5 and failed["extension_months"] == 2


def test_vendor_failure_after_cutover_changes_only_the_status_quo() -> None:
    base = run_transition(inputs(), None).scalars
    s = run_transition(_failure(6.0), None).scalars
    differs = {k for k in SCALAR_NAMES if not _same(s[k], base[k])}
    assert differs == {"status_quo_npv", "npv_savings", "breakeven_month"} or differs == {
        "status_quo_npv",
        "npv_savings",
    }
    assert s["status_quo_npv"] - base["status_quo_npv"] == pytest.approx(
        50000 * discount(7), rel=1e-12
    )


def test_vendor_failure_timed_from_notice_is_the_programme_s_alone() -> None:
    # notice on day 30; failure 0.6 months later = day 42: the programme's vendor fails (domain 2,
    # in its session, is lost), but the status quo has no notice, so no emergency transition there
    s = run_transition(_failure(0.6, relative_to="notice"), None).scalars
    base = run_transition(inputs(), None).scalars
    assert s["cutover_month"] == 2.5 and s["knowledge_lost_domains"] == 1
    assert s["status_quo_npv"] == base["status_quo_npv"]
    assert s["backsourcing_npv"] > base["backsourcing_npv"]


def test_no_hypercare_from_a_failed_vendor() -> None:
    # 3 agents (36 tickets a day against 40) and no lever but hypercare: after an ordinary
    # cutover (day 50) the vendor's agents are called back; after a failure (day 42) they cannot be
    def hypercare(failure: bool) -> float:
        values = {**HAND, "staffing.target_agents": 3}
        risks: tuple[Risk, ...] = ()
        if failure:
            values.update({"risks.bust.occurs": 1, "risks.bust.at_month": 2.1})
            risks = (Risk("bust", "event", event="vendor_failure"),)
        options = {
            "policy.cutover": "fixed",
            "simulation.variability": "none",
            "response.agency": False,
            "response.resize": False,
            "response.overtime": False,
        }
        p = build_inputs(values, options, risks)
        return run_transition(p, None).scalars["hypercare_agent_days"]

    assert hypercare(failure=False) > 0
    assert hypercare(failure=True) == 0


# paired streams ---------------------------------------------------------------------------------


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_status_quo_keys_leave_the_backsourcing_streams_unchanged(tmp_path: Path) -> None:
    """Keys of the status quo (re-tendering, a renewal after the exit, an emergency transition,
    the vendor's SLA) do not move a single draw of the backsourcing path: every output of the
    programme is bit for bit the same; its cost moves only by the vendor's late tickets before
    cutover (nominal ``vendor_disruption_cost``, discounted in ``backsourcing_npv``)."""
    extra = tmp_path / "sq.toml"
    extra.write_text(
        f'extends = "{MINIMAL}"\n'
        "[vendor]\n"
        "contract_end_month = 20\n"
        'renewal_price_change = { dist = "uniform", low = 0.0, high = 0.3 }\n'
        "retender_cost = 10000\n"
        "emergency_transition_cost = 80000\n"
        'sla_compliance = { dist = "pert", min = 0.7, mode = 0.85, max = 0.95 }\n'
        "late_days = 3\n"
        "[[risks]]\n"
        'name = "bust"\n'
        "probability = 0.5\n"
        'event = "vendor_failure"\n'
        "window_start_month = 20\n"
        "window_end_month = 23\n"
    )
    a = simulate(load_scenario(MINIMAL), RunOptions(40, seed=3, jobs=1))
    b = simulate(load_scenario(extra), RunOptions(40, seed=3, jobs=1))
    col = {name: j for j, name in enumerate(SCALAR_NAMES)}
    cost_of_status_quo = {
        "backsourcing_npv",
        "status_quo_npv",
        "npv_savings",
        "breakeven_month",
        "steady_sla_compliance",
        "status_quo_disruption_cost",
        "vendor_disruption_cost",
        "status_quo_sla_compliance",
    }
    for name, j in col.items():
        if name not in cost_of_status_quo:
            np.testing.assert_array_equal(a.scalars[:, j], b.scalars[:, j], err_msg=name)
    vendor = b.scalars[:, col["vendor_disruption_cost"]]
    moved = b.scalars[:, col["backsourcing_npv"]] - a.scalars[:, col["backsourcing_npv"]]
    assert np.all(vendor > 0)
    assert np.all((moved > 0) & (moved <= vendor * (1 + 1e-12)))
    # the status quo is now a distribution, dearer than the fee alone
    sq = b.scalars[:, col["status_quo_npv"]]
    assert np.ptp(sq) > 0 and np.all(sq > a.scalars[:, col["status_quo_npv"]])
    assert np.all(a.scalars[:, col["vendor_disruption_cost"]] == 0)


# bad input --------------------------------------------------------------------------------------


def test_a_risk_that_can_make_the_vendor_late_needs_its_late_days(tmp_path: Path) -> None:
    path = tmp_path / "risky.toml"
    path.write_text(
        f'extends = "{MINIMAL}"\n'
        "[[risks]]\n"
        'name = "sloppy"\n'
        "probability = 0.3\n"
        'scales = "vendor.sla_compliance"\n'
        "impact = 0.8\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert exc.value.messages == [
        f"{path}: vendor.late_days: is required when vendor.sla_compliance can be below 1 "
        "(mean working days beyond the SLA of a late vendor ticket)"
    ]


def test_a_sweep_that_makes_the_vendor_late_is_refused_before_it_runs() -> None:
    from simulation.analysis.sweep import apply_setting

    variant = apply_setting(load_scenario(MINIMAL), {"vendor.sla_compliance": 0.9})
    assert check_inputs(variant) == [
        "vendor.late_days: is required when vendor.sla_compliance can be below 1 (mean working "
        "days beyond the SLA of a late vendor ticket)"
    ]
    assert check_inputs(apply_setting(load_scenario(MINIMAL), {"vendor.sla_compliance": 1})) == []


def test_build_inputs_refuses_what_the_reader_refuses() -> None:
    with pytest.raises(ValueError, match="vendor.price_per_ticket: is required"):
        inputs(options={"vendor.fee_model": "per_ticket"})
    with pytest.raises(ValueError, match="vendor.late_days: is required"):
        inputs(vendor__sla_compliance=0.9)
    with pytest.raises(ValueError, match="vendor.fee_model: unknown value 'flat'"):
        inputs(options={"vendor.fee_model": "flat"})
