"""A local worker process killed mid-run (out of memory, a signal): the pool is rebuilt and the
chunks not yet delivered re-run, with identical numbers; a worker that keeps dying ends the run
with a clear message and no traceback."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from fault_models import always_kill_model, kill_once_model

from simulation import load_scenario
from simulation.engine import simulate
from simulation.errors import SimulationError

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"


def test_a_killed_pool_worker_is_survived_with_identical_numbers(tmp_path: Path) -> None:
    scenario = load_scenario(MINIMAL)
    marker = tmp_path / "kill-me"
    model = functools.partial(kill_once_model, scenario, str(marker))
    expected = simulate(scenario, 60, seed=5, jobs=1, model=model)  # no marker: no kill
    marker.touch()
    got = simulate(scenario, 60, seed=5, jobs=2, chunk_size=5, model=model)
    assert not marker.exists()  # a worker did die
    np.testing.assert_array_equal(got.scalars, expected.scalars)
    np.testing.assert_array_equal(got.monthly, expected.monthly)
    np.testing.assert_array_equal(got.risks, expected.risks)


def test_a_worker_that_keeps_dying_stops_the_run_clearly() -> None:
    scenario = load_scenario(MINIMAL)
    with pytest.raises(SimulationError, match="a worker process died 3 times"):
        simulate(scenario, 20, seed=5, jobs=2, chunk_size=5, model=always_kill_model)
