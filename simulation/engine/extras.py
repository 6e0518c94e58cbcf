"""Optional dependencies: Dask for ``--backend dask``, PyArrow for ``--format parquet``.

Both are extras of the package (``pip install 'backsourcing-sim[dask]'``, ``[parquet]``), so a
plain install stays light. Asking for a feature whose extra is missing is one
:class:`~simulation.errors.SimulationError` naming the option, the missing package and the
command that installs it, before anything is drawn or written.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from simulation.errors import SimulationError

#: The name this package is installed under (``pip install 'backsourcing-sim[dask]'``).
DISTRIBUTION = "backsourcing-sim"


@dataclass(frozen=True)
class Extra:
    """An optional feature: the ``option`` that needs it, the ``modules`` it imports, the
    ``requirement`` that provides them and the package ``extra`` that installs it."""

    extra: str
    option: str
    requirement: str
    modules: tuple[str, ...]

    def message(self, option: str | None = None) -> str:
        """The one-line error for ``option`` (default: :attr:`option`) without this extra."""
        return (
            f"{option or self.option} needs the optional dependency '{self.requirement}': "
            f"pip install '{DISTRIBUTION}[{self.extra}]'"
        )


DASK = Extra("dask", "--backend dask", "dask[distributed]", ("dask", "distributed"))
PARQUET = Extra("parquet", "--format parquet", "pyarrow", ("pyarrow", "pyarrow.parquet"))

__all__ = ["DASK", "DISTRIBUTION", "PARQUET", "Extra", "require", "require_extras"]


def require(extra: Extra, option: str | None = None) -> None:
    """Import ``extra``'s modules, or raise its one-line :class:`SimulationError` (naming
    ``option``, default the extra's own)."""
    for module in extra.modules:
        try:
            importlib.import_module(module)
        except ImportError:
            raise SimulationError(extra.message(option)) from None


def require_extras(backend: str = "local", formats: str = "csv") -> None:
    """Check that what a run with this ``backend`` and sample ``formats`` needs is installed."""
    if backend == "dask":
        require(DASK)
    if formats in ("parquet", "both"):
        require(PARQUET, f"--format {formats}")
