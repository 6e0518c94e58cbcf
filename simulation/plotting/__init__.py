"""The plotting stage: every plot function (data in, figure out; no statistics, no files).

The run report's charts: ``distribution`` (an output's S-curve and histogram), ``fans``
(monthly bands, the cost paths), ``drivers`` (tornado, risk register); ``compare`` (S-curves of
alternatives, paired differences), ``sweep`` (an output against swept values), ``fit`` (fitted
families against data); ``style`` (colours, text, axis helpers every chart shares). Imports
:mod:`simulation.results` and below.

Every plot function takes data that is already computed, draws on the ``ax`` it is given or on
a new figure, and returns the :class:`~matplotlib.figure.Figure`. Nothing here computes a
statistic or writes a file: the caller (the report stage) prepares the numbers from the results
tables and saves the figures. Figures are built on the Agg canvas, never through ``pyplot`` (no
global figure registry grows, no GUI backend is touched); every text from a user goes through
:func:`~simulation.plotting.style.plain_text` where it is handed to matplotlib, so that a ``$``
is drawn as a dollar and never starts mathtext.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.plotting.compare import difference_histogram, overlaid_s_curves
    from simulation.plotting.distribution import histogram, s_curve
    from simulation.plotting.drivers import tornado
    from simulation.plotting.fans import fan_chart
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
    "fan_chart": "fans",
    "fit_chart": "fit",
    "histogram": "distribution",
    "overlaid_s_curves": "compare",
    "s_curve": "distribution",
    "sweep_chart": "sweep",
    "tornado": "drivers",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
