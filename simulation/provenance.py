"""Where a run's numbers came from: this tool's version, the libraries that determine the numbers,
and the time (for the metadata of runs, comparisons and results folders).

A base module: every stage may import it. It imports nothing heavy until asked (reading the
version of SimPy loads SimPy, so :func:`versions` does that only when called).
"""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version

__all__ = ["now_utc", "package_version", "versions"]


def package_version() -> str:
    """This package's installed version (``0+unknown`` when run from a source tree)."""
    try:
        return version("backsourcing-sim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def versions() -> dict[str, str]:
    """Versions of this package and of the libraries that determine the numbers."""
    import numpy as np
    import scipy
    import simpy

    return {
        "simulation": package_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "simpy": simpy.__version__,
    }


def now_utc() -> str:
    """The current UTC time, ISO 8601 to the second (run metadata)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
