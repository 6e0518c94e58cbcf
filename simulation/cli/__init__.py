"""The ``simulate`` command line: validate, inputs, run, trace, report.

Every user error ends with a message naming the file and key and exit code 1, never a traceback.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from simulation.cli.options import (
    MAX_ITERATIONS,
    SAMPLERS,
    FiniteFloatRange,
    IterationsOrAuto,
    force_option,
    iterations_option,
    jobs_option,
    out_option,
    quiet_option,
    sampler_option,
    scenario_arg,
    seed_option,
    strict_option,
    svg_option,
)
from simulation.cli.support import (
    guarded_scenario,
    load,
    out_folder,
    progress_bars,
    shown_path,
    stop_on_signals,
    warn_stale,
)
from simulation.engine.guards import check_scenario
from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.scenario.run_options import BACKENDS, RunOptions


def echo_error(exc: SimulationError) -> None:
    """Print a user error's messages on stderr (``error:`` before each; indented lines as is)."""
    for line in exc.messages:
        click.echo(f"error: {line}" if not line.startswith(" ") else line, err=True)


class _Group(click.Group):
    """Turns our errors into messages and exit 1, Ctrl-C into exit 130.

    Commands with heavy imports live in their own modules and load only when called, so that
    ``simulate --help`` and ``simulate validate`` start fast. ``--help`` lists them with the
    summary kept here (tests/cli/test_cli_inputs.py checks it against each command's docstring).
    """

    lazy: dict[str, tuple[str, str]] = {
        "fit": (
            "simulation.cli.fit:fit",
            "Fit the catalogue's distributions to a column of DATA (a CSV file), rank them by "
            "AIC with a Kolmogorov-Smirnov test, and print the TOML table of the best one; "
            "with --expert, pool experts' three-point estimates instead.",
        ),
        "compare": (
            "simulation.cli.compare:compare",
            "Compare alternatives A.toml B.toml [C.toml ...] on the same simulated futures.",
        ),
        "sweep": (
            "simulation.cli.compare:sweep",
            "Run SCENARIO at each setting of one or more levers, with common random numbers, "
            "and show how P10/P50/P90 of the key outputs and the target probabilities move.",
        ),
        "new": (
            "simulation.cli.new:new",
            "Write a commented starter scenario <dir>/<NAME>.toml.",
        ),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, without importing the lazy commands."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.lazy:
                stand_in = click.Command(name, help=self.lazy[name][1])
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SimulationError as exc:
            echo_error(exc)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: the run was stopped and its workers shut down; "
                "no results folder was written",
                err=True,
            )
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backsourcing-sim")
def main() -> None:
    """Backsourcing risk simulation: what bringing a service back in-house costs, how long it
    takes and how much disruption to expect, with honest uncertainty."""


# validate -------------------------------------------------------------------------------------


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files; print OK or every problem found. Exit 1 if any is invalid."""
    failed = False
    for path in scenarios:
        try:
            sc = load(path)
        except SimulationError as exc:
            failed = True
            for line in exc.messages:
                click.echo(line)
        else:
            guard = check_scenario(sc)  # what a run would refuse or warn about
            failed = failed or bool(guard.errors)
            for line in guard.errors:
                click.echo(line)
            if not guard.errors:
                click.echo(f"{path}: OK")
            for w in guard.warnings:
                click.echo(f"warning: {w}", err=True)
    if failed:
        sys.exit(1)


# inputs ---------------------------------------------------------------------------------------


@main.command()
@scenario_arg
@iterations_option(help="Draws (default: the scenario's simulation.iterations).")
@seed_option()
@sampler_option()
@strict_option()
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the sampled matrix to this CSV file.",
)
def inputs(
    scenario: Path,
    iterations: int | None,
    seed: int | None,
    sampler: str | None,
    strict: bool,
    csv_path: Path | None,
) -> None:
    """Sample the uncertain inputs without running the model, and describe them."""
    import numpy as np
    import pandas as pd

    from simulation.sampling.designs import sample_inputs

    sc = load(scenario)
    matrix = sample_inputs(sc, iterations, seed=seed, sampler=sampler, strict=strict)
    for w in matrix.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(
        f"{sc.path}: {len(sc.uncertain)} uncertain inputs, {matrix.n:,} draws "
        f"({sampler or sc.sampler}, seed {matrix.seed})"
    )
    if not sc.uncertain:
        return
    pct = np.percentile(matrix.values, [10, 50, 90], axis=0)
    means = matrix.values.mean(axis=0)
    rows = []
    for j, name in enumerate(matrix.names):
        d = sc.inputs[name]
        exact = [d.percentile(q) for q in (0.1, 0.5, 0.9)]
        rows.append(
            {
                "input": name,
                "distribution": d.describe(),
                "mean": f"{means[j]:.4g} ({d.mean():.4g})",
                "P10": _pair(pct[0, j], exact[0]),
                "P50": _pair(pct[1, j], exact[1]),
                "P90": _pair(pct[2, j], exact[2]),
            }
        )
    click.echo("sample value (exact value from scipy in brackets)")
    click.echo(pd.DataFrame(rows).to_string(index=False))
    if csv_path is not None:
        try:
            matrix.to_frame().to_csv(csv_path, index_label="iteration", float_format="%.10g")
        except OSError as exc:
            raise SimulationError(f"{csv_path}: cannot write ({os_reason(exc)})") from None
        click.echo(f"sampled matrix written to {csv_path}")


def _pair(sample: float, exact: float | None) -> str:
    return f"{sample:.4g}" if exact is None else f"{sample:.4g} ({exact:.4g})"


# run ------------------------------------------------------------------------------------------


#: Options of ``run`` that only mean something with ``--iterations auto``.
AUTO_ONLY = ("tolerance", "max_iterations")


def _refuse_unused(ctx: click.Context, needed: str, names: tuple[str, ...], given: bool) -> None:
    """Refuse options the user gave (not left at their default) that ``needed`` would use but
    this invocation does not (``given`` False): one line naming the option."""
    if given:
        return
    for name in names:
        if ctx.get_parameter_source(name) not in (
            None,
            ParameterSource.DEFAULT,
            ParameterSource.DEFAULT_MAP,
        ):
            option = "--" + name.replace("_", "-")
            raise SimulationError(
                f"{option} is only used with {needed}; add {needed} or leave {option} out"
            )


@main.command()
@scenario_arg
@iterations_option(
    help="Iterations, or 'auto' to run until the key percentiles settle.",
    param_type=IterationsOrAuto(),
)
@seed_option()
@jobs_option()
@sampler_option()
@click.option("--chunk-size", type=click.IntRange(1), default=None, hidden=True)
@click.option(
    "--tolerance",
    type=FiniteFloatRange(0, 1, min_open=True),
    default=0.01,
    show_default=True,
    help="With --iterations auto: allowed move, as a share of P50.",
)
@click.option(
    "--max-iterations",
    type=click.IntRange(1, MAX_ITERATIONS),
    default=50_000,
    show_default=True,
    help="With --iterations auto: the cap.",
)
@out_option(help="Results folder (default results/<scenario>/<UTC time>/).")
@force_option()
@strict_option()
@svg_option()
@click.option("--no-report", is_flag=True, help="Skip charts and report (tables only).")
@click.option(
    "--rank-risks/--no-rank-risks",
    default=True,
    show_default=True,
    help="Rank the risks by what removing each is worth at the P80 (re-runs the struck futures).",
)
@quiet_option()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    help="Where iterations run: local processes, or a Dask cluster (docs/scale.md).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="With --backend dask: the scheduler, e.g. tcp://host:8786 (default: a LocalCluster "
    "of --jobs processes).",
)
@click.option(
    "--format",
    "sample_format",
    type=click.Choice(["csv", "parquet", "both"]),
    default="csv",
    show_default=True,
    help="Sample files: samples.csv is always written (the report reads it); parquet/both "
    "add samples.parquet.",
)
def run(
    scenario: Path,
    iterations: int | str | None,
    seed: int | None,
    jobs: int | None,
    sampler: str | None,
    chunk_size: int | None,
    tolerance: float,
    max_iterations: int,
    out: Path | None,
    force: bool,
    strict: bool,
    svg: bool,
    no_report: bool,
    rank_risks: bool,
    quiet: bool,
    as_json: bool,
    backend: str,
    scheduler: str | None,
    sample_format: str,
) -> None:
    """Run the Monte Carlo simulation of SCENARIO and write a results folder."""
    from simulation.api import run as api_run
    from simulation.engine.extras import require_extras

    stop_on_signals()
    n = iterations
    _refuse_unused(click.get_current_context(), "--iterations auto", AUTO_ONLY, n == "auto")
    options = RunOptions(
        None if n in (None, "auto") else int(n),
        seed=seed,
        sampler=sampler,
        strict=strict,
        auto=n == "auto",
        tolerance=tolerance,
        max_iterations=max_iterations,
        jobs=jobs,
        chunk_size=chunk_size,
        backend=backend,
        scheduler=scheduler,
    )
    require_extras(backend, sample_format)  # before the scenario is read
    sc = guarded_scenario(scenario)
    unique = out is None
    out = out_folder(out, scenario.stem)
    warn_stale(out.parent)
    t0 = time.perf_counter()
    res = api_run(
        sc,
        options=options,
        progress=progress_bars(quiet or as_json),
        out=out,
        force=force,
        formats=sample_format,
        rank_risks=rank_risks,
        unique_out=unique,
    )
    assert res.stage is not None
    out = res.stage.out
    try:
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
        res.save(out, force=force, charts=not no_report, svg=svg, report=not no_report)
    except BaseException:
        res.discard()
        raise
    wall = time.perf_counter() - t0
    out = shown_path(out)
    if as_json:
        click.echo(json.dumps(_summary_json(res, out), indent=2))
    elif not quiet:
        click.echo(_summary_text(res, out, wall))
    else:
        click.echo(str(out))


def _summary_json(res: Any, out: Path) -> dict[str, Any]:
    from simulation.analysis.summary import headline

    return {
        "results": str(out),
        "seed": res.meta["seed"],
        "iterations": res.meta["iterations"],
        "summary": headline(res.summary),
        "warnings": list(res.warnings),
    }


def _fmt(value: float, metric: str, currency: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric.endswith("_months") or metric.endswith("_month"):
        return f"{value:.1f} months"
    if "cost" in metric or "npv" in metric:
        return f"{value / 1e6:.2f} M {currency}"
    return f"{value:,.0f}"


def _summary_text(res: Any, out: Path, wall: float) -> str:
    cur = res.scenario.currency
    s = res.summary.set_index("metric")
    lines = [
        f"{res.scenario.name}: {res.meta['iterations']:,} iterations, seed {res.meta['seed']}, "
        f"{wall:.1f} s",
        "",
        f"{'output':<22}{'P10':>16}{'P50':>16}{'P90':>16}",
    ]
    for m in (
        "transition_months",
        "cutover_month",
        "transition_cost",
        "response_cost",
        "npv_savings",
        "status_quo_npv",
        "breakeven_month",
        "peak_backlog",
    ):
        if m in s.index:
            r = s.loc[m]
            lines.append(
                f"{m:<22}" + "".join(f"{_fmt(r[p], m, cur):>16}" for p in ("p10", "p50", "p90"))
            )
    lines.append("")
    for m, r in s.iterrows():
        if isinstance(r.get("target"), str) and r["target"]:
            lines.append(f"P({m} {r['target']}) = {r['p_within_target']:.0%}")
    for m in ("p_npv_savings_positive", "p_breakeven_within_horizon"):
        if m in s.index:
            lines.append(f"{m} = {s.loc[m, 'mean']:.0%}")
    sens = res.sensitivity
    if len(sens):
        top = sens[sens["output"] == "transition_cost"].head(5)
        if len(top):
            lines.append("")
            lines.append("top drivers of transition_cost (Spearman rank correlation):")
            for _, r in top.iterrows():
                lines.append(f"  {r['input']:<45}{r['spearman']:+.2f}")
    lines.append("")
    lines.append(f"results: {out}")
    if (out / "report.html").exists():
        lines.append(f"report:  {out / 'report.html'}")
    return "\n".join(lines)


# trace ----------------------------------------------------------------------------------------


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


# clean ----------------------------------------------------------------------------------------


@main.command()
@click.argument(
    "folders",
    nargs=-1,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--dry-run", "-n", is_flag=True, help="List what would be done; change nothing.")
def clean(folders: tuple[Path, ...], dry_run: bool) -> None:
    """Remove the temporary folders that interrupted runs left in FOLDERS (default: results)
    and up to two levels below; put back a results folder whose replacement was interrupted.

    Only folders of this tool whose run has ended are touched: never a folder a running
    process is writing, never anything else, and no link is followed.
    """
    from simulation.results.folders import clean as clean_folders
    from simulation.results.folders import stale_folders

    targets = folders or (Path("results"),)
    found = []
    for folder in targets:
        if not folder.is_dir():
            raise SimulationError(f"{folder}: not a folder")
        found.extend(stale_folders(folder))
    if not found:
        click.echo(f"nothing to clean in {', '.join(str(f) for f in targets)}")
        return
    if dry_run:
        for item in found:
            action = f"restore as {item.target}" if item.restore else "remove"
            click.echo(f"would {action}: {item.path} ({item.bytes / 1e6:.1f} MB)")
        return
    for line in clean_folders(found):
        click.echo(line)


# report ---------------------------------------------------------------------------------------


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pdf", is_flag=True, help="Also write report.pdf.")
@svg_option()
def report(results_dir: Path, pdf: bool, svg: bool) -> None:
    """Rebuild the charts and report of a results folder without re-running the model.

    The folder is checked first, as input from someone else: links inside it are not
    followed, and a damaged file is named; then every file is written at once, so a failure
    leaves the folder as it was.
    """
    from simulation.report.run_report import rebuild_report

    path = rebuild_report(results_dir, pdf=pdf, svg=svg)
    click.echo(f"report: {path}")
    if pdf:
        click.echo(f"pdf:    {path.with_suffix('.pdf')}")
