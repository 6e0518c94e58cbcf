"""The notebook-friendly API: ``load_scenario(path)`` then ``run(scenario, ...)``."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulation.analysis.risk_removal import risk_removal
from simulation.engine.extras import require_extras
from simulation.engine.run import ProgressFn, RawResults, simulate
from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.model.build import run_versions
from simulation.provenance import now_utc, package_version, versions
from simulation.results.folders import shown
from simulation.results.run_results import build_results
from simulation.results.streaming import ResultsStage
from simulation.results.types import Results
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions
from simulation.scenario.types import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunOptions", "load_scenario", "now_utc", "package_version", "run", "versions"]


def run(
    scenario: Scenario | str | Path,
    iterations: int | None = None,
    *,
    seed: int | None = None,
    jobs: int | None = None,
    sampler: str | None = None,
    options: RunOptions | None = None,
    progress: Callable[[int], ProgressFn] | None = None,
    out: str | Path | None = None,
    force: bool = False,
    formats: str = "csv",
    rank_risks: bool = True,
    unique_out: bool = False,
) -> Results:
    """Run a scenario's Monte Carlo simulation and return its tables.

    ``scenario`` is a :class:`Scenario` or a path to a TOML file. How the run is made is one
    :class:`~simulation.scenario.run_options.RunOptions` (``options``): its size or ``auto``
    convergence, seed, sampler, worker processes, backend (``"dask"`` with a ``scheduler``, see
    docs/scale.md). For the common case, ``iterations``, ``seed``, ``jobs`` and ``sampler`` may
    be given here instead: ``run(sc, 2000, seed=7, jobs=2)`` is
    ``run(sc, options=RunOptions(2000, seed=7, jobs=2))``; giving both is refused. Unset, each
    falls back to the scenario (``simulation.iterations``, ``simulation.seed`` or a fresh seed,
    recorded in ``meta``, ``simulation.sampler``) and ``jobs`` to all cores.

    With ``out``, the samples are streamed while the run goes into a temporary folder that
    ``.save(out)`` completes (``formats``: ``csv``, or ``parquet``/``both`` to add
    ``samples.parquet``); call ``.discard()`` instead to drop it. With ``unique_out`` (a default
    folder name) the first free name of ``out``, ``out-2``, ``out-3`` … is taken
    (``Results.stage.out``).

    ``rank_risks`` adds the risk-removal ranking to the risks table: for each risk, the change in
    P80 transition cost and months when it is switched off, on the same random streams (only the
    iterations the risk struck are re-run, see :mod:`simulation.analysis.risk_removal`).
    """
    options = _resolved_options(options, iterations, seed, jobs, sampler)
    require_extras(options.backend, formats)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    started = now_utc()
    t0 = time.perf_counter()
    stage = ResultsStage(Path(out), force=force, unique=unique_out) if out is not None else None
    raw, ranking = _simulate_staged(scenario, options, stage, formats, rank_risks, progress)
    wall = time.perf_counter() - t0
    meta = _run_meta(scenario, raw, options, started, wall)
    try:
        return build_results(
            scenario, raw, meta, formats=formats, stage=stage, risk_ranking=ranking
        )
    except BaseException:
        if stage is not None:
            stage.discard()
        raise


def _resolved_options(
    options: RunOptions | None,
    iterations: int | None,
    seed: int | None,
    jobs: int | None,
    sampler: str | None,
) -> RunOptions:
    """``options``, or the one :func:`run`'s shortcuts make; both at once is refused."""
    shorthand = {"iterations": iterations, "seed": seed, "jobs": jobs, "sampler": sampler}
    given = [name for name, value in shorthand.items() if value is not None]
    if options is not None and given:
        raise SimulationError(
            f"run(): give {', '.join(given)} inside options=RunOptions(...) or leave options "
            "out, not both"
        )
    if options is None:
        options = RunOptions(iterations, seed=seed, jobs=jobs, sampler=sampler)
    return options


def _simulate_staged(
    scenario: Scenario,
    options: RunOptions,
    stage: ResultsStage | None,
    formats: str,
    rank_risks: bool,
    progress: Callable[[int], ProgressFn] | None,
) -> tuple[RawResults, pd.DataFrame | None]:
    """The run (its samples streamed into ``stage`` when given) and its risk-removal ranking
    (None unless ``rank_risks`` and the scenario has risks). On any failure the staging
    folder is discarded; a full disk while streaming is one line naming the folder."""
    try:
        sink = (
            stage.sample_writer(
                scenario.uncertain, [r.name for r in scenario.risks], formats=formats
            )
            if stage is not None
            else None
        )
        raw = simulate(scenario, options, progress=progress, sink=sink)
        if stage is not None:
            stage.close_writer()
        ranking = (
            risk_removal(
                scenario,
                raw,
                sampler=options.sampler or scenario.sampler,
                jobs=options.jobs,
                progress=progress,
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
    return raw, ranking


def _run_meta(
    scenario: Scenario, raw: RawResults, options: RunOptions, started: str, wall: float
) -> dict[str, Any]:
    """What ``run.json`` records of a run: the scenario and its files (SHA-256), seed,
    iterations and design size, sampler, workers, backend, versions, start and finish (UTC),
    wall time (seconds), convergence, currency and horizon (months)."""
    return {
        "scenario": {
            "path": scenario.path,
            "sha256": scenario.sha256,
            "files": [
                {"path": file, "sha256": hashlib.sha256(text).hexdigest()}
                for file, text in scenario.sources
            ],
            "name": scenario.name,
            "description": scenario.options.get("scenario.description", ""),
        },
        "seed": raw.seed,
        "iterations": raw.iterations,
        # the size the input design was drawn for (an auto run's cap): what trace needs
        "design_iterations": raw.design_size,
        "sampler": options.sampler or scenario.sampler,
        "jobs": raw.jobs,
        "backend": raw.backend,
        "variability": scenario.variability,
        "versions": run_versions(),
        "started": started,
        "finished": now_utc(),
        "wall_seconds": round(wall, 3),
        "convergence": {
            "mode": "auto" if options.auto else "fixed",
            "converged": raw.converged,
            "message": raw.convergence_message
            or f"fixed number of iterations ({raw.iterations:,})",
        },
        "currency": scenario.currency,
        "horizon_months": int(scenario.inputs["scenario.horizon_months"].mean()),
    }
