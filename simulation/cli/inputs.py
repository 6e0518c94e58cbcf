"""``simulate inputs``: the uncertain inputs a run would draw, without the model."""

from __future__ import annotations

from pathlib import Path

import click

from simulation.cli.group import main
from simulation.cli.options import (
    iterations_option,
    sampler_option,
    scenario_arg,
    seed_option,
    strict_option,
)
from simulation.cli.support import (
    load,
)
from simulation.errors import SimulationError
from simulation.inputfiles import os_reason

__all__ = [
    "inputs",
]


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
