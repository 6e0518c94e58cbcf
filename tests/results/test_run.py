"""The Monte Carlo engine and `simulate run`: reproducibility, the results folder, convergence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulation import load_scenario, run
from simulation.cli import main
from simulation.engine.run import simulate
from simulation.model import SCALAR_NAMES, SERIES_NAMES
from simulation.sampling.seeds import iteration_stream
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
HELPDESK = ROOT / "scenarios" / "it_helpdesk.toml"


@pytest.fixture(scope="module")
def minimal():  # type: ignore[no-untyped-def]
    return load_scenario(MINIMAL)


def _save_tables(res, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    return res.save(folder, charts=False, report=False)


def test_streams_depend_only_on_seed_and_iteration() -> None:
    a = iteration_stream(5, 3).random(4)
    b = iteration_stream(5, 3).random(4)
    c = iteration_stream(5, 4).random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_jobs_and_chunking_do_not_change_results(minimal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    one = _save_tables(
        run(minimal, options=RunOptions(40, seed=11, jobs=1, chunk_size=40)), tmp_path / "one"
    )
    two = _save_tables(
        run(minimal, options=RunOptions(40, seed=11, jobs=2, chunk_size=3)), tmp_path / "two"
    )
    odd = _save_tables(
        run(minimal, options=RunOptions(40, seed=11, jobs=2, chunk_size=7)), tmp_path / "odd"
    )
    for name in ("samples.csv", "summary.csv", "timeseries.csv", "sensitivity.csv", "risks.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
        assert (one / name).read_bytes() == (odd / name).read_bytes(), name


def test_same_seed_same_numbers_other_seed_differs(minimal) -> None:  # type: ignore[no-untyped-def]
    a = simulate(minimal, RunOptions(30, seed=3, jobs=1))
    b = simulate(minimal, RunOptions(30, seed=3, jobs=1))
    c = simulate(minimal, RunOptions(30, seed=4, jobs=1))
    assert np.array_equal(a.scalars, b.scalars, equal_nan=True)
    assert np.array_equal(a.monthly, b.monthly)
    assert not np.array_equal(a.scalars, c.scalars, equal_nan=True)
    assert a.scalars.shape == (30, len(SCALAR_NAMES))
    assert a.monthly.shape == (30, len(SERIES_NAMES), 24)


def test_results_folder_contents(minimal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = run(minimal, 50, seed=2, jobs=1)
    out = _save_tables(res, tmp_path / "run")
    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == 2 and meta["iterations"] == 50 and meta["sampler"] == "lhs"
    assert meta["scenario"]["sha256"] == minimal.sha256
    assert set(meta["versions"]) == {"simulation", "numpy", "scipy", "simpy", "model build"}
    assert meta["versions"]["model build"] in ("Python", "mypyc")
    samples = pd.read_csv(out / "samples.csv")
    assert list(samples["iteration"]) == list(range(50))
    assert {f"in.{k}" for k in minimal.uncertain} <= set(samples.columns)
    assert {f"out.{k}" for k in SCALAR_NAMES} <= set(samples.columns)
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert list(summary.columns[:14]) == [
        "metric",
        "mean",
        "std",
        "min",
        "p5",
        "p10",
        "p20",
        "p50",
        "p80",
        "p90",
        "p95",
        "max",
        "p50_se",
        "p90_se",
    ]
    row = summary.set_index("metric").loc["transition_months"]
    values = samples["out.transition_months"]
    assert float(row["p50"]) == pytest.approx(np.percentile(values, 50))
    assert float(row["mean"]) == pytest.approx(values.mean())
    # the scenario's target transition_months <= 12
    assert float(row["p_within_target"]) == pytest.approx((values <= 12).mean())
    assert {"p_npv_savings_positive", "p_breakeven_within_horizon"} <= set(summary["metric"])
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == ["month", "series", "mean", "p10", "p50", "p90"]
    assert set(ts["series"]) == set(SERIES_NAMES)
    assert ts["month"].max() == 24
    sens = pd.read_csv(out / "sensitivity.csv")
    assert {"output", "input", "spearman", "contribution"} <= set(sens.columns)
    assert set(sens["input"]) == set(minimal.uncertain)
    # nothing is left behind but the folder itself
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_existing_folder_is_never_overwritten(minimal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from simulation.errors import SimulationError

    res = run(minimal, 10, seed=2, jobs=1)
    out = _save_tables(res, tmp_path / "run")
    before = (out / "samples.csv").read_bytes()
    with pytest.raises(SimulationError, match="exists already"):
        _save_tables(res, out)
    assert (out / "samples.csv").read_bytes() == before
    res.save(out, force=True, charts=False, report=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_auto_stops_early_on_low_variance(tmp_path: Path) -> None:
    text = (
        MINIMAL.read_text()
        .replace(
            'salary_per_year = { dist = "uniform", low = 40000, high = 60000 }',
            'salary_per_year = { dist = "uniform", low = 49990, high = 50010 }',
        )
        .replace(
            'negotiation_weeks = { dist = "triangular", min = 2, mode = 4, max = 8 }',
            "negotiation_weeks = 4",
        )
        .replace(
            'time_to_hire_days = { dist = "pert", min = 10, mode = 20, max = 40 }',
            "time_to_hire_days = 20",
        )
        .replace("[simulation]", '[simulation]\nvariability = "none"')
    )
    path = tmp_path / "calm.toml"
    path.write_text(text)
    raw = simulate(
        load_scenario(path), RunOptions(seed=1, jobs=1, auto=True, batch=50, max_iterations=1000)
    )
    assert raw.converged is True
    assert raw.iterations == 100  # two batches: the second moved nothing


def test_auto_runs_to_the_cap_on_high_variance(minimal) -> None:  # type: ignore[no-untyped-def]
    raw = simulate(
        minimal, RunOptions(seed=1, jobs=1, auto=True, batch=20, max_iterations=60, tolerance=1e-6)
    )
    assert raw.converged is False
    assert raw.iterations == 60
    assert "cap" in raw.convergence_message


def test_cli_run_writes_folder_and_prints_summary(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(MINIMAL),
            "-n",
            "30",
            "--seed",
            "5",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "transition_months" in result.output
    assert f"results: {out}" in result.output
    # what management's response cost sits right below the transition cost it is part of
    lines = result.output.splitlines()
    row = lines.index(next(line for line in lines if line.startswith("transition_cost "))) + 1
    stats = pd.read_csv(out / "summary.csv").set_index("metric").loc["response_cost"]
    assert lines[row].split() == [
        "response_cost",
        *(x for p in ("p10", "p50", "p90") for x in (f"{stats[p] / 1e6:.2f}", "M", "EUR")),
    ]
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 30
    again = CliRunner().invoke(main, ["run", str(MINIMAL), "-n", "30", "--out", str(out)])
    assert again.exit_code == 1
    assert "exists already" in again.output


def test_cli_run_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(MINIMAL),
            "-n",
            "20",
            "--seed",
            "5",
            "--jobs",
            "1",
            "--json",
            "--out",
            str(tmp_path / "j"),
            "--no-report",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 5 and data["iterations"] == 20
    assert "transition_cost" in data["summary"]


def test_trace_reproduces_an_iteration_of_a_run(minimal) -> None:  # type: ignore[no-untyped-def]
    from simulation.engine.run import trace

    raw = simulate(minimal, RunOptions(25, seed=9, jobs=1))
    values, result = trace(minimal, 7, seed=9, iterations=25)
    expected = raw.scalars[7]
    got = np.array([result.scalars[k] for k in SCALAR_NAMES])
    assert np.array_equal(np.nan_to_num(expected, nan=-1), np.nan_to_num(got, nan=-1))
    assert result.events, "trace records the event log"


def test_cli_trace(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["trace", str(MINIMAL), "--iteration", "2", "-n", "10", "--events"]
    )
    assert result.exit_code == 0, result.output
    assert "cutover_month" in result.output
    assert "events" in result.output


def test_reused_iteration_streams_equal_fresh_ones() -> None:
    from simulation.sampling.seeds import IterationStreams

    streams = IterationStreams(5)
    for i in (3, 0, 2**40, 3):  # any order, rewinding to the same block repeats it
        expected = iteration_stream(5, i).normal(size=7)
        np.testing.assert_array_equal(streams.stream(i).normal(size=7), expected)
    assert not np.array_equal(iteration_stream(5, 1).random(4), iteration_stream(6, 1).random(4))
