"""What the ``simulate`` commands that run the model share at run time: loading a scenario with
the pre-run guards, naming and announcing output folders, progress bars, and stopping on
SIGTERM / SIGHUP as on Ctrl-C.

Used by :mod:`simulation.cli` (``run``) and :mod:`simulation.cli.compare` (``compare``,
``sweep``, which write their folders through :func:`run_into_folder`). Heavy modules are
imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from simulation.engine.guards import check_scenario
from simulation.errors import SimulationError
from simulation.scenario.types import Scenario

if TYPE_CHECKING:
    from simulation.results.publishing import Staging

#: A progress callback: the number of iterations just finished.
Tick = Callable[[int], None]

__all__ = [
    "ProgressBar",
    "Tick",
    "Warned",
    "guarded_scenario",
    "load",
    "out_folder",
    "progress_bars",
    "run_into_folder",
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


class Warned(Protocol):
    """A result whose ``meta["warnings"]`` the command prints (a comparison, a sweep)."""

    @property
    def meta(self) -> Mapping[str, Any]: ...


W = TypeVar("W", bound=Warned)


def run_into_folder(
    out: Path | None,
    stem: str,
    kind: str,
    force: bool,
    compute: Callable[[], W],
    save: Callable[[W, Staging], object],
) -> tuple[W, Path]:
    """Reserve the output folder of ``kind`` (``out``, or ``results/<stem>/<UTC time>`` made
    unique), ``compute`` the result and print its warnings, then ``save`` it into the reserved
    folder (:class:`~simulation.results.publishing.Staging`); returns the result and the folder
    as shown to the user. The folder is reserved before the work so that a clash is refused at
    once, and released if the work fails or is interrupted: nothing is left behind."""
    from simulation.results.publishing import Staging

    target = out_folder(out, stem)
    warn_stale(target.parent)
    staging = Staging(target, force, kind, unique=out is None)
    try:
        result = compute()
        for w in result.meta["warnings"]:
            click.echo(f"warning: {w}", err=True)
    except BaseException:
        staging.discard()
        raise
    save(result, staging)
    return result, shown_path(staging.out)


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
