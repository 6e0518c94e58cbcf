"""An output's distribution: its S-curve (empirical CDF) and its histogram, each with the
P10/P50/P90 markers and the decision target.
Data in, figure out, as every plot function (:mod:`simulation.plotting`).

Artists that tests (and readers of SVG files) look for carry a ``gid``: ``"p10"``, ``"p50"``,
``"p90"`` for percentile markers, ``"target"`` for a target line, ``"ecdf"`` for the S-curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from simulation.plotting.style import (
    BLUE,
    GREY,
    RED,
    axis_label,
    data_magnitude,
    figure_axes,
    finish_axes,
    format_axis,
    human,
    percent_formatter,
    plain_text,
    probability_axis,
)

__all__ = [
    "Percentiles",
    "TargetLine",
    "histogram",
    "s_curve",
]


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
    finish_axes(ax, f"{label}: S-curve", legend="lower right")
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
    finish_axes(ax, f"{label}: distribution", legend="upper right", grid="y")
    return fig
