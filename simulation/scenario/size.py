"""What one iteration of a scenario holds in memory, and memory sizes in words.

The reader refuses a scenario whose ``simulation.iterations`` could never fit (``_size_checks``
of :mod:`simulation.scenario.reader`); :mod:`simulation.engine.memory` weighs a whole run
against the machine. Both use these figures; the calibration is in that module's docstring.
"""

from __future__ import annotations

from simulation.scenario import schema

#: Copies of an iteration's row of inputs, outputs and flags that a run holds at its peak.
TABLE_COPIES = 5
#: Bytes of one monthly value (float32).
MONTHLY_VALUE_BYTES = 4
#: Bytes of one scalar or input value (float64).
VALUE_BYTES = 8

__all__ = ["MONTHLY_VALUE_BYTES", "TABLE_COPIES", "VALUE_BYTES", "per_iteration_bytes", "size_text"]


def per_iteration_bytes(horizon_months: float, inputs: int, risks: int) -> float:
    """Bytes one iteration holds: its monthly series, and :data:`TABLE_COPIES` copies of its row
    of uncertain inputs, scalar outputs and risk flags."""
    monthly = MONTHLY_VALUE_BYTES * len(schema.SERIES_NAMES) * horizon_months
    row = VALUE_BYTES * (inputs + len(schema.SCALAR_NAMES)) + risks + 1
    return monthly + TABLE_COPIES * row


def size_text(n: float) -> str:
    """A memory size for a message: ``1.2 GB``, ``720.0 kB``, ``512 bytes`` (powers of 1000)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover
