"""The analysis stage: statistics of a run and the decision tools built on paired runs.

Owns percentiles and the summary table (``summary``), sensitivity, risk effects and monthly
bands (``sensitivity``), ranking risks by removing them (``risk_removal``), comparing
alternatives (``compare``) and their paired differences (``differences``), ranking the options
(``ranking``) and sweeping levers (``sweep``, whose ``--set`` levers and grid are ``levers``)
on common random numbers. Imports :mod:`simulation.engine` and below; ``Comparison.save`` and
``SweepResults.save`` write their folders through :mod:`simulation.results` and their report
through :mod:`simulation.report` (the exceptions listed in tests/test_layering.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.analysis.compare import Alternative, Comparison
    from simulation.analysis.levers import Lever, parse_sets
    from simulation.analysis.sensitivity import risk_effects, timeseries_bands
    from simulation.analysis.summary import summarise
    from simulation.analysis.sweep import SweepResults

__all__ = [
    "Alternative",
    "Comparison",
    "Lever",
    "SweepResults",
    "parse_sets",
    "risk_effects",
    "summarise",
    "timeseries_bands",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "Alternative": "compare",
    "Comparison": "compare",
    "Lever": "levers",
    "SweepResults": "sweep",
    "parse_sets": "levers",
    "risk_effects": "sensitivity",
    "summarise": "summary",
    "timeseries_bands": "sensitivity",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
