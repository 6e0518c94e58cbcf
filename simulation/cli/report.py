"""``simulate report``: rebuild the charts and report of a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from simulation.cli.group import main
from simulation.cli.options import (
    svg_option,
)

__all__ = [
    "report",
]


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
