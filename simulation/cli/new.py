"""``simulate new NAME [--like SCENARIO] [--dir scenarios] [--force]``: write a starter scenario."""

from __future__ import annotations

from pathlib import Path

import click

from simulation.errors import SimulationError


@click.command()
@click.argument("name")
@click.option(
    "--like",
    default=None,
    metavar="SCENARIO",
    help="Extend this scenario of --dir (its file name without .toml) instead of starting empty.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("scenarios"),
    show_default=True,
    help="Folder to write <NAME>.toml in.",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def new(name: str, like: str | None, directory: Path, force: bool) -> None:
    """Write a commented starter scenario <dir>/<NAME>.toml.

    Without --like every key is listed at its default with its unit and meaning; with --like the
    file extends that scenario and shows its keys as examples of overrides. The file is validated
    after writing.
    """
    from simulation.scenario.reader import load_scenario
    from simulation.scenario.starter import write_starter

    path = write_starter(name, directory, like=like, force=force)
    try:
        load_scenario(path)
    except SimulationError as exc:  # pragma: no cover - the starter texts are tested to validate
        raise SimulationError(
            [f"{path}: written, but it does not validate:", *exc.messages]
        ) from None
    click.echo(f"{path}: written and valid; edit it, then `simulate validate {path}`")
