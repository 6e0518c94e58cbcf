"""Matplotlib plot functions for the percentile charts of a run.

Every function takes data that is already computed (sorted sample values with their cumulative
probabilities, P10/P50/P90 numbers, band edges, sensitivity rows), draws on the ``ax`` it is given
or on a new figure, and returns the :class:`~matplotlib.figure.Figure`. Nothing here computes a
statistic or writes a file: the caller (``simulation.report.run_report``) prepares the numbers from
the results tables and saves the figures.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never through
``pyplot``, so no global figure registry grows and no GUI backend is touched.

Every text that comes from a user (names, units, currencies) goes through
:func:`~simulation.plotting.style.plain_text`
where it is handed to matplotlib, so that a ``$`` is drawn as a dollar and never starts mathtext.

Artists that tests (and readers of SVG files) look for carry a ``gid``: ``"p10"``, ``"p50"``,
``"p90"`` for percentile markers, ``"target"`` for a target line, ``"ecdf"`` for the S-curve,
``"band:<label>"`` / ``"median:<label>"`` for fan chart bands and P50 lines, ``"breakeven"`` for
the break-even region.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from simulation.plotting.style import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PERCENT_UNITS,
    PURPLE,
    RED,
    SERIES_COLOURS,
    axis_label,
    axis_scale,
    data_magnitude,
    figure_axes,
    format_axis,
    human,
    new_figure,
    percent_formatter,
    plain_text,
    probability_axis,
    tick_decimals,
)


@dataclass(frozen=True)
class TargetLine:
    """A decision target on an output: met when the value is ``direction`` ``value``.

    ``probability`` is the share of simulated futures meeting it (0..1), from summary.csv.
    """

    value: float
    direction: str
    probability: float

    def label(self, unit: str) -> str:
        met = human(self.probability, "%")
        return f"Target {self.direction} {human(self.value, unit)}: met in {met}"


@dataclass(frozen=True)
class Percentiles:
    """P10 / P50 / P90 of an output, in the output's unit."""

    p10: float
    p50: float
    p90: float

    def items(self) -> tuple[tuple[str, float, float], ...]:
        """``(name, cumulative probability, value)`` for each marker."""
        return (("P10", 0.1, self.p10), ("P50", 0.5, self.p50), ("P90", 0.9, self.p90))


@dataclass(frozen=True)
class FanSeries:
    """One monthly percentile band: months (1-based) and P10 / P50 / P90 arrays of equal length."""

    label: str
    months: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


def _mark_percentiles(
    ax: Axes, pct: Percentiles, unit: str, *, with_probability: bool, y_top: float | None = None
) -> None:
    """Vertical P10/P50/P90 lines (gid ``p10``/``p50``/``p90``), each labelled with its value."""
    styles = {"P10": (":", GREY), "P50": ("--", "black"), "P90": (":", GREY)}
    for name, prob, value in pct.items():
        if not math.isfinite(value):
            continue
        style, colour = styles[name]
        top = prob if with_probability else 1.0
        (line,) = ax.plot(
            [value, value],
            [0.0, top if y_top is None else y_top],
            style,
            color=colour,
            lw=1.2,
            zorder=3,
        )
        line.set_gid(name.lower())
        if with_probability:
            ax.plot([value], [prob], "o", color=colour, ms=5, zorder=4, gid=f"{name.lower()}_dot")
        y_text = prob if with_probability else 0.97 * (y_top or 1.0)
        ax.annotate(
            plain_text(f"{name}\n{human(value, unit)}"),
            xy=(value, y_text),
            xytext=(4, -2 if with_probability else 0),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=8,
            color=colour,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _target(ax: Axes, target: TargetLine | None, unit: str) -> None:
    if target is None or not math.isfinite(target.value):
        return
    line = ax.axvline(
        target.value, color=RED, lw=1.5, label=plain_text(target.label(unit), legend=True), zorder=2
    )
    line.set_gid("target")


def s_curve(
    values_sorted: ArrayLike,
    cumulative_probability: ArrayLike,
    percentiles: Percentiles,
    *,
    label: str,
    unit: str,
    target: TargetLine | None = None,
    ax: Axes | None = None,
) -> Figure:
    """S-curve (empirical CDF) of an output.

    ``values_sorted`` are the simulated values in ascending order (output unit), and
    ``cumulative_probability`` the share of futures at or below each (0..1), both prepared by the
    caller. P10/P50/P90 (from the summary) are marked and labelled; ``target`` is drawn as a red
    line with the probability of meeting it.
    """
    fig, ax = figure_axes(ax)
    x = np.asarray(values_sorted, dtype=float)
    y = np.asarray(cumulative_probability, dtype=float)
    (curve,) = ax.step(x, y, where="post", color=BLUE, lw=2, label="Simulated futures")
    curve.set_gid("ecdf")
    _mark_percentiles(ax, percentiles, unit, with_probability=True)
    _target(ax, target, unit)
    unit_text = format_axis(ax, "x", unit, data_magnitude(x))
    ax.set_xlabel(plain_text(axis_label(label, unit_text)))
    probability_axis(ax)
    ax.grid(alpha=0.3)
    ax.set_title(plain_text(f"{label}: S-curve"))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def histogram(
    values: ArrayLike,
    percentiles: Percentiles,
    *,
    label: str,
    unit: str,
    bins: int | str = "auto",
    target: TargetLine | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Histogram of an output's simulated values (missing values already removed by the caller)
    with the same P10/P50/P90 markers and target as the S-curve. Bars show the share of futures.
    """
    fig, ax = figure_axes(ax)
    x = np.asarray(values, dtype=float)
    edges = np.histogram_bin_edges(x, bins=bins)
    if len(edges) > 61:  # layout: keep bars readable
        edges = np.histogram_bin_edges(x, bins=60)
    weights = np.full(x.shape, 1.0 / max(len(x), 1))
    counts, _, _ = ax.hist(
        x,
        bins=edges.tolist(),
        weights=weights,
        color=BLUE,
        alpha=0.7,
        ec="white",
        label="Simulated futures",
    )
    top = float(np.max(counts)) * 1.1 if len(counts) and np.max(counts) > 0 else 1.0
    ax.set_ylim(0, top)
    _mark_percentiles(ax, percentiles, unit, with_probability=False, y_top=top)
    _target(ax, target, unit)
    unit_text = format_axis(ax, "x", unit, data_magnitude(x))
    ax.set_xlabel(plain_text(axis_label(label, unit_text)))
    ax.set_ylabel("Share of futures")
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(plain_text(f"{label}: distribution"))
    ax.legend(loc="upper right", fontsize=8)
    return fig


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
    factor, unit_text = axis_scale(unit, magnitude)
    if unit_text == "%":
        factor, unit_text = 1.0, "%"
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
    ax.grid(alpha=0.3)
    ax.set_title(plain_text(title))
    ax.legend(loc="best", fontsize=8)
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
    ax.grid(alpha=0.3)
    ax.set_title("Cumulative cost: backsourcing vs staying outsourced")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _wrap(label: str, width: int = 45) -> str:
    """A label's lines wrapped at ``width`` characters (long input descriptions would otherwise
    squeeze a chart's axes to nothing)."""
    return "\n".join(textwrap.fill(line, width) for line in label.split("\n"))


def tornado(
    inputs: Sequence[str],
    correlations: ArrayLike,
    *,
    output_label: str,
    contributions: ArrayLike | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Tornado chart: the top drivers of one output, top driver first.

    ``inputs`` are the driver names in rank order, ``correlations`` their Spearman rank
    correlation with the output (-1..1); ``contributions`` (0..1, optional) their share of the
    explained variance, written beside each bar.
    """
    n = len(inputs)
    labels = [_wrap(plain_text(name)) for name in inputs]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    fig, ax = figure_axes(ax, 8.0, max(2.5, 0.45 * n + 1.5, 0.16 * lines * n + 1.5))
    rho = np.asarray(correlations, dtype=float)
    y = np.arange(n)[::-1]
    colours = [BLUE if r >= 0 else ORANGE for r in rho]
    bars = ax.barh(y, rho, color=colours, height=0.6)
    for bar in bars:
        bar.set_gid("tornado")
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    limit = max(1e-9, float(np.max(np.abs(rho))) if n else 1.0)
    ax.set_xlim(-1.3 * limit, 1.3 * limit)
    if contributions is not None:
        for yi, r, c in zip(y, rho, np.asarray(contributions, dtype=float), strict=True):
            ax.annotate(
                f"{r:+.2f} ({human(c, '%')})",
                xy=(r, yi),
                xytext=(4 if r >= 0 else -4, 0),
                textcoords="offset points",
                ha="left" if r >= 0 else "right",
                va="center",
                fontsize=8,
            )
    ax.set_xlabel("Spearman rank correlation with the output (share of explained variance)")
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(plain_text(f"Top drivers of {output_label}"))
    return fig


def risk_register_chart(
    risks: Sequence[str],
    occurrence_rate: ArrayLike,
    cost_effect: ArrayLike,
    months_effect: ArrayLike,
    *,
    currency: str,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Each risk's occurrence rate (0..1) and its mean effect on transition cost (currency) and
    transition duration (months) when it occurs, as three bar panels sharing the risk names.

    ``axes`` (three axes) lets a caller place the panels; by default a new figure is made.
    """
    n = len(risks)
    if axes is None:
        fig = new_figure(10.0, max(2.5, 0.45 * n + 1.5))
        panels = list(fig.subplots(1, 3, sharey=True))
    else:
        panels = list(axes)
        parent = panels[0].get_figure()
        assert isinstance(parent, Figure)
        fig = parent
    y = np.arange(n)[::-1]
    rate = np.asarray(occurrence_rate, dtype=float)
    cost = np.asarray(cost_effect, dtype=float)
    months = np.asarray(months_effect, dtype=float)
    cost_factor, cost_unit = axis_scale(currency, data_magnitude(cost))
    data = (
        (rate, 1.0, "Occurrence rate (%)", PURPLE, "%"),
        (cost, cost_factor, f"Effect on transition cost ({cost_unit})", BLUE, currency),
        (months, 1.0, "Effect on transition time (months)", ORANGE, "months"),
    )
    for ax, (values, factor, xlabel, colour, unit) in zip(panels, data, strict=True):
        bars = ax.barh(y, values / factor, color=colour, height=0.6)
        for bar in bars:
            bar.set_gid(xlabel)
        for yi, v in zip(y, values, strict=True):
            ax.annotate(
                plain_text(human(v, unit)),
                xy=(v / factor, yi),
                xytext=(3 if v >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if v >= 0 else "right",
                va="center",
                fontsize=7,
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel(plain_text(xlabel), fontsize=8)
        ax.grid(alpha=0.3, axis="x")
        ax.margins(x=0.3)
    panels[0].xaxis.set_major_formatter(percent_formatter())
    panels[0].set_yticks(y, [plain_text(name) for name in risks], fontsize=8)
    fig.suptitle("Risk register: how often each risk strikes and what it does when it does")
    return fig
