"""The scenario reader: shipped scenarios load; every kind of mistake gets its exact message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulation.distributions import Fixed
from simulation.errors import ScenarioError
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

BASE = """
[scenario]
name = "test"
[vendor]
agents = 4
tickets_per_agent_day = 10
monthly_fee = 20000
[demand]
tickets_per_day = 30
[staffing]
target_agents = 4
tickets_per_agent_day = 10
salary_per_year = 50000
time_to_hire_days = { dist = "pert", min = 10, mode = 20, max = 40 }
"""


def write(tmp_path: Path, text: str, name: str = "x.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.messages


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_load(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.uncertain, "a shipped scenario should have uncertain inputs"
    assert len(sc.sha256) == 64


def test_it_helpdesk_contents() -> None:
    sc = load_scenario(ROOT / "scenarios" / "it_helpdesk.toml")
    assert sc.seed == 20261124
    assert sc.sampler == "lhs"
    assert "staffing.time_to_hire_days" in sc.uncertain
    assert sc.inputs["vendor.monthly_fee"] == Fixed(90000.0)
    # defaults are filled for keys the file leaves out
    assert sc.inputs["scenario.horizon_months"].mean() == 60
    assert sc.options["policy.cutover"] == "readiness"
    assert sc.options["simulation.variability"] == "stochastic"
    # risks become inputs: occurrence (Bernoulli) and timing (uniform over the window)
    assert "risks.vendor_walkout.occurs" in sc.uncertain
    assert sc.inputs["risks.vendor_walkout.occurs"].mean() == pytest.approx(0.15)
    assert sc.inputs["risks.vendor_walkout.at_month"].support() == (3.0, 9.0)
    assert {r.name for r in sc.risks} >= {"vendor_walkout", "negotiation_delay"}
    kinds = {r.name: r.kind for r in sc.risks}
    assert kinds["negotiation_delay"] == "adds_to"
    assert kinds["tight_labour_market"] == "scales"
    assert len(sc.correlations) == 2
    assert {t.metric for t in sc.targets} == {"transition_months", "transition_cost", "npv_savings"}


def test_base_is_valid(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, BASE))
    assert sc.uncertain == ("staffing.time_to_hire_days",)


def test_min_above_mode(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE.replace("min = 10, mode = 20", "min = 40, mode = 30"),
    )
    assert errors(path) == [f"{path}: staffing.time_to_hire_days: min (40) must be <= mode (30)"]


def test_unknown_key_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "time_to_hir_days = 3\n")
    assert errors(path) == [
        f"{path}: staffing.time_to_hir_days: unknown key (did you mean 'time_to_hire_days'?)"
    ]


def test_unknown_section_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[knowlege]\ndomains = 3\n")
    assert errors(path) == [f"{path}: knowlege: unknown section (did you mean 'knowledge'?)"]


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("agents = 4\n", 'agents = "four"\n', 1))
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: vendor.agents: ")
    assert "string 'four'" in msg


def test_negative_duration(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[phases]\nevaluation_weeks = -2\n")
    assert errors(path) == [f"{path}: phases.evaluation_weeks: must not be negative (got -2 weeks)"]


def test_uncertain_duration_that_can_go_negative(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE + '[phases]\nplanning_weeks = { dist = "uniform", low = -1, high = 3 }\n',
    )
    assert errors(path) == [
        f"{path}: phases.planning_weeks: must not be negative, but its distribution reaches "
        "from -1 to 3 weeks"
    ]


def test_probability_outside_unit_interval(tmp_path: Path) -> None:
    path = write(
        tmp_path, BASE.replace("salary_per_year", "offer_acceptance = 1.2\nsalary_per_year")
    )
    assert errors(path) == [f"{path}: staffing.offer_acceptance: must be within [0, 1] (got 1.2)"]


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("monthly_fee = 20000\n", ""))
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: vendor.monthly_fee: is required")


def test_bad_choice_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + '[policy]\ncutover = "readyness"\n')
    assert errors(path) == [
        f"{path}: policy.cutover: must be one of readiness, fixed, got string 'readyness' "
        "(did you mean 'readiness'?)"
    ]


def test_correlation_with_fixed_input(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + '[[correlations]]\nbetween = ["staffing.time_to_hire_days", "vendor.agents"]\n'
        + "rank = 0.5\n",
    )
    assert errors(path) == [
        f"{path}: correlations[0].between: 'vendor.agents' is fixed: only uncertain inputs "
        "can correlate"
    ]


def test_correlation_with_unknown_input(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + '[[correlations]]\nbetween = ["staffing.time_to_hire_day", "vendor.agents"]\n'
        + "rank = 0.5\n",
    )
    msgs = errors(path)
    assert msgs[0] == (
        f"{path}: correlations[0].between: 'staffing.time_to_hire_day' is not an input "
        "(did you mean 'staffing.time_to_hire_days'?)"
    )


def test_correlation_rank_out_of_range(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + '[[correlations]]\nbetween = ["staffing.time_to_hire_days", "demand.tickets_per_day"]\n'
        + "rank = 1.5\n",
    )
    assert f"{path}: correlations[0].rank: must be a number within [-1, 1], got 1.5" in errors(path)


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[scenario]\nname = "x"\nhorizon_months = = 3\n')
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: TOML syntax error:")
    assert "line 3" in msg


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    text = (
        BASE.replace("min = 10, mode = 20", "min = 40, mode = 30")
        + "time_to_hir_days = 3\n[phases]\nevaluation_weeks = -2\n"
    )
    path = write(tmp_path, text)
    msgs = errors(path)
    assert len(msgs) == 3
    assert all(m.startswith(f"{path}: ") for m in msgs)


def test_risk_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + textwrap.dedent(
            """
            [[risks]]
            name = "walkout"
            probability = 1.5
            event = "vendor_walkot"
            [[risks]]
            name = "slow"
            probability = 0.2
            scales = "staffing.time_to_hire_dys"
            impact = 1.5
            """
        ),
    )
    assert errors(path) == [
        f"{path}: risks.walkout.event: must be one of staff_loss, ticket_surge, vendor_walkout, "
        "hiring_freeze, got 'vendor_walkot' (did you mean 'vendor_walkout'?)",
        f"{path}: risks.slow.scales: 'staffing.time_to_hire_dys' is not a numeric model input "
        "(did you mean 'staffing.time_to_hire_days'?)",
    ]


def test_target_unknown_metric(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[targets]\ntransition_month = 12\n")
    assert errors(path) == [
        f"{path}: targets.transition_month: unknown output (did you mean 'transition_months'?)"
    ]


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario("nope/none.toml")


def test_absurd_iterations_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[simulation]\niterations = 1000000000000\n")
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: simulation.iterations: must be at most 2,000,000")
