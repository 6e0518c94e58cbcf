"""`simulate compare`: paired differences with common random numbers, the comparison folder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulation import load_scenario
from simulation.analysis.compare import (
    BETTER,
    COMPARISON_COLUMNS,
    DIFFERENCE_COLUMNS,
    alternative_names,
    compare,
    p_better,
    p_equal,
)
from simulation.analysis.sweep import apply_setting
from simulation.cli import main
from simulation.engine.run import simulate
from simulation.model import SCALAR_NAMES
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"


@pytest.fixture(scope="module")
def minimal():  # type: ignore[no-untyped-def]
    return load_scenario(MINIMAL)


def test_identical_scenarios_differ_by_exactly_zero(minimal) -> None:  # type: ignore[no-untyped-def]
    comp = compare([minimal, minimal], 40, seed=7, jobs=1)
    a, b = comp.alternatives
    assert [a.name, b.name] == ["minimal", "minimal-2"]
    for metric in SCALAR_NAMES:
        x, y = a.values(metric), b.values(metric)
        assert np.array_equal(x, y, equal_nan=True), metric
    d = comp.differences
    assert list(d.columns) == list(DIFFERENCE_COLUMNS)
    assert set(d["metric"]) == set(BETTER)
    assert (d["p_equal"] == 1.0).all() and (d["p_better"] == 0.0).all()
    assert (d[["mean", "p10", "p50", "p90"]].fillna(0.0) == 0.0).all().all()


def test_paired_difference_far_less_noisy_than_independent_runs(minimal) -> None:  # type: ignore[no-untyped-def]
    a_sc = apply_setting(minimal, {"staffing.target_agents": 4})
    b_sc = apply_setting(minimal, {"staffing.target_agents": 5})
    assert minimal.variability == "stochastic"
    comp = compare([a_sc, b_sc], 100, seed=1, jobs=1, names=["four", "five"])
    independent = simulate(b_sc, RunOptions(100, seed=2, jobs=1))
    a = comp.alternatives[0]
    ratios = {}
    for metric in ("npv_savings", "transition_cost"):
        paired = comp.alternatives[1].values(metric) - a.values(metric)
        unpaired = independent.scalars[:, SCALAR_NAMES.index(metric)] - a.values(metric)
        ratios[metric] = np.std(paired) / np.std(unpaired)
    assert ratios["npv_savings"] < 0.35, ratios
    assert ratios["transition_cost"] < 0.6, ratios
    # the same uncertain inputs in both alternatives, iteration by iteration
    assert np.array_equal(a.raw.inputs.values, comp.alternatives[1].raw.inputs.values)


def test_difference_table_against_hand_computation(minimal) -> None:  # type: ignore[no-untyped-def]
    a_sc = apply_setting(minimal, {"staffing.target_agents": 4})
    b_sc = apply_setting(minimal, {"policy.cutover": "fixed"})
    comp = compare([a_sc, b_sc], 30, seed=3, jobs=1, names=["A", "B"])
    row = comp.differences.set_index("metric").loc["transition_cost"]
    x = comp.alternatives[0].values("transition_cost")
    y = comp.alternatives[1].values("transition_cost")
    assert row["mean"] == pytest.approx(np.mean(y - x))
    assert row["p50"] == pytest.approx(np.median(y - x))
    assert row["p_better"] == pytest.approx(np.mean(y < x))
    assert row["n_pairs"] == 30
    table = comp.table
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    p80 = table[(table["alternative"] == "B") & (table["metric"] == "transition_cost")]["p80"]
    assert float(p80.iloc[0]) == pytest.approx(np.percentile(y, 80))


def test_p_better_direction_and_missing_values() -> None:
    a = np.array([1.0, 2.0, np.nan, 5.0, np.nan])
    b = np.array([0.5, 3.0, 4.0, 5.0, np.nan])
    # lower is better; a missing value is the worst (never breaks even)
    assert p_better(a, b, "lower") == pytest.approx(2 / 5)  # 0.5 < 1, 4 < inf
    # higher is better; a missing value is then -inf: 3 > 2 and 4 > -inf
    assert p_better(a, b, "higher") == pytest.approx(2 / 5)
    assert p_equal(a, b) == pytest.approx(2 / 5)


def test_alternative_names_are_unique_and_safe() -> None:
    names = alternative_names(["x/a b.toml", "y/a b.toml", "../../evil.toml", "a_b-2.toml"])
    assert names == ["a_b", "a_b-2", "evil", "a_b-2-2"]


def test_cli_compare_writes_the_folder(tmp_path: Path) -> None:
    alt = tmp_path / "fixed_cutover.toml"
    alt.write_text(MINIMAL.read_text().replace("[policy]\n", '[policy]\ncutover = "fixed"\n'))
    out = tmp_path / "cmp"
    runner = CliRunner()
    args = ["compare", str(MINIMAL), str(alt), "-n", "30", "--seed", "4", "-j", "1"]
    result = runner.invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = {p.name for p in out.iterdir()}
    assert {
        "comparison.csv",
        "differences.csv",
        "samples_minimal.csv",
        "samples_fixed_cutover.csv",
        "compare.json",
        "compare.html",
        "charts",
    } <= files
    charts = {p.name for p in (out / "charts").iterdir()}
    assert "s_curve_transition_cost.png" in charts
    assert "s_curve_npv_vs_status_quo.png" in charts
    assert "difference_fixed_cutover_npv_savings.png" in charts
    for png in (out / "charts").iterdir():
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    samples = pd.read_csv(out / "samples_fixed_cutover.csv")
    meta = json.loads((out / "compare.json").read_text())
    assert meta["seed"] == 4 and meta["iterations"] == 30 and len(samples) == 30
    # the report says how each alternative compares to staying outsourced
    html = (out / "compare.html").read_text()
    p_cheaper = float(np.mean(samples["out.npv_savings"] > 0))
    assert "Against staying outsourced" in html
    assert f"fixed_cutover: cheaper than staying on today's contract in {p_cheaper:.0%}" in (
        html.replace("&#39;", "'")
    )
    assert "Options ranked" in html
    assert "ranking.csv" in files
    # an existing folder is refused without --force, replaced with it
    again = runner.invoke(main, [*args, "--out", str(out)])
    assert again.exit_code == 1
    assert f"error: {out}: the folder exists already (use --force to replace it)" in again.output
    forced = runner.invoke(main, [*args, "--out", str(out), "--force", "-q", "--no-report"])
    assert forced.exit_code == 0, forced.output
    assert not (out / "compare.html").exists()
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_staying_outsourced_is_shown_as_a_range_when_it_is_uncertain(
    minimal, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from simulation.plotting.style import human
    from simulation.report.compare import stay_rows

    late = tmp_path / "late_vendor.toml"
    late.write_text(
        f'extends = "{MINIMAL}"\n[vendor]\n'
        'sla_compliance = { dist = "uniform", low = 0.7, high = 0.95 }\nlate_days = 2\n'
    )
    comp = compare([minimal, load_scenario(late)], 20, seed=5, jobs=1)
    fixed, uncertain = stay_rows(comp)
    quo = comp.alternatives[0].values("status_quo_npv")
    assert np.ptp(quo) == 0 and fixed["status_quo_range"] == human(float(quo[0]), "EUR")
    p10, p90 = np.percentile(comp.alternatives[1].values("status_quo_npv"), (10, 90))
    assert p10 < p90
    assert uncertain["status_quo_range"] == f"{human(p10, 'EUR')} – {human(p90, 'EUR')}"


def test_cli_compare_needs_two_scenarios() -> None:
    result = CliRunner().invoke(main, ["compare", str(MINIMAL)])
    assert result.exit_code == 1
    assert "error: compare needs at least two scenario files" in result.output


def test_management_outputs_are_compared_in_their_better_direction(minimal) -> None:  # type: ignore[no-untyped-def]
    """Less help, a lower response cost and fewer relapse weeks are better, a higher SLA
    compliance in the last year too; the final team size is a choice, not a score."""
    lower = (
        "response_cost",
        "agency_agent_days",
        "overtime_weeks",
        "hypercare_agent_days",
        "abandoned_tickets",
        "relapse_weeks",
        "backlog_at_horizon_days",
        "disruption_after_stabilisation_cost",
    )
    assert {m: BETTER[m] for m in lower} == dict.fromkeys(lower, "lower")
    assert BETTER["steady_sla_compliance"] == "higher"
    assert "final_target_agents" not in BETTER
    # the plan against nobody reacting: the same futures, paired (a team one short of the
    # minimal scenario's, so that the plan has to pull levers in some futures)
    short = apply_setting(minimal, {"staffing.target_agents": 3})
    off = dataclasses.replace(
        short, options=MappingProxyType({**short.options, "response.enabled": False})
    )
    comp = compare([short, off], 40, seed=11, jobs=1, names=["plan", "nobody"])
    plan, nobody = comp.alternatives
    d = comp.differences.set_index("metric")
    for metric in (*lower, "steady_sla_compliance"):
        assert d.at[metric, "better"] == BETTER[metric], metric
        a, b = plan.values(metric), nobody.values(metric)
        wins = b < a if BETTER[metric] == "lower" else b > a
        assert d.at[metric, "p_better"] == pytest.approx(np.mean(wins)), metric
    # nobody reacting costs nothing in response: it is "better" wherever the plan paid for help
    assert np.all(nobody.values("response_cost") == 0.0)
    paid = np.mean(plan.values("response_cost") > 0.0)
    assert paid > 0.0 and d.at["response_cost", "p_better"] == pytest.approx(paid)
    # the team size is in comparison.csv, not among the paired differences
    assert "final_target_agents" not in d.index
    assert set(comp.table[comp.table["metric"] == "final_target_agents"]["alternative"]) == {
        "plan",
        "nobody",
    }
