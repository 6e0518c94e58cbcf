"""Monthly bands: fan charts (P10–P90 band and P50 line of each series over months) and the
cumulative cost of both paths with the break-even region.
Data in, figure out, as every plot function (:mod:`simulation.plotting`).

Artists carry a ``gid``: ``"band:<label>"`` / ``"median:<label>"`` for a series' band and P50
line, ``"reference"`` for a reference line, ``"breakeven"`` / ``"breakeven_p50"`` for the
break-even region and its median.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from simulation.plotting.distribution import Percentiles
from simulation.plotting.style import (
    BLUE,
    GREEN,
    GREY,
    PERCENT_UNITS,
    RED,
    SERIES_COLOURS,
    axis_label,
    axis_scale,
    data_magnitude,
    drawn_scale,
    figure_axes,
    finish_axes,
    human,
    percent_formatter,
    plain_text,
    tick_decimals,
)

__all__ = [
    "FanSeries",
    "cost_paths_chart",
    "fan_chart",
]


@dataclass(frozen=True)
class FanSeries:
    """One monthly percentile band: months (1-based) and P10 / P50 / P90 arrays of equal length."""

    label: str
    months: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


def _draw_band(ax: Axes, s: FanSeries, colour: str, factor: float) -> None:
    band = ax.fill_between(
        s.months,
        s.p10 / factor,
        s.p90 / factor,
        color=colour,
        alpha=0.25,
        lw=0,
        label=plain_text(f"{s.label} P10–P90", legend=True),
    )
    band.set_gid(f"band:{s.label}")
    (line,) = ax.plot(
        s.months,
        s.p50 / factor,
        color=colour,
        lw=2,
        label=plain_text(f"{s.label} P50", legend=True),
    )
    line.set_gid(f"median:{s.label}")


def fan_chart(
    series: Sequence[FanSeries],
    *,
    title: str,
    unit: str,
    y_label: str,
    reference: tuple[float, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Fan chart over months: for each series, its P10–P90 band and its P50 line.

    Several series share the axes (internal vs vendor agents, effective capacity vs demand).
    ``unit`` is the values' unit (``"%"`` for fractions 0..1, a currency code for amounts);
    ``reference`` draws a horizontal line (value in the same unit, label), e.g. the SLA target.
    Band edges are drawn exactly at the given P10/P90 values (currency scaled by k/M for the axis
    only when the caller's values are in currency units; fractions are drawn as given).
    """
    fig, ax = figure_axes(ax)
    magnitude = data_magnitude(*[s.p90 for s in series], *[s.p10 for s in series])
    factor, unit_text = drawn_scale(unit, magnitude)
    for s, colour in zip(series, SERIES_COLOURS, strict=False):
        _draw_band(ax, s, colour, factor)
    if unit in PERCENT_UNITS:
        ax.yaxis.set_major_formatter(percent_formatter())
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.{tick_decimals(v)}f}"))
    if reference is not None:
        ax.axhline(
            reference[0] / factor,
            color=RED,
            lw=1.2,
            ls="--",
            label=plain_text(reference[1], legend=True),
            gid="reference",
        )
    ax.set_xlabel("Month from programme start")
    ax.set_ylabel(plain_text(axis_label(y_label, unit_text)))
    ax.set_xlim(float(min(s.months[0] for s in series)), float(max(s.months[-1] for s in series)))
    finish_axes(ax, title, legend="best")
    return fig


def cost_paths_chart(
    backsourcing: FanSeries,
    status_quo: FanSeries,
    *,
    currency: str,
    breakeven: Percentiles | None = None,
    breakeven_probability: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Cumulative discounted cost of both paths (P10–P90 bands, P50 lines) over months.

    ``breakeven`` (P10/P50/P90 of the break-even month, among futures that break even) is shaded
    as the break-even region with its P50 marked; ``breakeven_probability`` (0..1) is the share of
    futures that break even within the horizon, shown in the region's label.
    """
    fig, ax = figure_axes(ax)
    magnitude = data_magnitude(backsourcing.p90, status_quo.p90)
    factor, unit_text = axis_scale(currency, magnitude)
    _draw_band(ax, status_quo, GREY, factor)
    _draw_band(ax, backsourcing, BLUE, factor)
    if breakeven is not None and math.isfinite(breakeven.p10):
        end = breakeven.p90 if math.isfinite(breakeven.p90) else float(backsourcing.months[-1])
        share = (
            f" (break even within horizon: {human(breakeven_probability, '%')})"
            if breakeven_probability is not None
            else ""
        )
        region = ax.axvspan(
            breakeven.p10, end, color=GREEN, alpha=0.12, label=f"Break-even month P10–P90{share}"
        )
        region.set_gid("breakeven")
        if math.isfinite(breakeven.p50):
            ax.axvline(
                breakeven.p50,
                color=GREEN,
                lw=1.5,
                ls="--",
                label=f"Break-even P50: month {breakeven.p50:.0f}",
                gid="breakeven_p50",
            )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.{tick_decimals(v)}f}"))
    ax.set_xlabel("Month from programme start")
    ax.set_ylabel(plain_text(axis_label("Cumulative discounted cost", unit_text)))
    ax.set_xlim(float(backsourcing.months[0]), float(backsourcing.months[-1]))
    finish_axes(ax, "Cumulative cost: backsourcing vs staying outsourced", legend="upper left")
    return fig
