"""Staying with the vendor on renegotiated terms (``policy.strategy = "stay"``, issue 15) and the
ranking of every option in ``simulate compare``.

The stay path is the status-quo path under its own terms, so with neutral terms it is the
status quo exactly, on the same streams; by hand, each of its terms moves its cost as
docs/model.md (section 11) says.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hand_case import HAND

from simulation.analysis.compare import compare
from simulation.analysis.ranking import RANKING_COLUMNS, STATUS_QUO_OPTION
from simulation.cli import main
from simulation.engine.run import simulate
from simulation.model import SCALAR_NAMES, run_transition
from simulation.model.inputs import build_inputs
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Risk

ROOT = Path(__file__).resolve().parents[2]
IT = ROOT / "scenarios" / "it_helpdesk.toml"
MINIMAL = ROOT / "scenarios" / "minimal.toml"
RENEGOTIATE = "it_helpdesk_renegotiate.toml"


def _child(tmp_path: Path, name: str, body: str, parent: Path = IT) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{parent.as_posix()}"\n[scenario]\nname = "{name}"\n{body}')
    return path


def _column(raw: object, name: str) -> np.ndarray:
    return raw.scalars[:, SCALAR_NAMES.index(name)]  # type: ignore[attr-defined]


def test_staying_on_today_s_terms_is_the_status_quo_exactly(tmp_path: Path) -> None:
    """it_helpdesk carries every status-quo mechanism (per-ticket fee with demand growth,
    renewal with a price change and a re-tender, late tickets, governance, vendor failure):
    staying with neutral terms costs what the status quo costs, bit for bit, in every
    iteration, and has no transition."""
    path = _child(tmp_path, "stay", '[policy]\nstrategy = "stay"\n')
    raw = simulate(load_scenario(path), RunOptions(60, seed=11, jobs=1))
    assert np.array_equal(_column(raw, "backsourcing_npv"), _column(raw, "status_quo_npv"))
    assert (_column(raw, "npv_savings") == 0.0).all()
    for name in ("transition_cost", "transition_months", "hires", "response_cost"):
        assert (_column(raw, name) == 0.0).all(), name
    assert (_column(raw, "stabilised") == 1.0).all()
    np.testing.assert_allclose(
        _column(raw, "vendor_disruption_cost"), _column(raw, "status_quo_disruption_cost")
    )
    # the futures include vendor failures: they hit both paths alike
    struck = raw.risks[:, raw.risk_names.index("vendor_failure")]
    assert struck.any()


def _stay(**changes: float):  # type: ignore[no-untyped-def]
    values = {
        **HAND,
        "vendor.sla_compliance": 0.9,
        "vendor.late_days": 2,
        **{k.replace("__", "."): v for k, v in changes.items()},
    }
    options = {
        "policy.cutover": "fixed",
        "simulation.variability": "none",
        "policy.strategy": "stay",
    }
    return build_inputs(values, options)


def test_staying_has_no_notice_so_events_timed_from_it_never_come() -> None:
    """A vendor failure timed from notice belongs to a programme that serves notice: staying
    serves none, so on neutral terms it stays the status quo exactly (a failure timed from
    start hits both alike)."""
    for relative_to in ("notice", "start"):
        values = {
            **HAND,
            "vendor.emergency_transition_cost": 50000,
            "risks.bust.occurs": 1,
            "risks.bust.at_month": 1.0,
        }
        options = {"simulation.variability": "none", "policy.strategy": "stay"}
        risks = (Risk("bust", "event", event="vendor_failure", relative_to=relative_to),)
        s = run_transition(build_inputs(values, options, risks), None).scalars
        assert s["npv_savings"] == 0.0, relative_to
        assert s["backsourcing_npv"] == s["status_quo_npv"]


def test_compare_warns_when_an_alternative_does_not_share_the_futures(tmp_path: Path) -> None:
    """A [[correlations]] table only one scenario has reorders the correlated inputs' samples:
    compare says so, naming them; the renegotiated alternative shares the futures."""
    body = (
        '[[correlations]]\nbetween = ["vendor.sla_compliance", "vendor.governance_share"]\n'
        "rank = 0.5\n"
    )
    skewed = _child(tmp_path, "skewed", body)
    alternatives = [load_scenario(p) for p in (IT, skewed, ROOT / "scenarios" / RENEGOTIATE)]
    comp = compare(alternatives, 30, seed=4, jobs=1)
    warned = [w for w in comp.meta["warnings"] if "drawn differently" in w]
    assert len(warned) == 1 and warned[0].startswith("skewed: ")
    assert "vendor.sla_compliance" in warned[0] and "vendor.governance_share" in warned[0]
    it, _, renegotiate = comp.alternatives
    assert np.array_equal(it.values("status_quo_npv"), renegotiate.values("status_quo_npv"))


def _flows(r: object, name: str = "cost_backsourcing") -> np.ndarray:
    cum = r.monthly[name]  # type: ignore[attr-defined]
    disc = 1.06 ** (-np.arange(1, len(cum) + 1) / 12.0)
    return np.diff(np.concatenate([[0.0], cum])) / disc


def test_renegotiated_terms_by_hand() -> None:
    """HAND's vendor: 30,000 a month, 40 tickets a day × 20 days, 90% within SLA, late tickets
    2 days late at 5 a ticket-day (10 each). Renegotiated from month 3: 10% cheaper and half of
    the late tickets avoided (95% within SLA), for 5,000 in month 1. The status quo is
    unchanged."""
    r = run_transition(
        _stay(
            stay__fee_change=-0.1,
            stay__late_tickets_avoided=0.5,
            stay__renegotiation_cost=5000,
            stay__from_month=3,
        ),
        None,
    )
    late = np.array([800 * 0.1 * 10] * 3 + [800 * 0.05 * 10] * 9)
    fee = np.array([30000] * 3 + [27000] * 9)
    expected = fee + late
    expected[0] += 5000
    np.testing.assert_allclose(_flows(r), expected, atol=1e-6)
    np.testing.assert_allclose(
        _flows(r, "cost_status_quo"), np.full(12, 30000 + 800 * 0.1 * 10), atol=1e-6
    )
    s = r.scalars
    assert s["transition_cost"] == pytest.approx(5000.0)
    assert s["cutover_month"] == 0.0 and s["hires"] == 0 and s["knowledge_lost_domains"] == 0
    # the last year is the whole horizon: the tickets due on days 1-239 (due a day after they
    # arrive) are late at 10% when they arrived in months 1-3 (60 days), at 5% after (179 days)
    assert s["steady_sla_compliance"] == pytest.approx(1 - (60 * 0.1 + 179 * 0.05) / 239)
    assert s["status_quo_sla_compliance"] == pytest.approx(0.9, rel=1e-9)


def test_staying_has_no_programme_and_no_one_reviewing() -> None:
    """No hires, no managers, no levers: a vendor short of capacity (HAND's 50 tickets a day
    against 60) does not make the stay path call agency staff; its service is the contract's."""
    r = run_transition(_stay(demand__tickets_per_day=60), None, record_events=True)
    s = r.scalars
    assert s["agency_agent_days"] == 0 and s["overtime_weeks"] == 0 and s["response_cost"] == 0
    assert s["peak_backlog"] == 0 and s["disruption_cost"] == 0
    assert np.all(r.monthly["internal_agents"] == 0)


def test_compare_ranks_every_option_and_the_status_quo(tmp_path: Path) -> None:
    """The ranking has a row per alternative and one for today's contract, sorted by mean NPV
    of cost; "cheapest in" shares every paired future out (a tie shares it equally)."""
    stay = _child(tmp_path, "stay", '[policy]\nstrategy = "stay"\n', MINIMAL)
    cheaper = _child(
        tmp_path, "cheaper", '[policy]\nstrategy = "stay"\n[stay]\nfee_change = -0.2\n', MINIMAL
    )
    scenarios = [load_scenario(p) for p in (MINIMAL, stay, cheaper)]
    comp = compare(scenarios, 30, seed=3, jobs=1)
    t = comp.ranking
    assert list(t.columns) == list(RANKING_COLUMNS)
    assert list(t["rank"]) == [1, 2, 3, 4]
    assert set(t["option"]) == {"minimal", "stay", "cheaper", STATUS_QUO_OPTION}
    assert t["npv_cost_mean"].is_monotonic_increasing
    assert t["p_lowest_cost"].sum() == pytest.approx(1.0)
    rows = t.set_index("option")
    # the stay path on today's terms and the status quo are the same cost in every future:
    # they tie, and a 20% cheaper fee beats both in every future
    assert rows.at["stay", "npv_cost_mean"] == rows.at[STATUS_QUO_OPTION, "npv_cost_mean"]
    assert rows.at["stay", "p_lowest_cost"] == rows.at[STATUS_QUO_OPTION, "p_lowest_cost"]
    assert rows.at["cheaper", "p_cheaper_than_status_quo"] == 1.0
    minimal, _, cheap = comp.alternatives
    lowest = np.mean(minimal.values("backsourcing_npv") < cheap.values("backsourcing_npv"))
    assert rows.at["minimal", "p_lowest_cost"] == pytest.approx(lowest)


def test_cli_compare_prints_and_writes_the_ranking(tmp_path: Path) -> None:
    stay = _child(tmp_path, "stay", '[policy]\nstrategy = "stay"\n', MINIMAL)
    out = tmp_path / "cmp"
    args = ["compare", str(MINIMAL), str(stay), "-n", "20", "--seed", "2", "-j", "1"]
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    assert "options ranked by mean NPV of cost" in result.output
    assert STATUS_QUO_OPTION in result.output
    ranking = (out / "ranking.csv").read_text().splitlines()
    assert ranking[0] == ",".join(RANKING_COLUMNS) and len(ranking) == 4
