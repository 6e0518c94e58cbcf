"""Numerical guards: hopeless inputs are refused before a run; risky ranges are warned about."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from simulation.cli import main
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
