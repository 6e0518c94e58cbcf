"""The distribution stage: the catalogue of input distributions and fitting them to data.

Owns parsing a TOML value into a frozen distribution with ``ppf`` (``families``) and fitting
the catalogue to a column of data or pooling experts' three-point estimates (``fitting``).
Imports only the base modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.distributions.families import Distribution, Fixed, parse_distribution
    from simulation.distributions.fitting import (
        FitSummary,
        fit_distributions,
        fit_pool,
        pool_experts,
        read_column,
        read_experts,
    )

__all__ = [
    "Distribution",
    "FitSummary",
    "Fixed",
    "fit_distributions",
    "fit_pool",
    "parse_distribution",
    "pool_experts",
    "read_column",
    "read_experts",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "Distribution": "families",
    "FitSummary": "fitting",
    "Fixed": "families",
    "fit_distributions": "fitting",
    "fit_pool": "fitting",
    "parse_distribution": "families",
    "pool_experts": "fitting",
    "read_column": "fitting",
    "read_experts": "fitting",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
