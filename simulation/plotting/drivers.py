"""What drives the outputs: the tornado chart of an output's top uncertain inputs, and the risk
register chart (how often each risk strikes and what it does when it does).
Data in, figure out, as every plot function (:mod:`simulation.plotting`).

Tornado bars carry the ``gid`` ``"tornado"``; the risk register's bars, their panel's label.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from simulation.plotting.style import (
    BLUE,
    ORANGE,
    PURPLE,
    axis_scale,
    data_magnitude,
    figure_axes,
    finish_axes,
    human,
    new_figure,
    percent_formatter,
    plain_text,
)

__all__ = [
    "risk_register_chart",
    "tornado",
]


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
    finish_axes(ax, f"Top drivers of {output_label}", grid="x")
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
