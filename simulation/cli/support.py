"""What the ``simulate`` commands that run the model share at run time: loading a scenario with
the pre-run guards, naming and announcing output folders, progress bars, and stopping on
SIGTERM / SIGHUP as on Ctrl-C.

Used by :mod:`simulation.cli` (``run``) and :mod:`simulation.cli.compare` (``compare``,
``sweep``). Heavy modules are imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from simulation.engine.guards import check_scenario
from simulation.errors import SimulationError
from simulation.scenario.types import Scenario

#: A progress callback: the number of iterations just finished.
Tick = Callable[[int], None]

__all__ = [
    "ProgressBar",
    "Tick",
    "guarded_scenario",
    "load",
    "out_folder",
    "progress_bars",
    "shown_path",
    "stamp",
    "stop_on_signals",
    "warn_stale",
]


def load(path: Path) -> Scenario:
    """The scenario in ``path`` (every problem in one :class:`SimulationError`)."""
    from simulation.scenario.reader import load_scenario

    return load_scenario(path)


def guarded_scenario(path: Path) -> Scenario:
    """Load a scenario and apply the pre-run guards: refuse hopeless inputs, print warnings."""
    sc = load(path)
    guard = check_scenario(sc)
    if guard.errors:
        raise SimulationError(list(guard.errors))
    for w in guard.warnings:
        click.echo(f"warning: {w}", err=True)
    return sc


def stamp() -> str:
    """The UTC time as a results-folder name, e.g. ``20261124T231514Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def out_folder(out: Path | None, stem: str) -> Path:
    """The output folder: ``out`` made absolute, or ``results/<stem>/<UTC time>`` (a default
    name gets ``-2``, ``-3`` … when it is taken, see
    :class:`simulation.results.publishing.Staging`)."""
    from simulation.results.folders import target_path

    if out is not None:
        return target_path(out)
    return target_path(Path("results") / stem / stamp())


def shown_path(path: Path) -> Path:
    """``path`` relative to the current folder when it lies below it (for messages)."""
    from simulation.results.folders import shown

    return Path(shown(path))


def warn_stale(folder: Path) -> None:
    """Say which temporary folders of interrupted runs lie in ``folder`` (and put back a
    results folder whose replacement was interrupted)."""
    from simulation.results.stale import stale_warning

    line = stale_warning(folder)
    if line:
        click.echo(f"warning: {line}", err=True)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP stop a run like Ctrl-C: workers shut down, no results folder is left."""
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """A job scheduler's SIGTERM and a closed terminal's SIGHUP stop a run as Ctrl-C does."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)


def progress_bars(quiet: bool) -> Callable[[int], Tick] | None:
    """Progress bars on a terminal's stderr (None when ``quiet`` or stderr is not a terminal):
    called with a phase's planned total, returns that phase's :class:`ProgressBar`."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    phases = iter(("simulating", "ranking risks"))

    def start(total: int) -> Tick:
        """A bar per phase: the run, then the re-run futures of the risk-removal ranking (whose
        description then says how many risks are left, through ``describe``)."""
        desc = next(phases, "running")
        bar = tqdm(total=total, unit="it", desc=desc, file=sys.stderr, leave=False, smoothing=0.1)
        return ProgressBar(bar)

    return start


class ProgressBar:
    """A progress callback (iterations just finished) whose bar's text can be changed."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __call__(self, n: int) -> None:
        self.bar.update(n)

    def describe(self, text: str) -> None:
        self.bar.set_description_str(text)
