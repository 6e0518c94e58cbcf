"""Streaming results: samples written chunk by chunk while the run goes equal the table written
at once; Parquet round-trips to the same values; the parent holds compact arrays only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulation import load_scenario, run
from simulation.cli import main
from simulation.engine.run import simulate
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES
from simulation.results.run_results import FLOAT_FORMAT, chunk_csv, chunk_frame, samples_frame
from simulation.results.streaming import SampleWriter
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Scenario

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
HELPDESK = ROOT / "scenarios" / "it_helpdesk.toml"


@pytest.fixture(scope="module")
def minimal() -> Scenario:
    return load_scenario(MINIMAL)


@pytest.mark.parametrize("jobs", [1, 2])
def test_incremental_csv_equals_the_all_at_once_csv(
    minimal: Scenario, tmp_path: Path, jobs: int
) -> None:
    at_once = run(minimal, 45, seed=8, jobs=1).save(tmp_path / "once", charts=False, report=False)
    res = run(
        minimal, options=RunOptions(45, seed=8, jobs=jobs, chunk_size=4), out=tmp_path / "stream"
    )
    streamed = res.save(tmp_path / "stream", charts=False, report=False)
    assert (streamed / "samples.csv").read_bytes() == (at_once / "samples.csv").read_bytes()
    # and both equal pandas writing the in-memory table in one go
    direct = res.samples.to_csv(index=False, float_format=FLOAT_FORMAT).encode()
    assert (streamed / "samples.csv").read_bytes() == direct
    assert sorted(p.name for p in tmp_path.iterdir()) == ["once", "stream"]  # no temp left


_SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, 1e-300, 1e20, 0.1, 123456789012.5, -2.5]


def _pandas_rows(start: int, inputs, scalars, risks) -> str:  # type: ignore[no-untyped-def]
    names = [f"x{j}" for j in range(inputs.shape[1])]
    flags = [f"r{j}" for j in range(risks.shape[1])]
    frame = chunk_frame(start, inputs, scalars, risks, names, flags)
    return str(frame.to_csv(index=False, header=False, float_format=FLOAT_FORMAT))


def test_chunk_csv_writes_what_pandas_writes_for_special_values() -> None:
    rng = np.random.default_rng(3)
    inputs = rng.choice(np.array(_SPECIAL), (300, 4))
    scalars = rng.choice(np.array(_SPECIAL), (300, len(SCALAR_NAMES)))
    scalars[:, 0] = rng.normal(size=300) * 1e6
    risks = rng.integers(0, 2, (300, 3)).astype(np.uint8)
    text = chunk_csv(1_000_000, inputs, scalars, risks)
    assert text == _pandas_rows(1_000_000, inputs, scalars, risks)
    assert ",," in text and "inf" in text and "nan" not in text
    empty = np.empty((0, 4)), np.empty((0, len(SCALAR_NAMES))), np.empty((0, 3), np.uint8)
    assert chunk_csv(0, *empty) == _pandas_rows(0, *empty) == ""


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (5, 3)),
    arrays(np.float64, (5, len(SCALAR_NAMES))),
    st.integers(0, 10**9),
)
def test_chunk_csv_writes_what_pandas_writes(inputs, scalars, start) -> None:  # type: ignore[no-untyped-def]
    risks = (np.arange(10).reshape(5, 2) % 2).astype(np.uint8)
    assert chunk_csv(start, inputs, scalars, risks) == _pandas_rows(start, inputs, scalars, risks)


def test_parquet_round_trips_to_the_same_values(minimal: Scenario, tmp_path: Path) -> None:
    res = run(
        minimal,
        options=RunOptions(30, seed=4, jobs=2, chunk_size=7),
        out=tmp_path / "r",
        formats="both",
    )
    out = res.save(tmp_path / "r", charts=False, report=False)
    back = pd.read_parquet(out / "samples.parquet")
    pd.testing.assert_frame_equal(back, res.samples, check_exact=True)
    csv = pd.read_csv(out / "samples.csv")
    assert list(csv.columns) == list(back.columns)
    np.testing.assert_allclose(csv.to_numpy(float), back.to_numpy(float), rtol=1e-9)
    # saving elsewhere (not streamed) writes the same Parquet values from memory
    again = res.save(tmp_path / "copy", charts=False, report=False)
    pd.testing.assert_frame_equal(pd.read_parquet(again / "samples.parquet"), back)


def test_sample_writer_buffers_parquet_row_groups(minimal: Scenario, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    import simulation.results.streaming as results

    raw = simulate(minimal, RunOptions(25, seed=2, jobs=1))
    old = results.PARQUET_ROW_GROUP
    results.PARQUET_ROW_GROUP = 10
    try:
        writer = SampleWriter(tmp_path, raw.inputs.names, raw.risk_names, "parquet")
        for a in range(0, 25, 3):
            b = min(25, a + 3)
            writer.write(a, raw.inputs.values[a:b], raw.scalars[a:b], raw.risks[a:b])
        writer.close()
    finally:
        results.PARQUET_ROW_GROUP = old
    meta = pq.ParquetFile(tmp_path / "samples.parquet").metadata
    assert meta.num_rows == 25 and meta.num_row_groups == 3  # 12 + 12 + 1 rows
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "samples.parquet"), samples_frame(raw))


def test_sample_writer_refuses_rows_out_of_order(minimal: Scenario, tmp_path: Path) -> None:
    raw = simulate(minimal, RunOptions(6, seed=2, jobs=1))
    writer = SampleWriter(tmp_path, raw.inputs.names, raw.risk_names)
    writer.write(0, raw.inputs.values[:3], raw.scalars[:3], raw.risks[:3])
    with pytest.raises(SimulationError, match="out of order"):
        writer.write(4, raw.inputs.values[4:], raw.scalars[4:], raw.risks[4:])
    writer.close()


def test_discarded_stream_leaves_nothing(minimal: Scenario, tmp_path: Path) -> None:
    res = run(minimal, 10, seed=1, jobs=1, out=tmp_path / "r")
    assert len(list(tmp_path.iterdir())) == 1  # the hidden stage
    res.discard()
    assert list(tmp_path.iterdir()) == []


def test_compact_arrays_filled_in_place(minimal: Scenario) -> None:
    raw = simulate(minimal, RunOptions(20, seed=3, jobs=2, chunk_size=3))
    assert raw.monthly.dtype == np.float32 and raw.scalars.dtype == np.float64
    assert raw.risks.dtype == np.uint8
    assert raw.scalars.shape == (20, len(SCALAR_NAMES))
    # the returned arrays are the preallocated ones (views), not concatenated copies
    assert raw.monthly.base is not None


def test_cli_run_format_both_on_a_risk_register(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(HELPDESK),
            "-n",
            "24",
            "--seed",
            "3",
            "--jobs",
            "1",
            "--format",
            "both",
            "--out",
            str(out),
            "--no-report",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    csv = pd.read_csv(out / "samples.csv")
    parquet = pd.read_parquet(out / "samples.parquet")
    assert len(parquet) == 24 and list(parquet["iteration"]) == list(range(24))
    risk_cols = [c for c in parquet.columns if c.startswith("risk.")]
    assert risk_cols and set(np.unique(parquet[risk_cols].to_numpy())) <= {0, 1}
    np.testing.assert_allclose(csv.to_numpy(float), parquet.to_numpy(float), rtol=1e-9)


def test_cli_scheduler_needs_dask_backend(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["run", str(MINIMAL), "-n", "5", "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 1
    assert "--scheduler needs --backend dask" in result.output
