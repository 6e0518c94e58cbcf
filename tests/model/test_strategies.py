"""Transition strategies (waves, selective), staff transfer and switching vendor (issue 15).

Each reduction of the issue is a test: one wave of share 1 and ``selective`` with nothing
retained are the big bang exactly; zero transfer offers are today's model exactly; an incoming
vendor with the in-house team's parameters gives the same queue. Deterministic cases are
checked against figures worked out by hand from the inputs (``HAND`` in tests/model/test_model.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hand_case import HAND

from simulation.engine.run import simulate
from simulation.model import run_programme, run_transition
from simulation.model.inputs import ModelInputs, build_inputs
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Risk, Wave

ROOT = Path(__file__).resolve().parents[2]
IT = ROOT / "scenarios" / "it_helpdesk.toml"


def _hand(
    strategy: str = "big_bang",
    waves: tuple[Wave, ...] = (),
    incoming: str = "in_house",
    **changes: float,
) -> ModelInputs:
    values = {**HAND, **{k.replace("__", "."): v for k, v in changes.items()}}
    options = {
        "policy.cutover": "fixed",
        "simulation.variability": "none",
        "response.enabled": False,
        "policy.strategy": strategy,
        "incoming.kind": incoming,
    }
    return build_inputs(values, options, waves=waves)


def _child(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{IT.as_posix()}"\n[scenario]\nname = "{name}"\n{body}')
    return path


def _raw(path: Path, n: int = 40) -> list[np.ndarray]:
    raw = simulate(load_scenario(path), RunOptions(n, seed=7, jobs=1))
    return [raw.scalars, raw.monthly, raw.risks]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# reductions to the big bang ----------------------------------------------


def test_one_wave_of_everything_is_the_big_bang(tmp_path: Path) -> None:
    wave = _child(
        tmp_path,
        "one_wave",
        '[policy]\nstrategy = "waves"\n[[waves]]\nname = "all"\nshare = 1.0\nearliest_month = 2\n',
    )
    _same(_raw(IT), _raw(wave))


def test_selective_with_nothing_retained_is_the_big_bang(tmp_path: Path) -> None:
    sel = _child(tmp_path, "sel0", '[policy]\nstrategy = "selective"\nretained_share = 0.0\n')
    _same(_raw(IT), _raw(sel))


def test_zero_transfer_offers_is_todays_model(tmp_path: Path) -> None:
    """Every other transfer key set to a non-neutral value: with no offer, nothing changes."""
    body = (
        "[staffing]\ntransfer_offers = 0\ntransfer_acceptance = 0.5\n"
        "transfer_salary_premium = 0.3\nretention_bonus = 9000\ntransfer_attrition = 0.9\n"
    )
    _same(_raw(IT), _raw(_child(tmp_path, "no_offers", body)))


def test_an_incoming_vendor_like_the_team_leaves_the_queue_unchanged(tmp_path: Path) -> None:
    """A new vendor whose team has the in-house team's parameters (and never misses the SLA by
    contract): the same hires, leavers, cutover and queue in every iteration; only the cost
    lines differ."""
    body = '[incoming]\nkind = "vendor"\nmonthly_fee = 80000\nsla_compliance = 1.0\n'
    path = _child(tmp_path, "switch", body)
    inhouse, vendor = _raw(IT), _raw(path)
    from simulation.model import SCALAR_NAMES, SERIES_NAMES

    queue = (
        "cutover_month",
        "peak_backlog",
        "tickets_breached",
        "ticket_days_beyond_sla",
        "hires",
        "leavers",
        "knowledge_lost_domains",
        "disruption_cost",
        "stabilised",
    )
    for name in queue:
        j = SCALAR_NAMES.index(name)
        np.testing.assert_array_equal(inhouse[0][:, j], vendor[0][:, j], err_msg=name)
    for name in ("backlog", "internal_agents", "vendor_agents", "sla_compliance"):
        j = SERIES_NAMES.index(name)
        np.testing.assert_array_equal(inhouse[1][:, j], vendor[1][:, j], err_msg=name)
    j = SCALAR_NAMES.index("backsourcing_npv")
    assert not np.array_equal(inhouse[0][:, j], vendor[0][:, j])


# waves, by hand ----------------------------------------------

#: HAND: evaluation ends on day 10, notice on day 30, the big bang's planned exit is day 50 (20
#: working days a month); vendor 5 agents, team 4, 2 domains, fee 30,000 a month.
TWO_WAVES = (Wave("first", 0.5, 0.0), Wave("second", 0.5, 5.0))


def test_two_waves_by_hand() -> None:
    p = _hand("waves", TWO_WAVES)
    rec = run_programme(p, None)
    # wave 2's planned exit is month 5 (day 100); its requisitions open as long before it as
    # the first wave's (50 - 10 = 40 days): day 60; its notice ends at its exit: day 80
    assert rec.wave_planned == (50.0, 100.0)
    assert rec.wave_cutover == (50.0, 100.0)
    assert rec.first_cutover_day == 50.0 and rec.cutover_day == 100.0
    # two requisitions at day 10 (round(4 × 0.5)), two more at day 60; 20 days to hire
    assert sorted(rec.hired) == [30.0, 30.0, 80.0, 80.0]
    assert rec.lost == 0 and rec.transferred == 2
    r = run_transition(p, None)
    # vendor teams of round(5 × 0.5) = 3 and 2 agents: 5 until day 50, 2 until day 100
    vendor = r.monthly["vendor_agents"]
    np.testing.assert_array_equal(vendor[:6], [5, 5, 2, 2, 2, 0])
    assert r.scalars["cutover_month"] == 5.0
    assert r.scalars["hires"] == 4
    # the fee pro rata: months 1-2 whole; month 3 (days 40-60) 0.5 × 0.5 + 0.5 = 0.75;
    # months 4-5 half; then nothing. Termination: 5,000 × 0.5 at each wave's exit (months 3, 6)
    assert r.scalars["termination_cost"] == pytest.approx(5000.0)
    fee = np.array([1, 1, 0.75, 0.5, 0.5] + [0] * 7) * 30000.0
    fee[[2, 5]] += 2500.0
    free = run_transition(
        _hand("waves", TWO_WAVES, vendor__monthly_fee=0, vendor__termination_fee=0), None
    )
    np.testing.assert_allclose(_flows(r) - _flows(free), fee, atol=1e-6)
    # overlap: the internal cost of each month (salaries 200 a day from days 30 and 80, 1,500 a
    # hire, the manager 5,000 a month from day 10) × the share not yet taken back (1, 1, 0.75,
    # 0.5, 0.5, then 0): after wave 1's cutover only wave 2's share runs double
    overlap = 2500 + (4000 + 3000 + 5000) + (8000 + 5000) * 0.75 + (8000 + 5000) * 0.5
    overlap += (16000 + 3000 + 5000) * 0.5
    assert r.scalars["overlap_cost"] == pytest.approx(overlap)


def _failing(at_month: float, strategy: str, waves: tuple[Wave, ...] = (), **changes: float):
    """``_hand`` with a ``vendor_failure`` at ``at_month`` from programme start (emergency
    transition 50,000)."""
    values = {
        **HAND,
        "vendor.emergency_transition_cost": 50000,
        "risks.bust.occurs": 1,
        "risks.bust.at_month": at_month,
        **{k.replace("__", "."): v for k, v in changes.items()},
    }
    options = {
        "policy.cutover": "fixed",
        "simulation.variability": "none",
        "response.enabled": False,
        "policy.strategy": strategy,
    }
    risks = (Risk("bust", "event", event="vendor_failure"),)
    return build_inputs(values, options, risks, waves=waves)


def test_a_vendor_failure_between_waves_hands_the_rest_to_a_replacement() -> None:
    """The vendor fails on day 55, after wave 1's cutover (day 50, its 2,500 share of the
    termination fee owed): a replacement serves wave 2 to its planned exit (day 100) on the
    same terms, owing no termination fee, at wave 2's share of the emergency transition
    (25,000 in month 3). Nothing was left to hand over: no domain is lost."""
    p = _failing(2.75, "waves", TWO_WAVES)
    rec = run_programme(p, None)
    assert rec.failure_day == 55.0
    assert rec.wave_cutover == (50.0, 100.0) and rec.cutover_day == 100.0
    assert sorted(rec.hired) == [30.0, 30.0, 80.0, 80.0] and rec.lost == 0
    r = run_transition(p, None)
    assert r.scalars["termination_cost"] == pytest.approx(2500.0)
    np.testing.assert_array_equal(r.monthly["vendor_agents"][:6], [5, 5, 2, 2, 2, 0])
    calm = run_transition(
        _failing(2.75, "waves", TWO_WAVES, vendor__emergency_transition_cost=0), None
    )
    emergency = np.zeros(12)
    emergency[2] = 25000.0
    np.testing.assert_allclose(_flows(r) - _flows(calm), emergency, atol=1e-6)


def test_a_vendor_failure_hands_the_kept_part_to_a_replacement() -> None:
    """Selective (40% kept) and the vendor fails on day 80, after cutover: the kept part goes on
    at the same capacity and fee with a replacement vendor, at 40% of the emergency transition
    (20,000 in month 5); the staying-outsourced path pays all of it (50,000)."""
    p = _failing(4.0, "selective", policy__retained_share=0.4)
    r = run_transition(p, None)
    base = run_transition(_hand("selective", policy__retained_share=0.4), None)
    assert set(r.monthly["vendor_agents"][2:]) == {2.0}
    extra = np.zeros(12)
    extra[4] = 20000.0
    np.testing.assert_allclose(_flows(r) - _flows(base), extra, atol=1e-6)
    assert r.scalars["termination_cost"] == base.scalars["termination_cost"]
    for name in ("peak_backlog", "ticket_days_beyond_sla", "cutover_month"):
        assert r.scalars[name] == base.scalars[name], name
    sq = r.scalars["status_quo_npv"] - base.scalars["status_quo_npv"]
    assert sq == pytest.approx(50000 * 1.06 ** (-5 / 12), rel=1e-12)


def _flows(r: object) -> np.ndarray:
    """Undiscounted monthly cash flows of the backsourcing path of a run."""
    cum = r.monthly["cost_backsourcing"]  # type: ignore[attr-defined]
    disc = 1.06 ** (-np.arange(1, len(cum) + 1) / 12.0)
    return np.diff(np.concatenate([[0.0], cum])) / disc


def test_selective_by_hand() -> None:
    """40% retained: the team takes round(4 × 0.6) = 2 seats and round(2 × 0.6) = 1 domain;
    the vendor keeps 5 - round(5 × 0.6) = 2 agents for good, at 40% of the fee."""
    p = _hand("selective", policy__retained_share=0.4)
    rec = run_programme(p, None)
    assert rec.wave_cutover == (50.0,)
    assert len(rec.hired) == 2
    r = run_transition(p, None)
    vendor = r.monthly["vendor_agents"]
    assert list(vendor[:2]) == [5, 5] and set(vendor[2:]) == {2.0}
    assert r.scalars["termination_cost"] == pytest.approx(5000.0 * 0.6)
    assert r.scalars["knowledge_lost_domains"] == 0
    assert r.monthly["knowledge_transferred"][-1] == 1.0  # 1 of its 1 domain


def test_waves_lose_only_their_own_domains() -> None:
    """No cooperation: nothing is handed over. Each wave loses its own domains at its own
    cutover (2 of 4 at day 50, 2 more at day 100), not the later waves' ones."""
    p = _hand(
        "waves",
        TWO_WAVES,
        knowledge__domains=4,
        vendor__cooperation=0.0,
        vendor__cooperation_after_notice=0.0,
    )
    rec = run_programme(p, None, record_events=True)
    assert rec.lost == 4
    lost = [t for t, msg in rec.log if "domain(s) lost" in msg]
    assert lost == [50.0, 100.0]
    notes = [msg for t, msg in rec.log if "domain(s) lost" in msg]
    assert notes[0].endswith("2 domain(s) lost") and notes[1].endswith("4 domain(s) lost")


def test_waves_cut_over_by_readiness_one_after_another() -> None:
    """Readiness per wave: the second wave waits until the team covers both waves' demand."""
    p = build_inputs(
        {**HAND, "staffing.time_to_hire_days": 60},
        {
            "policy.cutover": "readiness",
            "simulation.variability": "none",
            "response.enabled": False,
            "policy.strategy": "waves",
        },
        waves=(Wave("a", 0.5, 0.0), Wave("b", 0.5, 0.0)),
    )
    rec = run_programme(p, None)
    first, second = rec.wave_cutover
    assert first <= second
    # wave 1 needs 0.5 × 40 = 20 tickets a day: two agents (24 a day) hired on day 70
    # (productive day 75): ready at the first month-end after that
    assert first == 50.0 + 2 * 20.0
    assert second > first


# staff transfer, by hand ----------------------------------------------


def test_transferring_every_vendor_agent_by_hand() -> None:
    """All 5 vendor agents offered, all accept, on notice day 30: a team of 5 at full
    productivity knowing both domains, no requisition, nothing lost; the vendor has no agent
    left. Pay: 200 a day × 1.1, and a 1,000 bonus each in month 2."""
    p = _hand(
        staffing__target_agents=5,
        staffing__transfer_offers=5,
        staffing__transfer_acceptance=1.0,
        staffing__transfer_salary_premium=0.1,
        staffing__retention_bonus=1000,
    )
    rec = run_programme(p, None)
    assert rec.hires == 0 and rec.transferred_agents == 5
    assert rec.hired == [30.0] * 5 and all(rec.moved)
    assert rec.lost == 0 and rec.transferred == 2
    r = run_transition(p, None)
    cap = r.monthly["effective_capacity"]
    assert cap[2] == pytest.approx(5 * 12.0)  # month 3: internal only, every domain known
    assert r.monthly["vendor_agents"][1] == 0.0
    assert r.scalars["hires"] == 0
    # the same run with its pay lines zeroed shows what the team cost, month by month
    base = _hand(
        staffing__target_agents=5,
        staffing__transfer_offers=5,
        staffing__transfer_acceptance=1.0,
        staffing__salary_per_year=0,
        staffing__transfer_salary_premium=0.1,
        staffing__retention_bonus=0,
    )
    team = np.array([0.0, 5 * 10 * 220.0 + 5000.0] + [5 * 20 * 220.0] * 10)
    np.testing.assert_allclose(_flows(r) - _flows(run_transition(base, None)), team, rtol=1e-9)


def test_declined_offers_are_hired_from_the_market() -> None:
    """Offers of 4, half accepted ("none": 2): at day 10 no requisition for the 4 seats
    offered; at notice (day 30) 2 join and the 2 declined seats are advertised (hired 20 days
    later)."""
    p = _hand(staffing__transfer_offers=4, staffing__transfer_acceptance=0.5)
    rec = run_programme(p, None)
    assert rec.transferred_agents == 2
    assert sorted(rec.hired) == [30.0, 30.0, 50.0, 50.0]
    assert rec.moved.count(True) == 2 and rec.hires == 2
    assert rec.transferred == 2  # round(2 / 5 × 2) = 1 domain carried, 1 handed over


def test_transferred_agents_leave_at_their_own_rate() -> None:
    """Transferred agents with attrition 0 and market hires with a high one: only market hires
    leave."""
    rng = np.random.default_rng(3)
    p = build_inputs(
        {
            **HAND,
            "staffing.transfer_offers": 3,
            "staffing.transfer_acceptance": 1.0,
            "staffing.transfer_attrition": 0.0,
            "staffing.annual_attrition": 3.0,
        },
        {"policy.cutover": "fixed", "response.enabled": False},
    )
    rec = run_programme(p, rng)
    moved_left = [b for b, m in zip(rec.left, rec.moved, strict=True) if m and b < math.inf]
    others_left = [b for b, m in zip(rec.left, rec.moved, strict=True) if not m and b < math.inf]
    assert rec.leavers > 0 and not moved_left and others_left


# switching vendor, by hand ----------------------------------------------


def test_switching_vendor_cost_lines_by_hand() -> None:
    """The same programme built by a new vendor: instead of salaries (200 a day), hiring
    (1,500 a hire) and the manager (5,000 a month from day 10) the company pays the new
    vendor's transition fee (10,000 in the month of notice) and its fee (25,000 a month for
    the whole service) from cutover on day 50."""
    inhouse = run_transition(_hand(), None)
    vendor = run_transition(
        _hand(incoming="vendor", incoming__monthly_fee=25000, incoming__transition_fee=10000),
        None,
    )
    # agents start on day 30 (two) and day 50 (two): salaries by month
    salaries = np.array([0, 2 * 10 * 200, 2 * 20 * 200 + 2 * 10 * 200] + [4 * 20 * 200] * 9)
    hiring = np.array([0, 2 * 1500, 2 * 1500] + [0] * 9)
    managers = np.array([2500] + [5000] * 11)
    new_fee = np.array([0, 0, 12500] + [25000] * 9)
    transition = np.array([0, 10000] + [0] * 10)
    expected = new_fee + transition - salaries - hiring - managers
    np.testing.assert_allclose(_flows(vendor) - _flows(inhouse), expected, atol=1e-6)
    for name in ("peak_backlog", "ticket_days_beyond_sla", "cutover_month", "hires"):
        assert vendor.scalars[name] == inhouse.scalars[name], name
    assert vendor.scalars["overlap_cost"] == pytest.approx(10000.0)


def test_a_new_vendor_priced_per_ticket_is_governed_like_the_old() -> None:
    """A new vendor priced per ticket (2 EUR on 40 tickets a day × 20 days = 1,600 a month for
    the whole service, at no fixed fee) and governed at 10% of its fee, like the old vendor:
    from cutover on day 50 it costs 1,760 a month (half of it in month 3), on top of the
    transition fee. The old vendor's fee and its governance are the same on both runs."""
    governed = {"vendor__governance_share": 0.1}
    inhouse = run_transition(_hand(**governed), None)
    vendor = run_transition(
        _hand(incoming="vendor", incoming__price_per_ticket=2, **governed), None
    )
    salaries = np.array([0, 2 * 10 * 200, 2 * 20 * 200 + 2 * 10 * 200] + [4 * 20 * 200] * 9)
    hiring = np.array([0, 2 * 1500, 2 * 1500] + [0] * 9)
    managers = np.array([2500] + [5000] * 11)
    new_fee = np.array([0, 0, 0.5] + [1.0] * 9) * 1600 * 1.1
    expected = new_fee - salaries - hiring - managers
    np.testing.assert_allclose(_flows(vendor) - _flows(inhouse), expected, atol=1e-6)


def test_a_new_vendor_misses_the_sla_as_often_as_the_old_unless_told() -> None:
    """Switching vendor does not buy service quality by itself: unset, the new vendor resolves
    as few tickets within the SLA as the old one (90%), so every ticket of the horizon is a
    vendor ticket charged alike on both paths; a better new vendor (99%) is charged less."""
    late = {"vendor__sla_compliance": 0.9, "vendor__late_days": 2}
    same = run_transition(_hand(incoming="vendor", incoming__monthly_fee=1, **late), None)
    s = same.scalars
    assert s["vendor_disruption_cost"] == pytest.approx(s["status_quo_disruption_cost"], rel=1e-9)
    assert s["status_quo_disruption_cost"] == pytest.approx(40 * 240 * 0.1 * 5 * 2, rel=1e-9)
    better = _hand(
        incoming="vendor", incoming__monthly_fee=1, incoming__sla_compliance=0.99, **late
    )
    assert run_transition(better, None).scalars["vendor_disruption_cost"] < (
        0.5 * s["vendor_disruption_cost"]
    )
    with pytest.raises(ValueError, match="vendor.late_days: is required"):
        _hand(incoming="vendor", incoming__monthly_fee=1, incoming__sla_compliance=0.9)


def test_an_incoming_vendor_has_its_own_team_parameters() -> None:
    """incoming.time_to_hire_days replaces staffing.time_to_hire_days for the new vendor's
    team: agents start 5 days after evaluation ends, not 20."""
    p = _hand(incoming="vendor", incoming__time_to_hire_days=5, incoming__target_agents=2)
    rec = run_programme(p, None)
    assert rec.hired == [15.0, 15.0]
    in_house = _hand(incoming__time_to_hire_days=5)
    assert run_programme(in_house, None).hired[0] == 30.0  # read only for a new vendor
