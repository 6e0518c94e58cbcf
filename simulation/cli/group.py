"""The ``simulate`` click group: our errors become one-line messages and exit 1, Ctrl-C exit 130;
the heavier commands are listed in ``--help`` without being imported."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import click

from simulation.errors import SimulationError

__all__ = [
    "echo_error",
    "invoke_reporting_errors",
    "main",
]


def echo_error(exc: SimulationError) -> None:
    """Print a user error's messages on stderr (``error:`` before each; indented lines as is)."""
    for line in exc.messages:
        click.echo(f"error: {line}" if not line.startswith(" ") else line, err=True)


def invoke_reporting_errors(ctx: click.Context, invoke: Callable[[click.Context], Any]) -> Any:
    """``invoke(ctx)``, with a :class:`SimulationError` printed as its ``error: ...`` lines and
    exit code 1 (no traceback): the group's handling, and that of a command invoked on its own
    (``simulate fit`` in its tests)."""
    try:
        return invoke(ctx)
    except SimulationError as exc:
        echo_error(exc)
        ctx.exit(1)


class LazyGroup(click.Group):
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
            return invoke_reporting_errors(ctx, super().invoke)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: the run was stopped and its workers shut down; "
                "no results folder was written",
                err=True,
            )
            ctx.exit(130)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backsourcing-sim")
def main() -> None:
    """Backsourcing risk simulation: what bringing a service back in-house costs, how long it
    takes and how much disruption to expect, with honest uncertainty."""
