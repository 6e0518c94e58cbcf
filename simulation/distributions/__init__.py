"""The distribution stage: the catalogue of input distributions and fitting them to data.

Owns the catalogue (``families``: the common interface, fixed and resampled families;
``continuous``: the scipy-backed ones, with ``fast_ppf``: their fast inverse for large samples),
parsing a TOML value into one (``parsing``) and fitting the catalogue to a column of data
(``data``; ``estimators``: each family's maximum-likelihood estimate; ``fitting``: ranking the
fits) or to experts' pooled three-point estimates (``pooling``), with the numbers of the fit
chart (``fit_charts``).
Imports only the base modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.distributions.data import read_column
    from simulation.distributions.families import Distribution, Fixed
    from simulation.distributions.fitting import FitSummary, fit_distributions
    from simulation.distributions.parsing import parse_distribution
    from simulation.distributions.pooling import fit_pool, pool_experts, read_experts

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
    "fit_pool": "pooling",
    "parse_distribution": "parsing",
    "pool_experts": "pooling",
    "read_column": "data",
    "read_experts": "pooling",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
