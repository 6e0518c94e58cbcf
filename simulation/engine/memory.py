"""The memory a run needs and the memory the machine has: runs too large are refused up front.

A run whose results do not fit in memory is killed by the system part-way (or swaps for hours);
:func:`check` refuses it before any iteration runs, naming what it would need and what there is.

What a run holds, in bytes (see :class:`simulation.engine.assembly.Assembly` and
:class:`simulation.engine.worker.SharedOutputs`)::

    need = FIXED_BYTES
         + workers × BATCH_BYTES_PER_DAY × horizon_days
         + iterations × (4 × 9 × horizon_months + TABLE_COPIES × (8 × (inputs + 25) + risks + 1))

* ``4 × 9 × horizon_months``: the 9 monthly series of every iteration, float32, held once;
* ``8 × (inputs + 25) + risks + 1``: one row of the input matrix (float64, one column per
  uncertain input), of the 25 scalar outputs (float64), of the risk flags (uint8) and the
  "arrived" flag; the samples table (pandas), the summary and the sensitivity ranks hold a few
  more copies of it, hence ``TABLE_COPIES``;
* ``BATCH_BYTES_PER_DAY × horizon_days`` per worker: the (runs × days) arrays of one batch of
  ``OUTCOME_BATCH`` runs while their outputs are computed (``horizon_days`` = months × the most
  working days a month the scenario allows);
* ``FIXED_BYTES``: the interpreter with numpy, pandas, scipy and SimPy loaded.

The constants were calibrated on the peak memory (PSS of the whole process tree) of real
``simulate run`` processes, ranking included (``scripts/bench_memory.py`` prints measured against
estimated figures): it_helpdesk (32 uncertain inputs, 6 risks) over 60 and 600 months and a
scenario with 203 uncertain inputs over 24 months, 2,000 to 60,000 iterations, ``-j 1`` and
``-j 2``. Measured per iteration: 4.3 kB (it_helpdesk, 60 months; estimate 4.5), 24.1 kB
(600 months; estimate 23.9), 7.8 kB (203 inputs; estimate 10.0), i.e. 4 to 5 copies of the row;
the whole estimate was 1.1 to 1.8 times every measured peak (2026-11-28).

The machine's memory is what it has *available now* (``MemAvailable`` of ``/proc/meminfo``: free
memory plus the page cache the kernel can drop), further limited by the memory limit of the
container (cgroup v2 ``memory.max`` or v1 ``memory.limit_in_bytes``, less what it already uses).
The total physical memory (``os.sysconf`` ``SC_PHYS_PAGES`` × ``SC_PAGE_SIZE``) is used only where
``/proc/meminfo`` does not exist (macOS): memory other processes hold is not there for the run,
and the kernel's out-of-memory killer acts on what is available, not on what is installed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulation.errors import SimulationError

# what one iteration holds is the scenario stage's (its reader refuses hopeless sizes); the
# figures stay reachable here, where the run is weighed
from simulation.scenario.size import TABLE_COPIES as TABLE_COPIES
from simulation.scenario.size import per_iteration_bytes as per_iteration_bytes
from simulation.scenario.size import size_text as size_text

#: The interpreter with numpy, pandas, scipy, SimPy and this package loaded (bytes).
FIXED_BYTES = 250 * 2**20
#: Per worker and horizon day: ``OUTCOME_BATCH`` (64) runs × about 44 float64 arrays of days.
BATCH_BYTES_PER_DAY = 64 * 44 * 8


@dataclass(frozen=True)
class Need:
    """What one run would hold: ``label`` names it in messages (a file, a ``--set`` setting);
    ``bytes`` in total and ``per_iteration`` bytes (both estimates, see the module docstring)."""

    label: str
    iterations: int
    horizon_months: int
    bytes: float
    per_iteration: float


def run_bytes(
    iterations: int,
    horizon_months: float,
    horizon_days: float,
    inputs: int,
    risks: int,
    workers: int = 1,
) -> float:
    """Bytes a run of ``iterations`` holds at its peak (the formula of the module docstring)."""
    return (
        FIXED_BYTES
        + max(1, workers) * BATCH_BYTES_PER_DAY * horizon_days
        + iterations * per_iteration_bytes(horizon_months, inputs, risks)
    )


def scenario_need(scenario: object, iterations: int, jobs: int = 1, label: str = "") -> Need:
    """The :class:`Need` of running ``scenario`` (a :class:`~simulation.scenario.types.Scenario`)
    for ``iterations`` on ``jobs`` workers."""
    from simulation.scenario.types import Scenario

    assert isinstance(scenario, Scenario)
    horizon = float(scenario.inputs["scenario.horizon_months"].support()[1])
    days_dist = scenario.inputs.get("demand.working_days_per_month")
    month_days = float(days_dist.support()[1]) if days_dist is not None else 21.0
    inputs, risks = len(scenario.uncertain), len(scenario.risks)
    per = per_iteration_bytes(horizon, inputs, risks)
    total = run_bytes(iterations, horizon, horizon * month_days, inputs, risks, jobs)
    return Need(label or scenario.path, iterations, int(horizon), total, per)


# The machine ------------------------------------------------------------------------------


def _meminfo_available(path: str = "/proc/meminfo") -> float | None:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _read_number(path: Path) -> float | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return float(text)
    except ValueError:  # "max": no limit
        return None


def _cgroup_room(
    root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")
) -> float | None:
    """Bytes left under this process's cgroup memory limit (v2 or v1), or None without one.

    ``membership`` lists the process's cgroups (``hierarchy:controllers:path``); the limit is
    read from its own cgroup's folder under ``root``, else from ``root`` itself."""
    try:
        lines = membership.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        rel = rel.lstrip("/")
        if controllers == "":  # cgroup v2
            files = ("memory.max", "memory.current")
            base = root
        elif "memory" in controllers.split(","):
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes")
            base = root / "memory"
        else:
            continue
        for folder in (base / rel, base):
            limit = _read_number(folder / files[0])
            if limit is not None and limit < 2**60:  # v1 reports "no limit" as about 2**63
                used = _read_number(folder / files[1]) or 0.0
                return max(0.0, limit - used)
    return None


def available_bytes() -> tuple[float, str] | None:
    """Memory a new run can use now, in bytes, and where the figure comes from; ``None`` when
    the system tells nothing (then no run is refused). See the module docstring for why."""
    found: list[tuple[float, str]] = []
    avail = _meminfo_available()
    if avail is not None:
        found.append((avail, "available (MemAvailable in /proc/meminfo)"))
    else:
        try:
            phys = float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            phys = 0.0
        if phys > 0:
            found.append((phys, "installed (physical memory)"))
    room = _cgroup_room()
    if room is not None:
        found.append((room, "left under this container's memory limit (cgroup)"))
    return min(found) if found else None


def check(needs: Sequence[Need], *, together: bool = False, what: str = "") -> None:
    """Refuse with one :class:`SimulationError` when the runs need more memory than the machine
    has: the largest of ``needs`` (runs one after the other, e.g. a sweep's settings) or their sum
    (``together``: runs whose results are all kept, e.g. compare's alternatives). ``what`` names
    the runs together in the message."""
    if not needs:
        return
    have = available_bytes()
    if have is None:
        return
    room, source = have
    if together:
        # the interpreter and a batch's working arrays once (the runs follow one another), the
        # results of every run
        kept = [n.iterations * n.per_iteration for n in needs]
        fixed = max(n.bytes - k for n, k in zip(needs, kept, strict=True))
        total = fixed + sum(kept)
        if total <= room:
            return
        parts = ", ".join(f"{n.label}: {size_text(k)}" for n, k in zip(needs, kept, strict=True))
        fit = _fit(room - fixed, sum(n.per_iteration for n in needs))
        raise SimulationError(
            f"{what}: {needs[0].iterations:,} iterations of each of the {len(needs)} alternatives "
            f"would need about {size_text(total)} of memory together ({parts}), but this machine "
            f"has {size_text(room)} {source}; use at most {fit} iterations (-n)"
        )
    worst = max(needs, key=lambda n: n.bytes)
    if worst.bytes <= room:
        return
    fixed = worst.bytes - worst.iterations * worst.per_iteration
    fit = _fit(room - fixed, worst.per_iteration)
    raise SimulationError(
        f"{worst.label}: {worst.iterations:,} iterations over a {worst.horizon_months}-month "
        f"horizon would need about {size_text(worst.bytes)} of memory "
        f"({size_text(worst.per_iteration)} an iteration), but this machine has "
        f"{size_text(room)} {source}; use at most {fit} iterations (-n) or a shorter horizon"
    )


def _fit(room: float, per_iteration: float) -> str:
    """The most iterations that fit in ``room`` bytes, rounded down to 2 significant digits."""
    n = int(room // per_iteration) if per_iteration > 0 and room > 0 else 0
    if n < 100:
        return f"{n:,}"
    scale = 10 ** (int(math.log10(n)) - 1)
    return f"{n // scale * scale:,}"
