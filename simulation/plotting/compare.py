"""Plot functions of ``simulate compare``: the alternatives' S-curves on one axis and the histogram
of a paired difference (data in, figure out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from simulation.analysis.compare import Curve
from simulation.plotting import style
from simulation.plotting.distribution import Percentiles, histogram
from simulation.plotting.style import human

FloatArray = NDArray[np.float64]

__all__ = [
    "difference_histogram",
    "overlaid_s_curves",
]


def overlaid_s_curves(
    curves: Sequence[Curve],
    *,
    label: str,
    unit: str,
    title: str,
    reference: tuple[float, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """S-curves (ECDFs) of several alternatives on one axis; ``reference`` (value, label) is a
    vertical line, e.g. zero NPV savings = staying outsourced. Each curve has gid
    ``ecdf:<label>``."""
    fig, ax = style.figure_axes(ax)
    for c in curves:
        (line,) = ax.step(
            c.values,
            c.probability,
            where="post",
            color=c.colour,
            lw=1.6 if c.dashed else 2.0,
            ls="--" if c.dashed else "-",
            label=style.plain_text(c.label, legend=True),
        )
        line.set_gid(f"ecdf:{c.label}")
    if reference is not None:
        ax.axvline(
            reference[0],
            color=style.RED,
            lw=1.2,
            label=style.plain_text(reference[1], legend=True),
            gid="reference",
        )
    magnitude = style.data_magnitude(*[c.values for c in curves])
    unit_text = style.format_axis(ax, "x", unit, magnitude)
    ax.set_xlabel(style.plain_text(style.axis_label(label, unit_text)))
    style.probability_axis(ax)
    for q in (0.1, 0.5, 0.9):
        ax.axhline(q, color=style.GREY, lw=0.6, ls=":", zorder=1)
    style.finish_axes(ax, title, legend="lower right")
    return fig


def difference_histogram(
    differences: FloatArray,
    percentiles: Percentiles,
    *,
    label: str,
    unit: str,
    better_share: float,
    better_words: str,
    ax: Axes | None = None,
) -> Figure:
    """Histogram of a paired difference B − A (missing pairs removed by the caller) with its
    P10/P50/P90 and a line at zero labelled with the share of futures in which B is better."""
    fig = histogram(differences, percentiles, label=label, unit=unit, ax=ax)
    axis = fig.axes[0] if ax is None else ax
    axis.axvline(
        0.0,
        color=style.RED,
        lw=1.5,
        gid="zero",
        label=style.plain_text(
            f"No difference; {better_words} in {human(better_share, '%')}", legend=True
        ),
    )
    style.finish_axes(axis, f"{label}: paired difference", legend="upper right", grid=None)
    return fig
