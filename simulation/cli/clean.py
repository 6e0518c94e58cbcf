"""``simulate clean``: remove the temporary folders that interrupted runs left."""

from __future__ import annotations

from pathlib import Path

import click

from simulation.cli.group import main
from simulation.errors import SimulationError

__all__ = [
    "clean",
]


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
    from simulation.results.stale import clean as clean_folders
    from simulation.results.stale import stale_folders

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
