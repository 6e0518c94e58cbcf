"""A local worker process killed mid-run (out of memory, a signal): the pool is rebuilt and the
chunks not yet delivered re-run, with identical numbers; a worker that keeps dying ends the run
with a clear message and no traceback."""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from simulation import load_scenario
from simulation.engine import simulate
from simulation.errors import SimulationError
from simulation.model import RunResult, run_transition
from simulation.params import build_inputs
from simulation.scenario_types import Scenario

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"


def _kill_once_model(
    scenario: Scenario, marker: str, values: Mapping[str, float], rng: np.random.Generator | None
) -> RunResult:
    """The transition model, except that the first worker to find ``marker`` removes it and
    kills its own process (SIGKILL: no clean-up, as the kernel's OOM killer does)."""
    try:
        os.remove(marker)
    except FileNotFoundError:
        pass
    else:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_transition(build_inputs(values, scenario.options, scenario.risks), rng)


def _always_kill_model(values: Mapping[str, float], rng: np.random.Generator | None) -> RunResult:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_a_killed_pool_worker_is_survived_with_identical_numbers(tmp_path: Path) -> None:
    scenario = load_scenario(MINIMAL)
    marker = tmp_path / "kill-me"
    model = functools.partial(_kill_once_model, scenario, str(marker))
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
        simulate(scenario, 20, seed=5, jobs=2, chunk_size=5, model=_always_kill_model)
