"""How a Monte Carlo run is made: :class:`RunOptions`, built once (by the command line or a
notebook) and handed through :func:`simulation.api.run` to :func:`simulation.engine.run.simulate`.

The options that decide the numbers are the design (``iterations``, ``auto`` with ``tolerance``,
``max_iterations`` and ``batch``), the ``seed``, the ``sampler`` and ``strict``. The others only
decide where and in which pieces the work runs (``jobs``, ``chunk_size``, ``backend``,
``scheduler``): the same design and seed give the same numbers whatever they are.

This module imports nothing heavy, so the command line can check its options before it loads
NumPy, SimPy or Dask.
"""

from __future__ import annotations

import math
import re
from dataclasses import KW_ONLY, dataclass

from simulation.errors import SimulationError
from simulation.scenario.schema import BY_PATH, MAX_ITERATIONS

#: The input designs a run may draw with (``simulation.sampler`` in a scenario).
SAMPLERS: tuple[str, ...] = BY_PATH["simulation.sampler"].choices

#: Where the iterations of a run may go: local processes, or a Dask cluster (docs/scale.md).
BACKENDS: tuple[str, ...] = ("local", "dask")

#: Dask's network protocols a scheduler address may name (``inproc`` works only inside one
#: process and is not offered).
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")

_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})/?$"
)

__all__ = ["BACKENDS", "SAMPLERS", "SCHEDULER_SCHEMES", "RunOptions", "check_scheduler"]


def check_scheduler(address: str) -> str:
    """``address`` if it is a usable Dask scheduler address (``tcp://host:8786``, ``host:8786``,
    ``tls://[::1]:8786`` …), else a :class:`SimulationError` saying what is expected."""
    expected = (
        "expected an address such as tcp://host:8786 (protocol "
        f"{', '.join(SCHEDULER_SCHEMES)}; host name, IPv4 or [IPv6] address; port 1-65535)"
    )
    shown = address if address.isprintable() else repr(address)
    match = _ADDRESS.match(address.strip())
    if match is None:
        raise SimulationError(
            f"--scheduler: '{shown[:200]}' is not a scheduler address; {expected}"
        )
    scheme = (match.group("scheme") or "tcp").lower()
    if scheme not in SCHEDULER_SCHEMES:
        raise SimulationError(
            f"--scheduler: '{shown[:200]}' uses the protocol '{scheme}', which Dask's scheduler "
            f"does not speak; {expected}"
        )
    port = int(match.group("port"))
    if not 1 <= port <= 65535:
        raise SimulationError(f"--scheduler: port {port} is out of range; {expected}")
    return address.strip()


def _whole(name: str, value: object, low: int, high: int | None = None) -> None:
    """Refuse ``value`` unless it is an ``int`` (not a bool) within ``low``..``high``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        within = f"within {low:,}..{high:,}" if high is not None else f">= {low:,}"
        raise SimulationError(f"{name} must be a whole number {within}, got {value!r}")


@dataclass(frozen=True)
class RunOptions:
    """The options of one Monte Carlo run; ``None`` means "the scenario's own setting".

    ``RunOptions(2000, seed=7, jobs=2)``: 2,000 iterations from root seed 7 on two worker
    processes. Every option is checked when the object is made: a bad value is one
    :class:`~simulation.errors.SimulationError` naming the option and what it must be.
    """

    #: Iterations of a fixed run (1..2,000,000); None: the scenario's ``simulation.iterations``.
    #: Ignored when ``auto``.
    iterations: int | None = None
    _: KW_ONLY
    #: Root seed of every random stream (a whole number ≥ 0); None: the scenario's
    #: ``simulation.seed``, else a fresh one. The seed used is written to ``run.json``.
    seed: int | None = None
    #: Input design: ``lhs`` (Latin hypercube), ``random`` or ``sobol``; None: the scenario's
    #: ``simulation.sampler``.
    sampler: str | None = None
    #: Refuse rank correlations that are not jointly consistent instead of repairing them to the
    #: nearest consistent matrix.
    strict: bool = False
    #: Run in batches until the P10/P50/P90 of the key outputs settle (instead of a fixed
    #: number of iterations); the inputs are drawn for ``max_iterations``.
    auto: bool = False
    #: With ``auto``: the largest move of each key percentile between batches that counts as
    #: settled, as a share of its P50 (0 < tolerance < 1).
    tolerance: float = 0.01
    #: With ``auto``: the most iterations run (and the size the input design is drawn for).
    max_iterations: int = 50_000
    #: With ``auto``: iterations between two convergence checks.
    batch: int = 1000
    #: Worker processes (≥ 1); None: every core this process may use. For ``dask`` without
    #: a scheduler, the size of the local cluster.
    jobs: int | None = None
    #: Iterations per task sent to a worker; None: about eight chunks a worker, at most 1,000.
    chunk_size: int | None = None
    #: ``local`` (in-process for one job, else a process pool) or ``dask``.
    backend: str = "local"
    #: With ``backend="dask"``: the scheduler's address, e.g. ``tcp://host:8786``; None: a new
    #: local cluster of ``jobs`` processes.
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.iterations is not None:
            _whole("iterations", self.iterations, 1, MAX_ITERATIONS)
        if self.seed is not None:
            _whole("seed", self.seed, 0)
        if self.sampler is not None and self.sampler not in SAMPLERS:
            raise SimulationError(
                f"sampler must be one of {', '.join(SAMPLERS)}, got {self.sampler!r}"
            )
        tolerance = self.tolerance
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, int | float)
            or not math.isfinite(tolerance)
            or not 0 < tolerance < 1
        ):
            raise SimulationError(
                f"tolerance must be a share of P50 above 0 and below 1, got {tolerance!r}"
            )
        _whole("max_iterations", self.max_iterations, 1, MAX_ITERATIONS)
        _whole("batch", self.batch, 1)
        if self.jobs is not None:
            _whole("jobs", self.jobs, 1)
        if self.chunk_size is not None:
            _whole("chunk_size", self.chunk_size, 1)
        if self.backend not in BACKENDS:
            raise SimulationError(
                f"unknown backend {self.backend!r} (expected one of {', '.join(BACKENDS)})"
            )
        if self.scheduler is not None:
            if self.backend != "dask":
                raise SimulationError("--scheduler needs --backend dask")
            check_scheduler(self.scheduler)

    @property
    def design_size(self) -> int | None:
        """The iterations the input design is drawn for: ``max_iterations`` under ``auto``,
        else ``iterations`` (None: the scenario's)."""
        return self.max_iterations if self.auto else self.iterations
