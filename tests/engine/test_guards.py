"""Numerical guards: hopeless inputs are refused before a run; risky ranges are warned about."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulation.cli import main
from simulation.engine.guards import check_scenario
from simulation.errors import ScenarioError
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
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


# Warnings on the response layer and on windows counted from a milestone ---------------------------


def warnings_of(path: Path) -> tuple[str, ...]:
    report = check_scenario(load_scenario(path))
    assert report.errors == ()
    return report.warnings


def after_cutover(start: float, end: float) -> str:
    return (
        '[[risks]]\nname = "late_surge"\nprobability = 0.5\nevent = "ticket_surge"\n'
        'extra_tickets_per_day = 20\nduration_days = 10\nwindow_relative_to = "cutover"\n'
        f"window_start_month = {start}\nwindow_end_month = {end}\n"
    )


def test_a_window_after_cutover_beyond_the_horizon_for_every_cutover(tmp_path: Path) -> None:
    """minimal.toml: notice after 2 + 2 weeks at the earliest (20 working days of 21 a month),
    cutover 2 months later; the horizon is 24 months. Before: the window was read as months
    from programme start, and 'months 22 to 30' was said to strike in 25% of the futures."""
    path = case(tmp_path, after_cutover(22, 30))
    assert warnings_of(path) == (
        f"{path}: risks.late_surge: its window (months 22 to 30 after cutover) lies beyond the "
        "24-month horizon even after the earliest possible cutover (month 2.95), so it can never "
        "strike: it counts as struck in no future (change the window or the horizon)",
    )
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(path),
            "-n",
            "40",
            "-j",
            "1",
            "--no-report",
            "-q",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    samples = pd.read_csv(tmp_path / "r" / "samples.csv")
    assert samples["in.risks.late_surge.occurs"].sum() > 0
    assert samples["risk.late_surge"].sum() == 0  # the warning is true


def test_a_window_after_cutover_reaching_past_the_horizon(tmp_path: Path) -> None:
    path = case(tmp_path, after_cutover(0, 24))
    assert warnings_of(path) == (
        f"{path}: risks.late_surge: its window (months 0 to 24 after cutover) reaches past the "
        "24-month horizon even after the earliest possible cutover (month 2.95): it strikes "
        "within the horizon in at most 88% of the futures it occurs in",
    )
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(path),
            "-n",
            "60",
            "-j",
            "1",
            "--no-report",
            "-q",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    samples = pd.read_csv(tmp_path / "r" / "samples.csv")
    occurred = samples["in.risks.late_surge.occurs"] >= 0.5
    assert samples.loc[occurred, "risk.late_surge"].mean() <= 0.88
    # a window that fits after the earliest cutover is not warned about
    assert warnings_of(case(tmp_path, after_cutover(0, 1))) == ()


def test_a_window_after_notice_counts_from_the_earliest_notice(tmp_path: Path) -> None:
    text = after_cutover(23.5, 30).replace('"cutover"', '"notice"')
    path = case(tmp_path, text)
    assert warnings_of(path) == (
        f"{path}: risks.late_surge: its window (months 23.5 to 30 after notice) lies beyond the "
        "24-month horizon even after the earliest possible notice (month 0.952), so it can never "
        "strike: it counts as struck in no future (change the window or the horizon)",
    )


def test_reviews_that_never_fall_within_the_horizon(tmp_path: Path) -> None:
    text = "[scenario]\nhorizon_months = 12\n[response]\nreview_days = 260\n"
    path = case(tmp_path, text)
    assert warnings_of(path) == (
        f"{path}: response.review_days: the first review falls on working day 260, after the "
        "12-month horizon (252 working days), so management never acts; review more often, or "
        "set response.enabled = false to model no response",
    )
    assert warnings_of(case(tmp_path, text + "enabled = false\n")) == ()
    assert warnings_of(case(tmp_path, text.replace("260", "200"))) == ()


RELEASE_WHY = (
    ": at a backlog in between, one review can release help and order more at once; keep the "
    "release level at or below the trigger"
)


def test_help_released_above_the_backlog_that_calls_for_it(tmp_path: Path) -> None:
    path = case(tmp_path, "[response]\nrelease_backlog_days = 3\n")
    assert warnings_of(path) == (
        f"{path}: response.release_backlog_days: temporary help is released at a backlog of 3 "
        "days of demand, while the review calls for help above 2 "
        f"(response.agency_trigger_backlog_days){RELEASE_WHY}",
    )
    path = case(
        tmp_path,
        '[response]\nrelease_backlog_days = { dist = "uniform", low = 1, high = 2.5 }\n'
        "agency = false\novertime = false\nhypercare_trigger_backlog_days = 2.2\n",
    )
    # with hypercare alone, help comes only above both triggers
    assert warnings_of(path) == (
        f"{path}: response.release_backlog_days: temporary help is released at a backlog of 2.5 "
        "days of demand, while the review calls for help above 2.2 "
        f"(response.hypercare_trigger_backlog_days) (in some futures){RELEASE_WHY}",
    )
    # equal levels are fine (help comes above the trigger, goes at or below the release level)
    assert warnings_of(case(tmp_path, "[response]\nrelease_backlog_days = 2\n")) == ()
    off = "agency = false\novertime = false\nhypercare = false\n"
    off = f"[response]\nrelease_backlog_days = 3\n{off}"
    assert warnings_of(case(tmp_path, off)) == ()


def test_more_agents_on_hypercare_than_the_vendor_has(tmp_path: Path) -> None:
    path = case(tmp_path, "[response]\nhypercare_max_agents = 6\n")
    assert warnings_of(path) == (
        f"{path}: response.hypercare_max_agents: up to 6 vendor agents may be called back, more "
        "than the 4 the vendor has on the service (vendor.agents): called-back agents are "
        "modelled as knowing every domain, which only the vendor's own team does",
    )
    assert warnings_of(case(tmp_path, "[response]\nhypercare_max_agents = 4\n")) == ()
    assert (
        warnings_of(case(tmp_path, "[response]\nhypercare_max_agents = 6\nhypercare = false\n"))
        == ()
    )


def test_the_shipped_scenarios_raise_no_warning_of_the_response_layer() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        report = check_scenario(load_scenario(path))
        assert report.errors == () and report.warnings == (), path
