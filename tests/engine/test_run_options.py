"""RunOptions: one frozen object from the command line through the API to the engine; and the
optional dependencies (Dask, Parquet) refused in one line when they are missing."""

from __future__ import annotations

import dataclasses
import inspect
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulation import api
from simulation.cli import main
from simulation.engine import run as engine
from simulation.errors import SimulationError
from simulation.results.streaming import SampleWriter
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

DASK_MISSING = (
    "error: --backend dask needs the optional dependency 'dask[distributed]': "
    "pip install 'backsourcing-sim[dask]'\n"
)


def parquet_missing(fmt: str) -> str:
    return (
        f"error: --format {fmt} needs the optional dependency 'pyarrow': "
        "pip install 'backsourcing-sim[parquet]'\n"
    )


def test_run_options_are_frozen_and_default_to_the_scenario() -> None:
    options = RunOptions(2000, seed=7, jobs=2)
    assert (options.iterations, options.seed, options.jobs) == (2000, 7, 2)
    assert options.sampler is None and options.backend == "local" and not options.auto
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.seed = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        RunOptions(2000, 7)  # type: ignore[misc]  # everything but iterations by keyword
    assert RunOptions(10, auto=True, max_iterations=300).design_size == 300
    assert RunOptions(10).design_size == 10 and RunOptions().design_size is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iterations": 0}, "iterations must be a whole number within 1..2,000,000, got 0"),
        ({"iterations": 2_000_001}, "iterations must be a whole number within 1..2,000,000"),
        ({"iterations": 10.5}, "iterations must be a whole number within 1..2,000,000"),
        ({"iterations": True}, "iterations must be a whole number"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"sampler": "halton"}, "sampler must be one of lhs, random, sobol, got 'halton'"),
        ({"tolerance": 0.0}, "tolerance must be a share of P50 above 0 and below 1, got 0.0"),
        ({"tolerance": float("nan")}, "tolerance must be a share of P50 above 0 and below 1"),
        ({"max_iterations": 0}, "max_iterations must be a whole number within 1..2,000,000"),
        ({"batch": 0}, "batch must be a whole number >= 1, got 0"),
        ({"jobs": 0}, "jobs must be a whole number >= 1, got 0"),
        ({"chunk_size": 0}, "chunk_size must be a whole number >= 1, got 0"),
        ({"backend": "ray"}, "unknown backend 'ray' (expected one of local, dask)"),
        ({"scheduler": "tcp://127.0.0.1:1"}, "--scheduler needs --backend dask"),
        ({"backend": "dask", "scheduler": "nohost"}, "is not a scheduler address"),
    ],
)
def test_a_bad_run_option_is_one_message_naming_it(kwargs: dict, message: str) -> None:
    with pytest.raises(SimulationError) as caught:
        RunOptions(**kwargs)
    assert len(caught.value.messages) == 1 and message in caught.value.messages[0]


def test_the_run_signature_is_written_once() -> None:
    """The engine and the API take RunOptions instead of repeating its fields."""
    fields = {f.name for f in dataclasses.fields(RunOptions)} - {"iterations", "seed", "jobs"}
    for function in (engine.simulate, api.run):
        params = set(inspect.signature(function).parameters)
        assert "options" in params
        assert not params & (fields - {"sampler"}), function.__qualname__


def test_api_shorthand_is_the_same_run_as_options() -> None:
    sc = load_scenario(MINIMAL)
    short = api.run(sc, 20, seed=3, jobs=1, rank_risks=False)
    full = api.run(sc, options=RunOptions(20, seed=3, jobs=1), rank_risks=False)
    assert short.samples.equals(full.samples)
    assert short.meta["seed"] == 3 and short.meta["iterations"] == 20


def test_api_refuses_shorthand_and_options_together() -> None:
    with pytest.raises(SimulationError, match="give seed inside options=RunOptions"):
        api.run(load_scenario(MINIMAL), seed=3, options=RunOptions(20))


def test_engine_runs_with_the_scenarios_own_settings_by_default() -> None:
    sc = load_scenario(MINIMAL)
    raw = engine.simulate(sc, RunOptions(jobs=1))
    assert raw.iterations == sc.iterations and raw.seed == sc.seed


def _invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_backend_dask_without_dask_is_one_line_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("dask", "distributed"):
        monkeypatch.setitem(sys.modules, module, None)  # `import dask` now fails
    code, output = _invoke(
        "run", MINIMAL, "-n", "5", "--backend", "dask", "--jobs", "1", "--out", tmp_path / "r"
    )
    assert (code, output) == (1, DASK_MISSING)
    assert list(tmp_path.iterdir()) == []
    # the API and the engine say the same
    with pytest.raises(SimulationError) as caught:
        engine.simulate(load_scenario(MINIMAL), RunOptions(5, jobs=1, backend="dask"))
    assert caught.value.messages == [DASK_MISSING.removeprefix("error: ").strip()]


@pytest.mark.parametrize("fmt", ["parquet", "both"])
def test_format_parquet_without_pyarrow_is_one_line_naming_the_extra(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, module, None)
    code, output = _invoke(
        "run", MINIMAL, "-n", "5", "--format", fmt, "--jobs", "1", "--out", tmp_path / "r"
    )
    assert (code, output) == (1, parquet_missing(fmt))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SimulationError, match="needs the optional dependency 'pyarrow'"):
        api.run(load_scenario(MINIMAL), 5, seed=1, jobs=1, formats=fmt, out=tmp_path / "api")
    # the sample writer itself refuses before it opens a file
    with pytest.raises(SimulationError, match=r"backsourcing-sim\[parquet\]"):
        SampleWriter(tmp_path, ["a"], [], formats=fmt)
    assert list(tmp_path.iterdir()) == []


def test_a_csv_run_needs_neither_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("dask", "distributed", "pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, module, None)
    code, output = _invoke(
        "run", MINIMAL, "-n", "5", "--seed", "1", "--jobs", "1", "--no-report",
        "--no-rank-risks", "-q", "--out", tmp_path / "r",
    )  # fmt: skip
    assert code == 0, output
    rows = (tmp_path / "r" / "samples.csv").read_text().splitlines()
    assert rows[0].startswith("iteration,") and len(rows) == 1 + 5
