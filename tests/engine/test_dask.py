"""The Dask backend on a real ``dask.distributed`` LocalCluster: identical numbers to the local
backend, a worker killed mid-run is survived (the chunk is re-run) or ends the run with a clear
message, and the engine never accepts a missing or duplicated iteration."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from pathlib import Path

import cloudpickle
import dask
import fault_models
import numpy as np
import pytest
from distributed import Client, LocalCluster
from fault_models import always_kill_model, kill_once_model

from simulation import load_scenario, run
from simulation.engine.assembly import Assembly, run_chunks
from simulation.engine.run import simulate
from simulation.engine.worker import ChunkResult, ChunkWorker, WorkerSpec, chunks
from simulation.errors import SimulationError
from simulation.sampling.designs import draw_inputs
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Scenario

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

# The fault-injecting models live in test modules, which the Dask workers cannot import: ship
# them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])
cloudpickle.register_pickle_by_value(fault_models)


@pytest.fixture(scope="module")
def minimal() -> Scenario:
    return load_scenario(MINIMAL)


def _tables(res, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    return res.save(folder, charts=False, report=False)


def test_local_cluster_gives_the_local_backends_numbers(minimal: Scenario, tmp_path: Path) -> None:
    local = _tables(
        run(minimal, options=RunOptions(40, seed=11, jobs=1, chunk_size=40)), tmp_path / "local"
    )
    res = run(minimal, options=RunOptions(40, seed=11, jobs=2, chunk_size=3, backend="dask"))
    assert res.meta["backend"] == "dask" and res.meta["jobs"] == 2  # two worker processes
    remote = _tables(res, tmp_path / "dask")
    for name in ("samples.csv", "summary.csv", "timeseries.csv", "risks.csv"):
        assert (local / name).read_bytes() == (remote / name).read_bytes(), name


def test_a_killed_worker_is_survived_with_identical_numbers(
    minimal: Scenario, tmp_path: Path
) -> None:
    marker = tmp_path / "kill-me"
    marker.touch()
    model = functools.partial(kill_once_model, minimal, str(marker))
    expected = simulate(minimal, RunOptions(40, seed=5, jobs=1))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as watcher,
    ):
        watcher.wait_for_workers(2, timeout=60)
        got = simulate(
            minimal,
            RunOptions(
                40,
                seed=5,
                jobs=2,
                chunk_size=5,
                backend="dask",
                scheduler=cluster.scheduler_address,
            ),
            model=model,
        )
        # let the nanny finish restarting the killed worker before the cluster shuts down
        watcher.wait_for_workers(2, timeout=60)
    assert not marker.exists(), "a worker was killed"
    assert got.iterations == 40
    assert np.array_equal(got.scalars, expected.scalars, equal_nan=True)
    assert np.array_equal(got.monthly, expected.monthly)
    assert np.array_equal(got.risks, expected.risks)
    assert np.array_equal(got.inputs.values, expected.inputs.values)


def test_a_chunk_that_keeps_killing_workers_fails_clearly(minimal: Scenario) -> None:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        pytest.raises(SimulationError, match="died repeatedly"),
    ):
        simulate(
            minimal,
            RunOptions(10, seed=5, jobs=1, backend="dask", scheduler=cluster.scheduler_address),
            model=always_kill_model,
        )


def test_scheduler_without_dask_backend_is_refused(minimal: Scenario) -> None:
    with pytest.raises(SimulationError, match="--scheduler needs --backend dask"):
        simulate(minimal, RunOptions(5, seed=1, jobs=1, scheduler="tcp://127.0.0.1:1"))


# ------------------------------------------------------- the engine's exactly-once assembly


class _FaultyBackend:
    """Replays a chunk list with one chunk dropped or doubled (what a buggy cluster might do)."""

    def __init__(self, worker: ChunkWorker, fault: str) -> None:
        self.jobs = 1
        self.worker = worker
        self.fault = fault

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]:
        parts = [self.worker.run_range(a, b) for a, b in chunks(start, stop, chunk_size)]
        if self.fault == "missing":
            del parts[1]
        elif self.fault == "duplicate":
            parts.insert(2, parts[0])
        yield from reversed(parts)  # completion order is irrelevant

    def close(self, cancel: bool = False) -> None:
        return None


@pytest.mark.parametrize(
    ("fault", "message"), [("missing", "never arrived"), ("duplicate", "arrived twice")]
)
def test_missing_or_duplicated_iterations_stop_the_run(
    minimal: Scenario, fault: str, message: str
) -> None:
    matrix = draw_inputs(minimal.inputs, minimal.uncertain, minimal.correlations, 12, 3, "lhs")
    worker = ChunkWorker(WorkerSpec(minimal, matrix, 3))
    asm = Assembly(matrix, 12, len(minimal.risks), worker.horizon, None)
    with pytest.raises(SimulationError, match=message):
        run_chunks(_FaultyBackend(worker, fault), asm, 0, 12, 4)


def test_assembly_in_any_order_equals_one_pass(minimal: Scenario) -> None:
    matrix = draw_inputs(minimal.inputs, minimal.uncertain, minimal.correlations, 12, 3, "lhs")
    worker = ChunkWorker(WorkerSpec(minimal, matrix, 3))
    asm = Assembly(matrix, 12, len(minimal.risks), worker.horizon, None)
    run_chunks(_FaultyBackend(worker, "none"), asm, 0, 12, 5)
    whole = worker.run_range(0, 12)
    assert np.array_equal(asm.scalars, whole.scalars, equal_nan=True)
    assert np.array_equal(asm.monthly, whole.monthly)


def test_a_dask_run_beside_another_cluster_prints_no_port_warning(tmp_path: Path) -> None:
    """Another program (another run's cluster) holds port 8787: a local Dask run still prints
    only its own lines, no 'Port 8787 is already in use' warning from distributed."""
    import socket
    import subprocess

    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:
        pass  # something else holds it already: the same situation
    try:
        out = subprocess.run(
            [str(Path(sys.executable).parent / "simulate"), "run", str(MINIMAL), "-n", "50"]
            + ["--backend", "dask", "-j", "1", "--out", str(tmp_path / "res"), "-q"]
            + ["--no-report"],
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        holder.close()
    assert out.returncode == 0, out.stderr
    assert "Port" not in out.stderr and "Warning" not in out.stderr, out.stderr
