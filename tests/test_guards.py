"""Numerical guards: hopeless inputs are refused before a run; risky ranges are warned about."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulation.cli import main
from simulation.errors import ScenarioError
from simulation.guards import check_scenario
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "scenarios" / "minimal.toml").read_text()


def test_shipped_scenario_passes() -> None:
    report = check_scenario(load_scenario(ROOT / "scenarios" / "minimal.toml"))
    assert report.errors == ()


def test_hopeless_demand_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hopeless.toml"
    path.write_text(MINIMAL.replace("tickets_per_day = 30 ", "tickets_per_day = 5000 "))
    report = check_scenario(load_scenario(path))
    assert report.errors == (
        f"{path}: staffing.target_agents: even the largest team (4 agents × 10 tickets/day = 40) "
        "is below 10% of the smallest demand (5000 tickets/day, demand.tickets_per_day); every "
        "run would end with an ever-growing backlog",
    )
    result = CliRunner().invoke(main, ["run", str(path), "-n", "5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "staffing.target_agents: even the largest team" in result.output
    assert not (tmp_path / "o").exists()


def test_short_team_range_warns(tmp_path: Path) -> None:
    path = tmp_path / "short.toml"
    path.write_text(MINIMAL.replace("tickets_per_day = 30 ", "tickets_per_day = 45 "))
    report = check_scenario(load_scenario(path))
    assert report.errors == ()
    assert len(report.warnings) == 1
    assert "can fall short of the largest demand (45 tickets/day)" in report.warnings[0]


# Rules across keys of the response layer (issue 14) ----------------------------------------------

MINIMAL_PATH = ROOT / "scenarios" / "minimal.toml"


def case(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    """A scenario extending minimal.toml (SLA 2 working days, 4 agents, a team cap of 6)."""
    path = tmp_path / name
    path.write_text(f'extends = "{MINIMAL_PATH}"\n{text}')
    return path


def refusal(path: Path) -> list[str]:
    """The messages loading ``path`` gives (it must be refused)."""
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.messages


TRIAGE_WHY = (
    ": triage closes stale tickets as already breached, so they must be older than the SLA; "
    "raise it or set response.triage = false"
)


def test_triage_must_close_only_tickets_past_their_sla(tmp_path: Path) -> None:
    """The queue's ledger counts a ticket closed unworked as breached on its due day: a triage
    age at or below the SLA would count tickets as breached that never were."""
    path = case(tmp_path, "[demand]\nsla_days = 20\n[response]\ntriage_age_days = 20\n")
    assert refusal(path) == [
        f"{path}: response.triage_age_days: must be more than demand.sla_days (20 working "
        f"days), got 20 working days{TRIAGE_WHY}"
    ]
    # one day more is enough; so is triage switched off, or the whole layer
    assert load_scenario(
        case(tmp_path, "[demand]\nsla_days = 20\n[response]\ntriage_age_days = 21\n")
    )
    for off in ("triage = false", "enabled = false"):
        assert load_scenario(
            case(tmp_path, f"[demand]\nsla_days = 20\n[response]\ntriage_age_days = 5\n{off}\n")
        )


def test_the_triage_rule_holds_for_every_value_the_inputs_can_take(tmp_path: Path) -> None:
    """Judged on the distributions' ranges and the risks' shocks, not on typical values."""
    path = case(
        tmp_path,
        '[demand]\nsla_days = { dist = "uniform", low = 2, high = 25 }\n'
        '[response]\ntriage_age_days = { dist = "triangular", min = 22, mode = 40, max = 60 }\n',
    )
    assert refusal(path) == [
        f"{path}: response.triage_age_days: must be more than demand.sla_days (up to 25 working "
        f"days), got as little as 22 working days{TRIAGE_WHY}"
    ]
    path = case(
        tmp_path,
        '[[risks]]\nname = "slow_sla"\nprobability = 0.1\nadds_to = "demand.sla_days"\n'
        "impact = 30\n",
    )
    # the default triage age (20 days) against a shocked SLA; a key nobody gave is reported on
    # the extending file
    assert refusal(path) == [
        f"{path}: response.triage_age_days: must be more than demand.sla_days (up to 32 working "
        f"days with risks.slow_sla), got 20 working days (the default){TRIAGE_WHY}"
    ]


def test_a_team_cap_below_the_plan_is_refused(tmp_path: Path) -> None:
    """minimal.toml caps the team target at 6 agents: a plan of 8 is above the cap."""
    path = case(tmp_path, "[staffing]\ntarget_agents = 8\n")
    assert refusal(path) == [
        f"{MINIMAL_PATH}: response.max_target_agents: must be at least staffing.target_agents "
        "(8 agents), got 6 agents: it caps the team target the review may raise the plan to; "
        "raise it, or leave it out for 1.5 × the plan"
    ]
    path = case(
        tmp_path,
        '[staffing]\ntarget_agents = { dist = "uniform", low = 3, high = 6.6 }\n'
        '[[risks]]\nname = "reorg"\nprobability = 0.2\nadds_to = "staffing.target_agents"\n'
        "impact = 1\n",
    )
    (message,) = refusal(path)
    assert "(up to 8 agents with risks.reorg), got 6 agents" in message
    # the cap equal to the plan, an unset cap (1.5 × the plan) and a team that cannot be resized
    assert load_scenario(case(tmp_path, "[staffing]\ntarget_agents = 6\n"))
    assert load_scenario(
        case(tmp_path, "[staffing]\ntarget_agents = 8\n[response]\nmax_target_agents = 8\n")
    )
    assert load_scenario(
        case(tmp_path, "[staffing]\ntarget_agents = 8\n[response]\nresize = false\n")
    )


def test_a_sweep_setting_that_breaks_a_rule_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(MINIMAL_PATH),
            "--set",
            "demand.sla_days=2,25",
            "-n",
            "8",
            "-j",
            "1",
            "-q",
            "--no-chart",
            "--out",
            str(tmp_path / "sweep"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        "error: --set demand.sla_days=25: response.triage_age_days: must be more than "
        f"demand.sla_days (25 working days), got 20 working days{TRIAGE_WHY}"
    )
    assert not (tmp_path / "sweep").exists()
