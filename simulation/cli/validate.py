"""``simulate validate``: check scenario files, print OK or every problem found."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simulation.cli.group import main
from simulation.cli.support import (
    load,
)
from simulation.engine.guards import check_scenario
from simulation.errors import SimulationError

__all__ = [
    "validate",
]


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
