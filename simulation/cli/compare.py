"""``simulate compare`` and ``simulate sweep``: decision tools run with common random numbers.

Registered lazily on the ``simulate`` group (``LazyGroup.lazy`` in :mod:`simulation.cli.group`),
whose error handling turns :class:`~simulation.errors.SimulationError` into ``error: ...`` lines and
exit code 1, and Ctrl-C into exit 130.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from simulation.cli.options import (
    force_option,
    out_option,
    paired_run_options,
    quiet_option,
    scenario_arg,
)
from simulation.cli.support import (
    guarded_scenario,
    progress_bars,
    run_into_folder,
    stop_on_signals,
)
from simulation.errors import SimulationError

if TYPE_CHECKING:
    from simulation.analysis.compare import Comparison

FORCE_HELP = "Replace an existing output folder."
QUIET_HELP = "No progress bar, no table."


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@paired_run_options()
@out_option(help="Comparison folder (default results/compare/<UTC time>/).")
@force_option(help=FORCE_HELP)
@click.option("--no-report", is_flag=True, help="Tables only: no charts, no compare.html.")
@quiet_option(help=QUIET_HELP)
def compare(
    scenarios: tuple[Path, ...],
    iterations: int | None,
    seed: int | None,
    jobs: int | None,
    sampler: str | None,
    out: Path | None,
    force: bool,
    no_report: bool,
    quiet: bool,
) -> None:
    """Compare alternatives A.toml B.toml [C.toml ...] on the same simulated futures.

    Differences are paired (B − A per iteration, common random numbers) and taken against the
    first scenario; staying outsourced is shown as the reference for every alternative.
    """
    from simulation.analysis.compare import compare as run_compare

    stop_on_signals()
    if len(scenarios) < 2:
        raise SimulationError("compare needs at least two scenario files")
    loaded = [guarded_scenario(p) for p in scenarios]
    comp, shown = run_into_folder(
        out,
        "compare",
        "compare",
        force,
        lambda: run_compare(
            loaded, iterations, seed=seed, jobs=jobs, sampler=sampler, progress=progress_bars(quiet)
        ),
        lambda result, staging: result.save(
            staging.out, force=force, report=not no_report, staging=staging
        ),
    )
    if quiet:
        click.echo(str(shown))
        return
    click.echo(
        f"{len(comp.alternatives)} alternatives, {comp.meta['iterations']:,} iterations each, "
        f"seed {comp.meta['seed']} (common random numbers)\n"
    )
    from simulation.report.compare import compare_sentences

    for sentence in compare_sentences(comp):
        click.echo(f"- {sentence}")
    _echo_ranking(comp)
    click.echo(f"\ncomparison: {shown}")
    if (shown / "compare.html").exists():
        click.echo(f"report:     {shown / 'compare.html'}")


def _echo_ranking(comp: Comparison) -> None:
    """The options ranked by mean NPV of cost, as a table."""
    from simulation.report.compare import ranking_rows

    click.echo("\noptions ranked by mean NPV of cost (paired futures):")
    rows = ranking_rows(comp)
    width = max(len(r["option"]) for r in rows)
    click.echo(
        f"  {'#':>2}  {'option':<{width}}  {'mean NPV':>12}  {'cheapest in':>11}  "
        f"{'P80 transition cost':>19}  {'P80 time':>12}"
    )
    for r in rows:
        click.echo(
            f"  {r['rank']:>2}  {r['option']:<{width}}  {r['mean']:>12}  {r['p_lowest']:>11}  "
            f"{r['transition_cost']:>19}  {r['transition_months']:>12}"
        )


@click.command()
@scenario_arg
@click.option(
    "--set",
    "sets",
    multiple=True,
    required=True,
    metavar="KEY=VALUES",
    help="A lever and its values: a:b:step (range, b included when on the grid) or a,b,c. "
    "Several --set give the full grid.",
)
@paired_run_options()
@out_option(help="Sweep folder (default results/<scenario>-sweep/<UTC time>/).")
@force_option(help=FORCE_HELP)
@click.option("--no-chart", is_flag=True, help="Write sweep.csv only.")
@quiet_option(help=QUIET_HELP)
def sweep(
    scenario: Path,
    sets: tuple[str, ...],
    iterations: int | None,
    seed: int | None,
    jobs: int | None,
    sampler: str | None,
    out: Path | None,
    force: bool,
    no_chart: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO at each setting of one or more levers, with common random numbers, and
    show how P10/P50/P90 of the key outputs and the target probabilities move."""
    from simulation.analysis.sweep import parse_sets
    from simulation.analysis.sweep import sweep as run_sweep
    from simulation.report.sweep import table_text

    stop_on_signals()
    sc = guarded_scenario(scenario)
    levers = parse_sets(sets, sc)
    res, shown = run_into_folder(
        out,
        f"{scenario.stem}-sweep",
        "sweep",
        force,
        lambda: run_sweep(
            sc,
            levers,
            iterations,
            seed=seed,
            jobs=jobs,
            sampler=sampler,
            progress=progress_bars(quiet),
        ),
        lambda result, staging: result.save(
            staging.out, force=force, chart=not no_chart, staging=staging
        ),
    )
    if quiet:
        click.echo(str(shown))
        return
    click.echo(table_text(res))
    click.echo(f"\nsweep: {shown}")
