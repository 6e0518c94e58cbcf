"""Options and output files that were accepted but wrong: float options that are NaN or inf,
options that only mean something with ``--iterations auto``, bad values that did not name their
option, ``trace`` of an ``--iterations auto`` run, seeds above 2**53, monthly series that
overflow float32, JSON with ``Infinity``, and messages without a reason. Through the real CLI."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from simulation import api
from simulation.analysis import summary
from simulation.cli import main
from simulation.cli.options import FiniteFloatRange
from simulation.engine import run as engine
from simulation.engine import worker as backends
from simulation.errors import SimulationError
from simulation.results.run_results import json_text
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
SEED_53 = 2**53 + 1  # the first integer a float64 cannot hold
SEED_MAX = 2**63 - 1  # TOML's largest integer


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _error_lines(result: Result, code: int = 1) -> list[str]:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return [line for line in result.output.splitlines() if line.strip()]


def _strict_json(path: Path) -> Any:
    """Parse a JSON file the way strict readers do: NaN / Infinity tokens are errors."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{path} holds {token}")

    return json.loads(path.read_text(), parse_constant=refuse)


def _scenario(folder: Path, name: str = "s.toml", seed: int | None = 1, extra: str = "") -> Path:
    text = MINIMAL.read_text()
    text = text.replace("seed = 1\n", f"seed = {seed}\n" if seed is not None else "")
    path = folder / name
    path.write_text(text + extra)
    return path


# 1. Float options, auto-only options, option names -------------------------------------------


def _all_commands() -> list[click.Command]:
    ctx = click.Context(main)
    commands = [main.get_command(ctx, name) for name in main.list_commands(ctx)]
    return [c for c in commands if c is not None]


def test_every_float_option_of_every_command_refuses_nan_and_inf() -> None:
    floats = [
        (command.name, param.name)
        for command in _all_commands()
        for param in command.params
        if isinstance(param.type, click.types.FloatParamType)
    ]
    assert ("run", "tolerance") in floats
    for command in _all_commands():
        for param in command.params:
            if isinstance(param.type, click.types.FloatParamType):
                assert isinstance(param.type, FiniteFloatRange), (command.name, param.name)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400", "Infinity"])
def test_tolerance_must_be_finite(tmp_path: Path, value: str) -> None:
    result = _invoke("run", MINIMAL, "-n", "auto", "--tolerance", value, "--out", tmp_path / "r")
    lines = _error_lines(result, code=2)
    assert (
        lines[-1]
        == f"Error: Invalid value for '--tolerance': must be a finite number, got '{value}'"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--tolerance", "0.05"], "--tolerance"),
        (["--tolerance", "0.01"], "--tolerance"),  # the default's value, but given
        (["--max-iterations", "500"], "--max-iterations"),
        (["-n", "10", "--max-iterations", "50000"], "--max-iterations"),
        (["-n", "10", "--tolerance", "0.2", "--max-iterations", "9"], "--tolerance"),
    ],
)
def test_auto_only_options_are_refused_without_auto(
    tmp_path: Path, args: list[str], option: str
) -> None:
    result = _invoke("run", MINIMAL, *args, "--out", tmp_path / "r")
    assert _error_lines(result) == [
        f"error: {option} is only used with --iterations auto; add --iterations auto or leave "
        f"{option} out"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "value", "reason"),
    [
        ("run", "0", "must be within 1..2,000,000, got 0"),
        ("run", "-5", "must be within 1..2,000,000, got -5"),
        ("run", "2000001", "must be within 1..2,000,000, got 2,000,001"),
        ("run", "ten", "must be a whole number or 'auto', got 'ten'"),
        ("inputs", "0", "0 is not in the range 1<=x<=2000000"),
        ("trace", "0", "0 is not in the range 1<=x<=2000000"),
        ("compare", "0", "0 is not in the range 1<=x<=2000000"),
        ("sweep", "0", "0 is not in the range 1<=x<=2000000"),
    ],
)
def test_a_bad_iteration_count_names_its_option(command: str, value: str, reason: str) -> None:
    args = {
        "trace": ["--iteration", "0"],
        "compare": [MINIMAL],
        "sweep": ["--set", "staffing.target_agents=4,5"],
    }.get(command, [])
    result = _invoke(command, MINIMAL, *args, "-n", value)
    lines = _error_lines(result, code=2)
    assert lines[-1].startswith("Error: Invalid value for '--iterations' / '-n': "), lines
    assert reason in lines[-1]


# 2. trace of an --iterations auto run ----------------------------------------------------------


def _trace_scalars(output: str) -> dict[str, float]:
    """``name = value`` lines of the scalar outputs (not the indented input lines)."""
    out = {}
    for line in output.splitlines():
        found = re.fullmatch(r"([a-z_]+) = (\S+)", line)
        if found:
            out[found.group(1)] = float(found.group(2))
    return out


@pytest.fixture(scope="module")
def auto_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An --iterations auto run that settles before its cap (batches of 100 instead of 1,000
    to keep the test fast; the design size is the cap either way)."""
    folder = tmp_path_factory.mktemp("auto")
    with pytest.MonkeyPatch.context() as mp:

        def in_batches_of_100(scenario: Any, options: RunOptions, **kw: Any) -> Any:
            return engine.simulate(scenario, dataclasses.replace(options, batch=100), **kw)

        mp.setattr(api, "simulate", in_batches_of_100)
        result = _invoke(
            "run", MINIMAL, "-n", "auto", "--tolerance", "0.5", "--max-iterations", "700",
            "--jobs", "1", "--no-report", "--no-rank-risks", "-q", "--out", folder / "run",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder / "run"


def test_auto_run_records_its_design_size(auto_run: Path) -> None:
    meta = _strict_json(auto_run / "run.json")
    assert meta["convergence"]["converged"] is True
    assert meta["iterations"] < 700
    assert meta["design_iterations"] == 700


@pytest.mark.parametrize("k", [0, 57, 133])
def test_trace_with_run_reproduces_samples_of_an_auto_run(auto_run: Path, k: int) -> None:
    samples = pd.read_csv(auto_run / "samples.csv")
    n = len(samples)
    assert k < n
    result = _invoke("trace", MINIMAL, "--iteration", k, "--run", auto_run)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"{MINIMAL}: iteration {k} (seed 1, design of 700 iterations, lhs)"
    )
    got = _trace_scalars(result.output)
    row = samples.iloc[k]
    assert int(row["iteration"]) == k
    for name in ("transition_cost", "transition_months", "npv_savings", "hires"):
        assert np.isclose(got[name], row[f"out.{name}"], rtol=1e-5), name
    # the documented manual way gives the same; the run's iteration count (the old advice) not
    by_hand = _invoke("trace", MINIMAL, "-i", k, "--seed", 1, "-n", 700, "--sampler", "lhs")
    hand = _trace_scalars(by_hand.output)
    assert hand.keys() == got.keys()
    assert np.array_equal(list(hand.values()), list(got.values()), equal_nan=True)
    wrong = _invoke("trace", MINIMAL, "-i", k, "--seed", 1, "-n", n)
    assert _trace_scalars(wrong.output)["transition_cost"] != got["transition_cost"]


def test_trace_run_refuses_another_scenario_and_mixed_options(
    auto_run: Path, tmp_path: Path
) -> None:
    other = _scenario(tmp_path, extra="\n# edited since the run\n")
    (line,) = _error_lines(_invoke("trace", other, "-i", 1, "--run", auto_run))
    assert line.startswith(
        f"error: {other}: is not the scenario of the run in {auto_run}: its SHA-256"
    )
    assert line.endswith("so trace would not reproduce it")
    for option, value in (("--seed", "1"), ("-n", "700"), ("--sampler", "lhs")):
        (line,) = _error_lines(_invoke("trace", MINIMAL, "-i", 1, "--run", auto_run, option, value))
        name = {"-n": "iterations"}.get(option, option.strip("-"))
        assert line == (
            f"error: --{name} cannot be combined with --run (the run's {name} comes from "
            f"{auto_run / 'run.json'})"
        )
    n = len(pd.read_csv(auto_run / "samples.csv"))
    (line,) = _error_lines(_invoke("trace", MINIMAL, "-i", n, "--run", auto_run))
    assert line == (
        f"error: --iteration must be within 0..{n - 1} (got {n}): the run in {auto_run} has "
        f"{n} iterations"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{dir}: not a results folder (no run.json)"),
        (
            "{not json",
            "{dir}/run.json: is not valid JSON (Expecting property name enclosed in "
            "double quotes at line 1)",
        ),
        (
            '{"seed": 1.5, "iterations": 3}',
            "{dir}/run.json: 'seed' must be a whole number >= 0, got 1.5",
        ),
        (
            '{"seed": 1, "iterations": 3, "sampler": "lhs", "scenario": {"sha256": "ab"}, '
            '"convergence": {"mode": "auto"}}',
            "{dir}/run.json: has no 'design_iterations' (written by an older version), and its "
            "--iterations auto run drew its inputs for its --max-iterations cap: trace it with "
            "--seed, --sampler and -n <that cap> (default 50,000) instead of --run",
        ),
    ],
)
def test_trace_run_with_a_broken_results_folder(
    tmp_path: Path, content: str | None, message: str
) -> None:
    folder = tmp_path / "res"
    folder.mkdir()
    if content is not None:
        (folder / "run.json").write_text(content)
    (line,) = _error_lines(_invoke("trace", MINIMAL, "-i", 0, "--run", folder))
    assert line == "error: " + message.format(dir=folder)


# 3. Seeds above 2**53 --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [SEED_53, SEED_MAX])
def test_a_large_scenario_seed_is_kept_exactly(tmp_path: Path, seed: int) -> None:
    path = _scenario(tmp_path, seed=seed)
    out = tmp_path / "run"
    result = _invoke(
        "run", path, "-n", 20, "-j", 1, "--no-report", "--no-rank-risks", "-q", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert _strict_json(out / "run.json")["seed"] == seed
    trace = _invoke("trace", path, "-i", 3, "--run", out)
    assert trace.exit_code == 0, trace.output
    assert f"(seed {seed}, design of 20 iterations, lhs)" in trace.output.splitlines()[0]
    row = pd.read_csv(out / "samples.csv").iloc[3]
    assert np.isclose(_trace_scalars(trace.output)["transition_cost"], row["out.transition_cost"])
    inputs = _invoke("inputs", path, "-n", 20)
    assert f"(lhs, seed {seed})" in inputs.output


def test_seeds_that_differ_only_beyond_2_53_give_different_samples(tmp_path: Path) -> None:
    frames = []
    for seed in (2**53, SEED_53):
        csv = tmp_path / f"{seed}.csv"
        result = _invoke(
            "inputs", _scenario(tmp_path, f"s{seed}.toml", seed), "-n", 50, "--csv", csv
        )
        assert result.exit_code == 0, result.output
        frames.append(pd.read_csv(csv))
    assert not frames[0].equals(frames[1])


def test_large_seeds_of_the_command_line_reach_compare_json(tmp_path: Path) -> None:
    other = _scenario(tmp_path, "other.toml", extra="")
    out = tmp_path / "cmp"
    result = _invoke(
        "compare",
        MINIMAL,
        other,
        "-n",
        10,
        "--seed",
        SEED_MAX,
        "-j",
        1,
        "--no-report",
        "-q",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert _strict_json(out / "compare.json")["seed"] == SEED_MAX


def test_failure_message_reproduces_with_the_exact_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backends.run_programme
    calls = {"n": 0}

    def flaky(inputs, rng, record_events=False):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise ZeroDivisionError("division by zero")
        return real(inputs, rng, record_events=record_events)

    monkeypatch.setattr(backends, "run_programme", flaky)
    path = _scenario(tmp_path, seed=SEED_53)
    result = _invoke("run", path, "-n", 10, "--jobs", 1, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"--iteration 2 --seed {SEED_53} --iterations 10 --sampler lhs" in result.output


# 9. Monthly series beyond float32, strict JSON ----------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_monthly_series_overflowing_float32_fail_naming_series_and_iteration(
    tmp_path: Path, jobs: int
) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(MINIMAL.read_text().replace("monthly_fee = 20000 ", "monthly_fee = 1e38 "))
    out = tmp_path / "run"
    result = _invoke("run", path, "-n", 8, "--jobs", jobs, "--no-report", "--out", out)
    lines = [line for line in _error_lines(result) if not line.startswith("warning:")]
    # every iteration overflows; with two workers the first chunk to finish reports
    found = re.fullmatch(
        rf"error: {re.escape(str(path))}: the model failed in iteration (\d+): monthly series "
        r"cost_(backsourcing|status_quo) is inf in month \d+ \(monthly series are kept as 32-bit "
        r"floats, at most 3\.4e\+38: are the scenario's amounts in the right unit\?\)",
        lines[0],
    )
    assert found, lines[0]
    assert lines[2].startswith(
        f"  reproduce with: simulate trace {path} --iteration {found.group(1)} --seed 1"
    )
    assert list(tmp_path.iterdir()) == [path]


def test_json_never_holds_infinity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = summary.headline

    def overflowing(table: pd.DataFrame) -> dict[str, Any]:
        data = real(table)
        data["transition_cost"]["std"] = math.inf
        return data

    monkeypatch.setattr(summary, "headline", overflowing)
    out = tmp_path / "run"
    result = _invoke(
        "run", MINIMAL, "-n", 10, "-j", 1, "--no-report", "--no-rank-risks", "--out", out
    )
    lines = [line for line in _error_lines(result) if not line.startswith("warning:")]
    assert lines == [
        "error: summary.json: transition_cost.std is inf, not a finite number (are the scenario's "
        "amounts in the right unit?); nothing was written"
    ]
    assert list(tmp_path.iterdir()) == []


def test_json_text_writes_nan_as_null_and_refuses_infinity() -> None:
    data = {"a": math.nan, "b": [1.5, np.float32(2.0), np.float64("nan")], "seed": SEED_MAX}
    assert json.loads(json_text(data, "x.json")) == {
        "a": None,
        "b": [1.5, 2.0, None],
        "seed": SEED_MAX,
    }
    with pytest.raises(SimulationError, match=r"^x\.json: b\[1\] is -inf, not a finite number"):
        json_text({"b": [1.0, np.float64("-inf")]}, "x.json")


def test_written_json_files_are_strict(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke(
        "run", MINIMAL, "-n", 30, "-j", 1, "--no-report", "--no-rank-risks", "-q", "--out", out
    )
    assert result.exit_code == 0, result.output
    _strict_json(out / "run.json")
    data = _strict_json(out / "summary.json")
    assert data["transition_months"]["p50"] is not None


# 10. Messages -------------------------------------------------------------------------------------

INCONSISTENT = """
[[correlations]]
between = ["staffing.time_to_hire_days", "staffing.salary_per_year"]
rank = 0.9

[[correlations]]
between = ["staffing.salary_per_year", "phases.negotiation_weeks"]
rank = 0.9

[[correlations]]
between = ["staffing.time_to_hire_days", "phases.negotiation_weeks"]
rank = -0.9
"""


def test_strict_says_the_matrix_was_refused(tmp_path: Path) -> None:
    path = _scenario(tmp_path, extra=INCONSISTENT)
    (line,) = _error_lines(_invoke("inputs", path, "-n", 50, "--strict"))
    assert line.startswith(
        "error: correlations are not consistent (matrix not positive semi-definite); refused "
        "(--strict); the nearest valid matrix would change: phases.negotiation_weeks ~ "
    ), line
    assert "using the nearest valid matrix" not in line
    assert line.endswith("correct these ranks in the scenario, or run without --strict to use it")
    relaxed = _invoke("inputs", path, "-n", 50)
    assert relaxed.exit_code == 0
    assert "using the nearest valid matrix: " in relaxed.output


def test_a_write_error_without_strerror_still_gives_a_reason(tmp_path: Path) -> None:
    csv = tmp_path / "no" / "such" / "folder" / "m.csv"
    (line,) = [
        line
        for line in _error_lines(_invoke("inputs", MINIMAL, "-n", 20, "--csv", csv))
        if line.startswith("error:")
    ]
    assert line.startswith(f"error: {csv}: cannot write (")
    assert "(None)" not in line and line.endswith(")")
