"""The chart of ``simulate sweep``: an output's P10/P50/P90 against the swept values (data in,
figure out)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simulation.analysis.levers import Value
from simulation.analysis.sweep import SweepLine
from simulation.plotting import style

__all__ = [
    "sweep_chart",
]


def sweep_chart(
    x: Sequence[Value],
    lines: Sequence[SweepLine],
    *,
    label: str,
    unit: str,
    x_label: str,
    target: tuple[float, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """P50 (line) and P10–P90 (band, or whiskers for option values) of an output against the
    swept values; one line per value of the other levers. ``target`` (value, text) is drawn as a
    horizontal line. Lines have gid ``p50:<label>``, bands ``band:<label>``."""
    fig, ax = style.figure_axes(ax)
    categorical = any(isinstance(v, str) for v in x)
    pos = np.arange(len(x), dtype=float) if categorical else np.asarray(x, dtype=float)
    magnitude = style.data_magnitude(*[ln.p90 for ln in lines], *[ln.p10 for ln in lines])
    factor, unit_text = style.drawn_scale(unit, magnitude)
    width = 0.5 / max(len(lines), 1)
    for i, (ln, colour) in enumerate(zip(lines, itertools.cycle(style.SERIES_COLOURS))):
        if categorical:
            _whiskers(ax, pos + (i - (len(lines) - 1) / 2) * width, ln, factor, colour)
        else:
            _band(ax, pos, ln, factor, colour)
    if target is not None:
        ax.axhline(
            target[0] / factor,
            color=style.RED,
            lw=1.2,
            ls="--",
            label=_legend(target[1]),
        )
    if categorical:
        ax.set_xticks(pos, [style.plain_text(v) for v in x])
        ax.set_xlim(-0.5, len(x) - 0.5)
    ax.set_xlabel(style.plain_text(x_label))
    ax.set_ylabel(style.plain_text(style.axis_label(label, unit_text)))
    style.finish_axes(ax, f"{label} against {x_label}", legend="best")
    return fig


def _whiskers(ax: Axes, xs: np.ndarray, ln: SweepLine, factor: float, colour: str) -> None:
    """One line at option values: its P50 as points with P10–P90 whiskers."""
    p10, p50, p90 = ln.p10 / factor, ln.p50 / factor, ln.p90 / factor
    bars = ax.errorbar(
        xs,
        p50,
        yerr=[p50 - p10, p90 - p50],
        fmt="o",
        color=colour,
        capsize=4,
        label=_legend(f"{ln.label} P50 (P10–P90)"),
    )
    bars.lines[0].set_gid(f"p50:{ln.label}")


def _band(ax: Axes, pos: np.ndarray, ln: SweepLine, factor: float, colour: str) -> None:
    """One line at numeric values: its P10–P90 band, its P50 line and dotted P10 and P90."""
    p10, p50, p90 = ln.p10 / factor, ln.p50 / factor, ln.p90 / factor
    band = ax.fill_between(pos, p10, p90, color=colour, alpha=0.15, lw=0)
    band.set_gid(f"band:{ln.label}")
    (line,) = ax.plot(pos, p50, "o-", color=colour, lw=2, label=_legend(f"{ln.label} P50"))
    line.set_gid(f"p50:{ln.label}")
    ax.plot(pos, p10, ":", color=colour, lw=1, label=_legend(f"{ln.label} P10 / P90"))
    ax.plot(pos, p90, ":", color=colour, lw=1)


def _legend(text: str) -> str:
    return style.plain_text(text, legend=True)
