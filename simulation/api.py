"""The notebook-friendly API: ``load_scenario(path)`` then ``run(scenario, ...)``."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import simpy

from simulation.engine import ProgressFn, simulate
from simulation.results import RunResults, build_results
from simulation.scenario import load_scenario
from simulation.scenario_types import Scenario

__all__ = ["load_scenario", "run", "package_version"]


def package_version() -> str:
    try:
        return version("backsourcing-sim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def run(
    scenario: Scenario | str | Path,
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    chunk_size: int | None = None,
    strict: bool = False,
    auto: bool = False,
    tolerance: float = 0.01,
    max_iterations: int = 50_000,
    progress: Callable[[int], ProgressFn] | None = None,
) -> RunResults:
    """Run a scenario's Monte Carlo simulation and return its tables.

    ``scenario`` is a :class:`Scenario` or a path to a TOML file. ``iterations`` defaults to the
    scenario's ``simulation.iterations``; ``seed`` to ``simulation.seed`` (or a fresh one,
    recorded in ``meta``); ``jobs`` to all cores. ``auto`` runs until the key percentiles
    settle within ``tolerance`` (a share of P50), up to ``max_iterations``.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    started = _now()
    t0 = time.perf_counter()
    raw = simulate(
        scenario,
        iterations,
        seed=seed,
        jobs=jobs,
        sampler=sampler,
        chunk_size=chunk_size,
        strict=strict,
        auto=auto,
        tolerance=tolerance,
        max_iterations=max_iterations,
        progress=progress,
    )
    wall = time.perf_counter() - t0
    meta: dict[str, Any] = {
        "scenario": {
            "path": scenario.path,
            "sha256": scenario.sha256,
            "name": scenario.name,
            "description": scenario.options.get("scenario.description", ""),
        },
        "seed": raw.seed,
        "iterations": raw.iterations,
        "sampler": sampler or scenario.sampler,
        "jobs": raw.jobs,
        "variability": scenario.variability,
        "versions": {
            "simulation": package_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "simpy": simpy.__version__,
        },
        "started": started,
        "finished": _now(),
        "wall_seconds": round(wall, 3),
        "convergence": {
            "mode": "auto" if auto else "fixed",
            "converged": raw.converged,
            "message": raw.convergence_message
            or f"fixed number of iterations ({raw.iterations:,})",
        },
        "currency": scenario.currency,
        "horizon_months": int(scenario.inputs["scenario.horizon_months"].mean()),
    }
    return build_results(scenario, raw, meta)
