"""The scenario reader: shipped scenarios load; every kind of mistake gets its exact message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulation.distributions.families import Fixed
from simulation.errors import ScenarioError
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
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
    # the contract prices every ticket (no fixed part)
    assert sc.options["vendor.fee_model"] == "per_ticket"
    assert sc.inputs["vendor.price_per_ticket"] == Fixed(18.0)
    assert sc.inputs["vendor.monthly_fee"] == Fixed(0.0)
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
        "hiring_freeze, vendor_failure, got 'vendor_walkot' (did you mean 'vendor_walkout'?)",
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


# Hostile input ---------------------------------------------------------------------------------

EVERY_FAMILY = (
    BASE.replace("[vendor]\nagents = 4\ntickets_per_agent_day = 10\nmonthly_fee = 20000\n", "")
    + """
[phases]
evaluation_weeks = { dist = "triangular", min = 1, mode = 2, max = 4 }
negotiation_weeks = { dist = "normal", mean = 6, sd = 2, low = 0 }
planning_weeks = { dist = "lognormal", p10 = 3, p90 = 9 }
[vendor]
agents = 4
tickets_per_agent_day = 10
monthly_fee = { dist = "discrete", values = [19000, 21000], weights = [1, 2] }
cooperation = { dist = "beta", alpha = 2, beta = 3 }
termination_fee = { dist = "gamma", mean = 10000, sd = 2000 }
extension_premium = { dist = "empirical", values = [0, 0.1, 0.3] }
[knowledge]
domains = { dist = "uniform", low = 4, high = 8 }
"""
)

HOSTILE = (
    BASE
    + """
[costs]
one_off_os_system = 1
[[risks]]
name = "pickle"
description = "__import__('os').system('touch pwned'); import socket; {{ 7*7 }}"
probability = 0.5
event = "ticket_surge"
extra_tickets_per_day = 3
duration_days = 5
[targets]
transition_months = 12
"""
).replace('name = "test"', "name = \"__import__('subprocess').run(['touch', 'pwned'])\"")


def test_every_family_loads(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, EVERY_FAMILY))
    families = {sc.inputs[k].name for k in sc.uncertain}
    assert families >= {"triangular", "normal", "lognormal", "gamma", "discrete", "beta"}
    assert families >= {"empirical", "uniform", "pert"}


def test_loading_runs_nothing_imports_nothing_and_opens_no_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scenario files are data: loading one imports no module beyond those a first load did,
    unpickles nothing and opens no socket; texts that look like code stay texts. (``exec`` is
    not patched: scipy itself uses it with its own templates when freezing distributions.)"""
    import pickle
    import socket
    import sys

    monkeypatch.chdir(tmp_path)
    every = write(tmp_path, EVERY_FAMILY, "every.toml")
    bad = write(tmp_path, EVERY_FAMILY + "time_to_hir_days = 3\n", "bad.toml")
    hostile = write(tmp_path, HOSTILE, "hostile.toml")
    # warm up: every distribution family, and the error path
    load_scenario(every)
    with pytest.raises(ScenarioError):
        load_scenario(bad)
    before = set(sys.modules)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scenario must never trigger this")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    sc = load_scenario(hostile)
    with pytest.raises(ScenarioError):
        load_scenario(bad)
    monkeypatch.undo()
    assert set(sys.modules) - before == set()
    assert sc.name.startswith("__import__") and sc.risks[0].name == "pickle"
    assert not (tmp_path / "pwned").exists()


def test_control_characters_are_refused_and_shown_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace('name = "test"', 'name = "a\\u001b[2Jb"'))
    assert errors(path) == [
        f"{path}: scenario.name: must not contain control characters, got string 'a\\x1b[2Jb'"
    ]
    path = write(tmp_path, BASE + '[policy]\ncutover = "\\u0007"\n')
    (msg,) = errors(path)
    assert "\x07" not in msg and "\\x07" in msg


def test_integers_beyond_64_bits(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("monthly_fee = 20000", f"monthly_fee = {2**63}"))
    assert errors(path) == [
        f"{path}: vendor.monthly_fee: 9,223,372,036,854,775,808 is outside the 64-bit integer "
        "range of TOML (about ±9.2e18)"
    ]
    path = write(tmp_path, BASE + "[targets]\ntransition_months = 1" + "0" * 400 + "\n")
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: targets.transition_months: at_most must be a finite number")
    risk = '[[risks]]\nname = "r"\nprobability = 0.5\nevent = "hiring_freeze"\n'
    path = write(
        tmp_path, BASE + risk + "duration_days = 5\nwindow_end_month = 1" + "0" * 400 + "\n"
    )
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: risks.r.window_end_month: must be a number of months")


@pytest.mark.parametrize(
    "table",
    [
        # (mean / sd)^2 overflows inside the gamma family
        '{ dist = "gamma", mean = 1e-308, sd = 1e308 }',
        # exp(mu) overflows for these percentiles
        '{ dist = "lognormal", p27 = 1e-12, p28 = 86079 }',
        # weights whose sum overflows to inf
        '{ dist = "discrete", values = [1, 2], weights = [1e308, 1e308] }',
    ],
)
def test_numerical_overflow_in_a_distribution_is_an_input_error(tmp_path: Path, table: str) -> None:
    path = write(tmp_path, BASE + f"onboarding_days = {table}\n")
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: staffing.onboarding_days: ")
    assert "sensible size" in msg


def test_non_finite_percentiles_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + 'onboarding_days = { dist = "normal", mean = 0, sd = 1e308 }\n')
    (msg,) = errors(path)
    assert msg.startswith(f"{path}: staffing.onboarding_days: ")


@pytest.mark.parametrize(
    ("old", "new", "limit"),
    [
        ("[staffing]\n", "[knowledge]\ndomains = 1000000\n[staffing]\n", "10,000 domains"),
        ("agents = 4\n", "agents = 20000\n", "at most 10,000 agents (got 20,000)"),
        ("[demand]\n", "[demand]\nworking_days_per_month = 1000000\n", "at most 31 days"),
    ],
)
def test_count_limits(tmp_path: Path, old: str, new: str, limit: str) -> None:
    path = write(tmp_path, BASE.replace(old, new, 1))
    msgs = errors(path)
    assert any(limit in m for m in msgs), msgs


def test_device_files_are_refused_and_large_files_not_read_whole(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(ScenarioError, match=r"^/dev/zero: is not a regular file \(a character"):
        load_scenario("/dev/zero")
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: no disk space used
    with pytest.raises(ScenarioError, match="too large for a scenario file"):
        load_scenario(big)


def test_continuous_distribution_starting_at_zero_is_a_valid_positive_input(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        BASE.replace(
            "tickets_per_agent_day = 10\nsalary",
            'tickets_per_agent_day = { dist = "lognormal", p10 = 8, p90 = 12 }\nsalary',
        ),
    )
    sc = load_scenario(path)
    assert sc.inputs["staffing.tickets_per_agent_day"].support()[0] == 0
    # a listed value of exactly 0 is still refused
    path = write(
        tmp_path,
        BASE.replace(
            "tickets_per_agent_day = 10\nsalary",
            'tickets_per_agent_day = { dist = "discrete", values = [0, 10] }\nsalary',
        ),
        "y.toml",
    )
    assert errors(path) == [
        f"{path}: staffing.tickets_per_agent_day: must be > 0, but its distribution reaches "
        "from 0 to 10 tickets/agent/day"
    ]
