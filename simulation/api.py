"""The notebook-friendly API: ``load_scenario(path)`` then ``run(scenario, ...)``."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import simpy

from simulation.engine import ProgressFn, simulate
from simulation.errors import SimulationError
from simulation.folders import shown
from simulation.inputfiles import os_reason
from simulation.results import ResultsStage, RunResults, build_results
from simulation.risk_removal import risk_removal
from simulation.scenario import load_scenario
from simulation.scenario_types import Scenario

__all__ = ["load_scenario", "run", "package_version"]


def package_version() -> str:
    try:
        return version("backsourcing-sim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def versions() -> dict[str, str]:
    """Versions of this package and of the libraries that determine the numbers."""
    return {
        "simulation": package_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "simpy": simpy.__version__,
    }


def now_utc() -> str:
    """The current UTC time, ISO 8601 to the second (run metadata)."""
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
    backend: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    formats: str = "csv",
    rank_risks: bool = True,
    unique_out: bool = False,
) -> RunResults:
    """Run a scenario's Monte Carlo simulation and return its tables.

    ``scenario`` is a :class:`Scenario` or a path to a TOML file. ``iterations`` defaults to the
    scenario's ``simulation.iterations``; ``seed`` to ``simulation.seed`` (or a fresh one,
    recorded in ``meta``); ``jobs`` to all cores. ``auto`` runs until the key percentiles
    settle within ``tolerance`` (a share of P50), up to ``max_iterations``.

    ``backend`` = ``"dask"`` runs the chunks on the Dask cluster at ``scheduler``
    (``tcp://host:8786``) or on a new LocalCluster of ``jobs`` processes. With ``out``, the
    samples are streamed while the run goes into a temporary folder that ``.save(out)``
    completes (``formats``: ``csv``, or ``parquet``/``both`` to add ``samples.parquet``); call
    ``.discard()`` instead to drop it. With ``unique_out`` (a default folder name) the first free
    name of ``out``, ``out-2``, ``out-3`` … is taken (``RunResults.stage.out``).

    ``rank_risks`` adds the risk-removal ranking to the risks table: for each risk, the change in
    P80 transition cost and months when it is switched off, on the same random streams (only the
    iterations the risk struck are re-run, see :mod:`simulation.risk_removal`).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    started = now_utc()
    t0 = time.perf_counter()
    stage = ResultsStage(Path(out), force=force, unique=unique_out) if out is not None else None
    try:
        sink = (
            stage.sample_writer(
                scenario.uncertain, [r.name for r in scenario.risks], formats=formats
            )
            if stage is not None
            else None
        )
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
            backend=backend,
            scheduler=scheduler,
            sink=sink,
        )
        if stage is not None:
            stage.close_writer()
        ranking = (
            risk_removal(
                scenario, raw, sampler=sampler or scenario.sampler, jobs=jobs, progress=progress
            )
            if rank_risks and scenario.risks
            else None
        )
    except OSError as exc:  # the samples streamed into the staging folder: a full disk
        if stage is None:
            raise
        stage.discard()
        raise SimulationError(
            f"{shown(stage.out)}: writing failed ({os_reason(exc)}); nothing was kept"
        ) from None
    except BaseException:
        if stage is not None:
            stage.discard()
        raise
    wall = time.perf_counter() - t0
    meta: dict[str, Any] = {
        "scenario": {
            "path": scenario.path,
            "sha256": scenario.sha256,
            "files": [
                {"path": file, "sha256": hashlib.sha256(raw).hexdigest()}
                for file, raw in scenario.sources
            ],
            "name": scenario.name,
            "description": scenario.options.get("scenario.description", ""),
        },
        "seed": raw.seed,
        "iterations": raw.iterations,
        # the size the input design was drawn for (an auto run's cap): what trace needs
        "design_iterations": raw.design_size,
        "sampler": sampler or scenario.sampler,
        "jobs": raw.jobs,
        "backend": raw.backend,
        "variability": scenario.variability,
        "versions": versions(),
        "started": started,
        "finished": now_utc(),
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
    try:
        return build_results(
            scenario, raw, meta, formats=formats, stage=stage, risk_ranking=ranking
        )
    except BaseException:
        if stage is not None:
            stage.discard()
        raise
