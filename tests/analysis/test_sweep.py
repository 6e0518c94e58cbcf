"""`simulate sweep`: parsing --set, the grid, CRN across settings, the sweep folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulation import load_scenario
from simulation.analysis.summary import summarise
from simulation.analysis.sweep import (
    Lever,
    apply_setting,
    grid,
    parse_range,
    parse_set,
    parse_sets,
    sweep,
)
from simulation.cli import main
from simulation.distributions.families import Fixed
from simulation.engine.run import simulate
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES
from simulation.results.run_results import samples_frame
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"


@pytest.fixture(scope="module")
def minimal():  # type: ignore[no-untyped-def]
    return load_scenario(MINIMAL)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("18:30:2", [18, 20, 22, 24, 26, 28, 30]),
        ("18:30:4", [18, 22, 26, 30]),
        ("18:29:4", [18, 22, 26]),
        ("5:5:1", [5]),
        ("0.1:0.5:0.1", [0.1, 0.2, 0.3, 0.4, 0.5]),
    ],
)
def test_ranges_include_the_end_on_the_grid(spec: str, expected: list[float]) -> None:
    assert parse_range(spec, "k") == pytest.approx(expected)


def test_lists_strings_and_grid(minimal) -> None:  # type: ignore[no-untyped-def]
    agents = parse_set("staffing.target_agents=3,5,4", minimal)
    assert agents == Lever("staffing.target_agents", (3.0, 5.0, 4.0))
    policy = parse_set("policy.cutover=readiness,fixed", minimal)
    assert policy.values == ("readiness", "fixed") and policy.is_choice
    single = parse_set("vendor.notice_months = 3", minimal)
    assert single.values == (3.0,)
    levers = parse_sets(["staffing.target_agents=3:5:2", "policy.cutover=fixed,readiness"], minimal)
    assert grid(levers) == [
        {"staffing.target_agents": 3.0, "policy.cutover": "fixed"},
        {"staffing.target_agents": 3.0, "policy.cutover": "readiness"},
        {"staffing.target_agents": 5.0, "policy.cutover": "fixed"},
        {"staffing.target_agents": 5.0, "policy.cutover": "readiness"},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "staffing.target_agnts=18:30:2",
            "--set staffing.target_agnts: unknown key (did you mean 'staffing.target_agents'?)",
        ),
        ("nothing.here=1", "--set nothing.here: unknown key"),
        (
            "staffing.target_agents=-2,4",
            "--set staffing.target_agents=-2: must not be negative (got -2 agents)",
        ),
        (
            "vendor.cooperation=0.5,1.2",
            "--set vendor.cooperation=1.2: must be within [0, 1] (got 1.2)",
        ),
        (
            "staffing.target_agents=4.5",
            "--set staffing.target_agents=4.5: must be a whole number, got 4.5",
        ),
        ("staffing.target_agents=four", "--set staffing.target_agents: 'four' is not a number"),
        (
            "policy.cutover=readyness",
            "--set policy.cutover: must be one of readiness, fixed, got 'readyness' "
            "(did you mean 'readiness'?)",
        ),
        (
            "staffing.target_agents=30:18:2",
            "--set staffing.target_agents: range '30:18:2' needs start <= end and a step > 0",
        ),
        (
            "staffing.target_agents=18:30",
            "--set staffing.target_agents: a range is start:end:step, got '18:30'",
        ),
        (
            "staffing.target_agents",
            "--set 'staffing.target_agents': expected KEY=VALUES, "
            "e.g. staffing.target_agents=18:30:2",
        ),
        (
            "staffing.target_agents=1:20000:1",
            "--set staffing.target_agents: range '1:20000:1' has 20,000 values; at most 400",
        ),
    ],
)
def test_bad_settings_are_rejected_with_exact_messages(minimal, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SimulationError) as info:
        parse_set(text, minimal)
    assert info.value.messages == [message]


def test_key_twice_and_grid_too_large(minimal) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SimulationError, match="--set staffing.target_agents: given twice"):
        parse_sets(["staffing.target_agents=3", "staffing.target_agents=4"], minimal)
    with pytest.raises(SimulationError, match="the grid has 441 settings; at most 400"):
        parse_sets(["staffing.target_agents=0:20:1", "vendor.notice_months=0:20:1"], minimal)


def test_apply_setting_fixes_the_key_only(minimal) -> None:  # type: ignore[no-untyped-def]
    sc = apply_setting(minimal, {"staffing.time_to_hire_days": 25.0, "policy.cutover": "fixed"})
    assert sc.inputs["staffing.time_to_hire_days"] == Fixed(25.0)
    assert sc.options["policy.cutover"] == "fixed"
    assert sc.uncertain == ("phases.negotiation_weeks", "staffing.salary_per_year")
    assert minimal.inputs["staffing.time_to_hire_days"] != Fixed(25.0)  # original untouched


def test_sweep_rows_equal_separate_runs_of_edited_files(minimal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    levers = parse_sets(["staffing.time_to_hire_days=15,30"], minimal)
    res = sweep(minimal, levers, 40, seed=9, jobs=1)
    assert len(res.table) == 2 * (len(SCALAR_NAMES) + 2)
    text = MINIMAL.read_text()
    old = 'time_to_hire_days = { dist = "pert", min = 10, mode = 20, max = 40 }'
    assert old in text
    for value in (15, 30):
        edited = tmp_path / f"hire_{value}.toml"
        edited.write_text(text.replace(old, f"time_to_hire_days = {value}"))
        sc = load_scenario(edited)
        expected = summarise(
            samples_frame(simulate(sc, RunOptions(40, seed=9, jobs=1))), SCALAR_NAMES
        )
        rows = res.table[res.table["staffing.time_to_hire_days"] == value].set_index("metric")
        exp = expected.set_index("metric")
        for col in ("p10", "p50", "p80", "p90", "mean"):
            np.testing.assert_array_equal(rows[col].to_numpy(), exp.loc[rows.index, col].to_numpy())
    # the target probability follows the scenario's [targets]
    months = res.table[res.table["metric"] == "transition_months"]
    assert (months["target"] == "<= 12").all()
    assert months["p_within_target"].between(0, 1).all()


def test_cli_sweep_writes_table_and_charts(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(MINIMAL),
            "--set",
            "staffing.target_agents=3:5:1",
            "--set",
            "policy.cutover=readiness,fixed",
            "-n",
            "20",
            "--seed",
            "2",
            "-j",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "P10 / P50 / P90, 20 iterations, seed 2" in result.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:3]) == ["staffing.target_agents", "policy.cutover", "metric"]
    assert {"p10", "p50", "p80", "p90", "mean", "target", "p_within_target"} <= set(table.columns)
    assert len(table) == 6 * (len(SCALAR_NAMES) + 2)
    for metric in ("transition_cost", "transition_months", "npv_savings"):
        png = out / "charts" / f"sweep_{metric}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_sweep_unknown_key_exit_1() -> None:
    result = CliRunner().invoke(main, ["sweep", str(MINIMAL), "--set", "staffing.target_agnts=3"])
    assert result.exit_code == 1
    assert (
        "error: --set staffing.target_agnts: unknown key (did you mean 'staffing.target_agents'?)"
        in result.output
    )
