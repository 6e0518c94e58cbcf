"""``simulate run``: the Monte Carlo run of a scenario into a results folder, and its summary."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from simulation.cli.group import main
from simulation.cli.options import (
    MAX_ITERATIONS,
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
    out_folder,
    progress_bars,
    shown_path,
    stop_on_signals,
    warn_stale,
)
from simulation.errors import SimulationError
from simulation.scenario.run_options import BACKENDS, RunOptions

if TYPE_CHECKING:
    from simulation.results.types import Results

__all__ = [
    "AUTO_ONLY",
    "run",
]


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
    out = _publish(res, force=force, report=not no_report, svg=svg)
    _echo_result(res, out, time.perf_counter() - t0, as_json=as_json, quiet=quiet)


def _publish(res: Results, *, force: bool, report: bool, svg: bool) -> Path:
    """Print the run's warnings and save it into the folder its samples were streamed to (charts
    and report unless ``report`` is false); returns the folder as shown to the user. Any failure
    discards the staged folder."""
    assert res.stage is not None
    out = res.stage.out
    try:
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
        res.save(out, force=force, charts=report, svg=svg, report=report)
    except BaseException:
        res.discard()
        raise
    return shown_path(out)


def _echo_result(res: Results, out: Path, wall: float, *, as_json: bool, quiet: bool) -> None:
    """The summary as JSON or as text (``wall``: seconds), or with ``quiet`` only the folder."""
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
