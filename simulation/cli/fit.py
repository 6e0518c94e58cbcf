"""``simulate fit``: fit catalogue distributions to a data column, or pool expert estimates, and
print the ready-to-paste TOML table. Registered on the main group with ``main.add_command(fit)``.

User errors are raised as :class:`~simulation.errors.SimulationError`; the command prints them as
``error: ...`` lines on stderr and exits 1 itself (the same format as the ``simulate`` group), so
it behaves the same when invoked on its own (e.g. by click's ``CliRunner``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from simulation.cli.group import invoke_reporting_errors
from simulation.distributions.data import DECIMAL_MARKS, SEPARATORS, CsvFormat, read_column
from simulation.distributions.fit_charts import FitChartData, data_chart_data, pool_chart_data
from simulation.distributions.fitting import (
    FIT_FAMILIES,
    KS_NOTE,
    MAX_DISCRETE_VALUES,
    FitSummary,
    default_key,
    fit_distributions,
    parse_families,
    toml_line,
)
from simulation.distributions.pooling import (
    POOL_QUANTILES,
    ExpertPool,
    fit_pool,
    pool_experts,
    read_experts,
)
from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.plotting.fit import fit_chart


class _FitCommand(click.Command):
    """Prints :class:`SimulationError` messages and exits 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        return invoke_reporting_errors(ctx, super().invoke)


def _num(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.4g}"


def _fit_table(summary: FitSummary, pool: bool) -> str:
    best_aic = summary.fits[0].aic if summary.fits and summary.fits[0].ranked else math.nan
    rows = []
    for i, f in enumerate(summary.fits, start=1):
        row = {
            "rank": str(i) if f.ranked else "-",
            "family": f.family,
            "AIC": f"{f.aic:.1f}" if f.ranked else "",
            "dAIC": f"{f.aic - best_aic:.1f}" if f.ranked else "",
        }
        if pool:
            row["KS distance"] = _num(f.ks_statistic)
        else:
            row["KS stat"] = _num(f.ks_statistic)
            row["KS p"] = _num(f.ks_pvalue)
        row["distribution"] = f.distribution.describe()
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def _echo_failures(summary: FitSummary) -> None:
    for failure in summary.failures:
        click.echo(f"not fitted: {failure.family}: {failure.reason}")


def _write_chart(data: FitChartData, path: Path) -> None:
    fig = fit_chart(data)
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise SimulationError(f"{path}: cannot write the chart ({reason})") from None
    click.echo(f"chart: {path}")


def _run_data(
    data: Path,
    column: str,
    families: tuple[str, ...],
    key: str,
    chart: Path | None,
    fmt: CsvFormat,
) -> None:
    col = read_column(data, column, fmt=fmt)
    x = col.values
    click.echo(
        f"{data}: column '{column}': {len(x):,} values, min {x.min():.4g}, "
        f"mean {x.mean():.4g}, max {x.max():.4g}"
    )
    if col.thousands:
        click.echo(
            f"note: {col.thousands} values have thousands separators (1,234 read as 1234); "
            "if ',' is their decimal mark, give --decimal ,"
        )
    if col.skipped_lines:
        shown = ", ".join(str(n) for n in col.skipped_lines[:10])
        more = ", ..." if len(col.skipped_lines) > 10 else ""
        click.echo(f"skipped {len(col.skipped_lines)} empty cells (lines {shown}{more})")
    summary = fit_distributions(x, families)
    distinct = len(np.unique(x))
    if distinct <= MAX_DISCRETE_VALUES and "discrete" not in families:
        click.echo(f"note: only {distinct} distinct values; consider --families discrete")
    click.echo("")
    if summary.fits:
        click.echo(_fit_table(summary, pool=False))
    _echo_failures(summary)
    best = summary.best
    if best is None:
        raise SimulationError(
            f"{data}: column '{column}': no family could be fitted (try --families empirical)"
        )
    if best.ranked:
        click.echo(f"note: {KS_NOTE}")
    click.echo("")
    click.echo(f"best fit: {best.family} ({best.method})")
    click.echo(toml_line(best.distribution, key))
    if chart is not None:
        _write_chart(data_chart_data(col, summary, key.rpartition(".")[2]), chart)


def _experts_table(pool: ExpertPool) -> str:
    rows = [
        {
            "expert": e.expert,
            "min": f"{e.pert.min:g}",
            "mode": f"{e.pert.mode:g}",
            "max": f"{e.pert.max:g}",
            "weight": f"{e.weight:.3g}",
            "PERT mean": f"{e.pert.mean():.4g}",
        }
        for e in pool.experts
    ]
    return pd.DataFrame(rows).to_string(index=False)


def _run_expert(
    data: Path,
    families: tuple[str, ...],
    key: str,
    chart: Path | None,
    n_quantiles: int,
    fmt: CsvFormat,
) -> None:
    pool = pool_experts(read_experts(data, fmt), n_quantiles=n_quantiles, label=str(data))
    click.echo(f"{data}: {len(pool.experts)} experts, each a PERT, combined by a linear pool")
    click.echo(_experts_table(pool))
    click.echo(
        f"pooled: mean {pool.mean:.4g}, P10 {pool.p10:.4g}, P50 {pool.p50:.4g}, P90 {pool.p90:.4g}"
    )
    click.echo("")
    click.echo(f"pool as an empirical distribution of {n_quantiles} evenly spaced quantiles:")
    click.echo(toml_line(pool.empirical(), key))
    summary = fit_pool(pool, families)
    click.echo("")
    if summary.fits:
        click.echo("single families fitted to the pool (KS distance = max |F_pool - F_fit|):")
        click.echo(_fit_table(summary, pool=True))
    _echo_failures(summary)
    best = summary.best
    if best is not None:
        click.echo("")
        click.echo(f"best single family: {best.family} (KS distance {best.ks_statistic:.3g})")
        click.echo(toml_line(best.distribution, key))
    if chart is not None:
        _write_chart(pool_chart_data(pool, summary, key.rpartition(".")[2]), chart)


@click.command(cls=_FitCommand)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--column", "-c", default=None, help="The column of DATA to fit (not with --expert).")
@click.option(
    "--families",
    default=None,
    help="Comma-separated families to try (default: every continuous one). Choices: "
    + ", ".join(FIT_FAMILIES)
    + ".",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a fit chart (PNG, SVG or PDF by the file suffix).",
)
@click.option(
    "--key",
    default=None,
    help="Scenario key for the TOML line, e.g. staffing.time_to_hire_days (default: the column).",
)
@click.option(
    "--expert",
    is_flag=True,
    help="DATA holds three-point estimates: columns expert, min, mode, max, optional weight.",
)
@click.option(
    "--sep",
    type=click.Choice(list(SEPARATORS)),
    default=None,
    help="Field separator of DATA (default: detected from the header line).",
)
@click.option(
    "--decimal",
    type=click.Choice(DECIMAL_MARKS),
    default=".",
    show_default=True,
    help="Decimal mark of DATA's numbers: ',' for files such as 12,5;3,0 (the separator is "
    "then ';' or a tab, or the numbers are quoted).",
)
@click.option(
    "--quantiles",
    type=click.IntRange(2, 10_000),
    default=POOL_QUANTILES,
    show_default=True,
    help="With --expert: quantiles in the pooled empirical distribution.",
)
def fit(
    data: Path,
    column: str | None,
    families: str | None,
    chart: Path | None,
    key: str | None,
    expert: bool,
    sep: str | None,
    decimal: str,
    quantiles: int,
) -> None:
    """Fit the catalogue's distributions to a column of DATA (a CSV file), rank them by AIC with a
    Kolmogorov-Smirnov test, and print the TOML table of the best one; with --expert, pool
    experts' three-point estimates instead."""
    chosen = parse_families(families)
    fmt = CsvFormat(SEPARATORS[sep] if sep else "", decimal)
    if expert:
        if column is not None:
            raise SimulationError("--column is not used with --expert")
        _run_expert(data, chosen, key or "value", chart, quantiles, fmt)
        return
    if column is None:
        raise SimulationError(f"{data}: --column is required (the column of values to fit)")
    _run_data(data, column, chosen, key or default_key(column), chart, fmt)
