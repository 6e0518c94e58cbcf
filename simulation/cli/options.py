"""Options and arguments shared by the ``simulate`` commands, defined once.

Each is a decorator (as ``click.option`` returns), so a command lists what it takes::

    @main.command()
    @scenario_arg
    @iterations_option()
    @seed_option()
    def inputs(scenario, iterations, seed): ...

Where the same option means something slightly different to a command (``--iterations`` is
the number of draws for ``inputs``, the design size for ``trace``), the command passes its own
``help``; type, range and default stay here. Importing this module loads click and
:mod:`simulation.scenario.schema` only (``simulate --help`` stays fast).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simulation.scenario.run_options import SAMPLERS
from simulation.scenario.schema import MAX_ITERATIONS

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

__all__ = [
    "MAX_ITERATIONS",
    "SAMPLERS",
    "FiniteFloatRange",
    "IterationsOrAuto",
    "force_option",
    "iterations_option",
    "jobs_option",
    "out_option",
    "paired_run_options",
    "quiet_option",
    "sampler_option",
    "scenario_arg",
    "seed_option",
    "strict_option",
    "svg_option",
]


class IterationsOrAuto(click.ParamType):
    """``-n N|auto``: a whole number within 1..2,000,000, or ``auto``; a bad value is refused
    with click's message naming the option (``Invalid value for '--iterations' / '-n': ...``)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, int) and str(value).strip().lower() == "auto":
            return "auto"
        try:
            n = int(str(value).strip())
        except ValueError:
            self.fail(f"must be a whole number or 'auto', got {value!r}", param, ctx)
        if not 1 <= n <= MAX_ITERATIONS:
            self.fail(f"must be within 1..{MAX_ITERATIONS:,}, got {n:,}", param, ctx)
        return n


class FiniteFloatRange(click.FloatRange):
    """A float option that refuses NaN and ±inf (which compare false with every bound, so
    ``click.FloatRange`` lets NaN through) with a message naming the option."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"must be a finite number, got {value!r}", param, ctx)
        return super().convert(number, param, ctx)


#: ``SCENARIO``: one scenario file (a TOML file; a pipe such as ``<(generate)`` works too).
scenario_arg: Decorator[Any] = click.argument(
    "scenario", type=click.Path(dir_okay=False, path_type=Path)
)


def iterations_option(
    help: str = "Iterations (default: the scenario's simulation.iterations).",
    param_type: click.ParamType | None = None,
) -> Decorator[Any]:
    """``--iterations/-n``: a whole number within 1..2,000,000 (or ``param_type``, e.g.
    :class:`IterationsOrAuto`); default None, the scenario's ``simulation.iterations``."""
    return click.option(
        "--iterations",
        "-n",
        type=param_type or click.IntRange(1, MAX_ITERATIONS),
        default=None,
        help=help,
    )


def seed_option(help: str = "Root seed.") -> Decorator[Any]:
    """``--seed``: a whole number ≥ 0 of any size; default None (the scenario's)."""
    return click.option("--seed", type=click.IntRange(0), default=None, help=help)


def sampler_option(
    help: str = "Input design: Latin hypercube, plain random or Sobol (default: the scenario's "
    "simulation.sampler).",
) -> Decorator[Any]:
    """``--sampler lhs|random|sobol``; default None (the scenario's)."""
    return click.option("--sampler", type=click.Choice(SAMPLERS), default=None, help=help)


def jobs_option(help: str = "Worker processes (default: all cores).") -> Decorator[Any]:
    """``--jobs/-j``: worker processes, 1..256; default None (every core)."""
    return click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help=help)


def strict_option(
    help: str = "Reject inconsistent correlations instead of repairing.",
) -> Decorator[Any]:
    return click.option("--strict", is_flag=True, help=help)


def force_option(help: str = "Replace an existing results folder.") -> Decorator[Any]:
    return click.option("--force", is_flag=True, help=help)


def quiet_option(help: str = "No progress bar and no summary table.") -> Decorator[Any]:
    return click.option("--quiet", "-q", is_flag=True, help=help)


def svg_option(help: str = "Also write the charts as SVG.") -> Decorator[Any]:
    return click.option("--svg", is_flag=True, help=help)


def out_option(help: str) -> Decorator[Any]:
    """``--out DIR``: the folder to write (a folder, not a file); default None (a new name)."""
    return click.option(
        "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, help=help
    )


def paired_run_options(
    iterations_help: str = "Iterations per alternative / setting (default: the scenario's "
    "simulation.iterations).",
    seed_help: str = "Root seed shared by every run.",
) -> Decorator[Any]:
    """``--iterations``, ``--seed``, ``--jobs`` and ``--sampler``, in that order, of a command
    whose runs share one size, seed and sampler (``compare``, ``sweep``: common random
    numbers)."""
    options = (
        iterations_option(help=iterations_help),
        seed_option(help=seed_help),
        jobs_option(),
        sampler_option(),
    )

    def apply(command: F) -> F:
        for option in reversed(options):  # as stacked decorators apply: the last first
            command = option(command)
        return command

    return apply
