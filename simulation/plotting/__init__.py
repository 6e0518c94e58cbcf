"""The plotting stage: every plot function (data in, figure out; no statistics, no files).

``charts`` (the run report's charts and shared axis helpers), ``compare`` (S-curves of
alternatives, paired differences), ``sweep`` (an output against swept values), ``fit`` (fitted
families against data). Imports :mod:`simulation.results` and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.plotting.charts import fan_chart, histogram, s_curve, tornado
    from simulation.plotting.compare import difference_histogram, overlaid_s_curves
    from simulation.plotting.fit import fit_chart
    from simulation.plotting.sweep import sweep_chart

__all__ = [
    "difference_histogram",
    "fan_chart",
    "fit_chart",
    "histogram",
    "overlaid_s_curves",
    "s_curve",
    "sweep_chart",
    "tornado",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "difference_histogram": "compare",
    "fan_chart": "charts",
    "fit_chart": "fit",
    "histogram": "charts",
    "overlaid_s_curves": "compare",
    "s_curve": "charts",
    "sweep_chart": "sweep",
    "tornado": "charts",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
