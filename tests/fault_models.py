"""Fault-injecting replacement models for the backend tests: worker processes that die."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping

import numpy as np

from simulation.model import RunResult, run_transition
from simulation.model.inputs import build_inputs
from simulation.scenario.types import Scenario


def kill_once_model(
    scenario: Scenario, marker: str, values: Mapping[str, float], rng: np.random.Generator | None
) -> RunResult:
    """The transition model, except that the first worker to find ``marker`` removes it and
    kills its own process (SIGKILL: no clean-up, as when the kernel's OOM killer strikes or a
    cluster node dies)."""
    try:
        os.remove(marker)
    except FileNotFoundError:
        pass
    else:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_transition(build_inputs(values, scenario.options, scenario.risks), rng)


def always_kill_model(values: Mapping[str, float], rng: np.random.Generator | None) -> RunResult:
    """A model whose every call kills its worker process."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
