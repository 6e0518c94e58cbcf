"""``simulate trace``: re-run one iteration of a run and print its month-by-month table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click
from click.core import ParameterSource

from simulation.cli.group import main
from simulation.cli.options import (
    SAMPLERS,
    iterations_option,
    sampler_option,
    scenario_arg,
    seed_option,
)
from simulation.cli.support import (
    load,
)
from simulation.errors import SimulationError

__all__ = [
    "MAX_RUN_JSON_BYTES",
    "RunDesign",
    "read_run_design",
    "trace",
]


@main.command()
@scenario_arg
@click.option("--iteration", "-i", type=click.IntRange(0), required=True)
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="RESULTS_DIR",
    help="Explain an iteration of this results folder: its seed, design size and sampler come "
    "from its run.json (the scenario must be the one that run used).",
)
@seed_option(help="The run's root seed.")
@iterations_option(
    help="The run's design size: its iteration count, or for an '--iterations auto' run its "
    "--max-iterations cap (run.json's design_iterations). --run reads it for you."
)
@sampler_option(help="The run's sampler (default: the scenario's simulation.sampler).")
@click.option("--events", is_flag=True, help="Also print the event log.")
def trace(
    scenario: Path,
    iteration: int,
    run_dir: Path | None,
    seed: int | None,
    iterations: int | None,
    sampler: str | None,
    events: bool,
) -> None:
    """Run one iteration and print its month-by-month table.

    The inputs of an iteration depend on the run's seed, sampler and design size (a Latin
    hypercube is designed for its size): give --run RESULTS_DIR, or all three by hand.
    """
    import pandas as pd

    from simulation.engine.run import trace as run_trace
    from simulation.model import trace_frame

    sc = load(scenario)
    if run_dir is not None:
        ctx = click.get_current_context()
        for name in ("seed", "iterations", "sampler"):
            if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT):
                raise SimulationError(
                    f"--{name} cannot be combined with --run (the run's {name} comes from "
                    f"{run_dir / 'run.json'})"
                )
        recorded = read_run_design(run_dir)
        if recorded.sha256 != sc.sha256:
            raise SimulationError(
                f"{scenario}: is not the scenario of the run in {run_dir}: its SHA-256 "
                f"{sc.sha256[:12]}... differs from run.json's {recorded.sha256[:12]}... (the "
                "scenario or a file it extends changed since), so trace would not reproduce it"
            )
        if iteration >= recorded.iterations:
            raise SimulationError(
                f"--iteration must be within 0..{recorded.iterations - 1:,} (got {iteration:,}): "
                f"the run in {run_dir} has {recorded.iterations:,} iterations"
            )
        seed, iterations, sampler = recorded.seed, recorded.design, recorded.sampler
    values, result = run_trace(sc, iteration, seed, iterations, sampler)
    click.echo(
        f"{sc.path}: iteration {iteration} (seed {seed if seed is not None else sc.seed}, "
        f"design of {iterations or sc.iterations:,} iterations, {sampler or sc.sampler})"
    )
    for name in sc.uncertain:
        click.echo(f"  {name} = {values[name]:.6g}")
    click.echo("")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        click.echo(trace_frame(result).to_string())
    click.echo("")
    for k, v in result.scalars.items():
        click.echo(f"{k} = {v:.6g}")
    for k, v in result.risks.items():
        click.echo(f"risk.{k} = {int(v)}")
    if events:
        click.echo("\nevents (working day: event)")
        for day, msg in result.events:
            click.echo(f"  {day:8.1f}: {msg}")


@dataclass(frozen=True)
class RunDesign:
    """What re-creates a run's iterations, from its run.json: root seed, design size (the
    iterations the input matrix was drawn for), sampler, iterations run, scenario SHA-256."""

    seed: int
    design: int
    sampler: str
    iterations: int
    sha256: str


#: Largest run.json read (a results folder may come from anyone).
MAX_RUN_JSON_BYTES = 10_000_000


def read_run_design(folder: Path) -> RunDesign:
    """The :class:`RunDesign` of the results folder ``folder``; a missing, unreadable or
    malformed run.json is one :class:`SimulationError` naming the file and the key."""
    from simulation.inputfiles import decode_utf8, read_input

    path = folder / "run.json"
    if not path.exists():
        raise SimulationError(f"{folder}: not a results folder (no run.json)")
    raw = read_input(path, limit=MAX_RUN_JSON_BYTES, what="run.json file")
    try:
        meta = json.loads(decode_utf8(raw, path))
    except json.JSONDecodeError as exc:
        raise SimulationError(
            f"{path}: is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except RecursionError:
        raise SimulationError(f"{path}: is nested too deeply to be a run.json") from None
    if not isinstance(meta, dict):
        raise SimulationError(f"{path}: must hold a JSON object, got {type(meta).__name__}")

    def whole(key: str, low: int) -> int:
        value = meta.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise SimulationError(
                f"{path}: '{key}' must be a whole number >= {low}, got {json.dumps(value)[:40]}"
            )
        return value

    seed, iterations = whole("seed", 0), whole("iterations", 1)
    if "design_iterations" in meta:
        design = whole("design_iterations", iterations)
    elif (meta.get("convergence") or {}).get("mode") == "auto":
        raise SimulationError(
            f"{path}: has no 'design_iterations' (written by an older version), and its "
            "--iterations auto run drew its inputs for its --max-iterations cap: trace it with "
            "--seed, --sampler and -n <that cap> (default 50,000) instead of --run"
        )
    else:
        design = iterations
    sampler = meta.get("sampler")
    if sampler not in SAMPLERS:
        raise SimulationError(
            f"{path}: 'sampler' must be one of {', '.join(SAMPLERS)}, got "
            f"{json.dumps(sampler)[:40]}"
        )
    scenario = meta.get("scenario")
    sha = scenario.get("sha256") if isinstance(scenario, dict) else None
    if not isinstance(sha, str) or not sha:
        raise SimulationError(f"{path}: 'scenario.sha256' is missing (the scenario's SHA-256)")
    return RunDesign(seed, design, str(sampler), iterations, sha)
