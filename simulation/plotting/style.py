"""How every chart looks: the colour-blind safe colours, user text made safe for matplotlib
(:func:`plain_text`), numbers for people (:func:`human`), figures on the Agg canvas and the
axis helpers (units, magnitudes, percent ticks) the plot functions share."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter
from numpy.typing import ArrayLike

__all__ = [
    "PERCENT_UNITS",
    "tick_decimals",
    "BLUE",
    "GREEN",
    "GREY",
    "LegendPlace",
    "ORANGE",
    "PURPLE",
    "PercentFormatter",
    "RED",
    "SERIES_COLOURS",
    "axis_label",
    "axis_scale",
    "data_magnitude",
    "drawn_scale",
    "figure_axes",
    "finish_axes",
    "format_axis",
    "human",
    "new_figure",
    "percent_decimals",
    "percent_formatter",
    "plain_text",
    "probability_axis",
]


#: Colours (colour-blind safe, Okabe-Ito) used consistently across charts.
BLUE = "#0072B2"


ORANGE = "#E69F00"


GREEN = "#009E73"


RED = "#D55E00"


GREY = "#555555"


PURPLE = "#CC79A7"


SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, RED)


PERCENT_UNITS = {"%", "percent", "fraction", "share", "probability"}


def plain_text(text: object, *, legend: bool = False) -> str:
    """``text`` as matplotlib must be given it to draw it literally, character for character.

    Matplotlib reads a text holding an even number of unescaped ``$`` as mathtext (``$x$``
    comes out as an italic x; ``$\\frac$`` or ``${$`` raises inside the mathtext parser). Outside
    mathtext no other character is special (``\\``, ``_``, ``^``, ``{}``, ``%`` are drawn as
    they are), and an escaped ``\\$`` is drawn as ``$``; so every ``$`` is escaped, and
    nothing else. Escape once, where the text is handed to matplotlib (a title, label, tick
    label, legend entry, annotation or table cell), never a text that is still to be combined.

    ``legend``: the text is a legend entry; matplotlib leaves out entries whose label starts
    with ``_``, so such a label gets a leading space. (``text.usetex`` must stay off, the
    default: under LaTeX many more characters are special.)
    """
    escaped = str(text).replace("$", r"\$")
    return " " + escaped if legend and escaped.startswith("_") else escaped


def _is_currency(unit: str) -> bool:
    """True for an ISO currency code such as ``EUR`` or ``USD``."""
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def human(value: float | None, unit: str = "") -> str:
    """Format a number for people: ``1.2 M EUR``, ``850 k EUR``, ``11.5 months``, ``85%``.

    ``unit`` is an ISO currency code (amounts scaled to k / M / bn), ``"%"`` (or ``"fraction"``,
    ``"share"``, ``"probability"``: the value is a fraction 0..1 shown as a percentage),
    ``"months"`` / ``"weeks"`` / ``"days"`` (one decimal), any other unit (counts: thousands
    separators above 100, one decimal below) or ``""`` for a bare number. Missing values
    (``None``, NaN) give ``"n/a"``.
    """
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    v = float(value)
    if unit in PERCENT_UNITS:
        pct = 100.0 * v
        text = f"{pct:.0f}" if abs(pct) >= 1 or pct == 0 else f"{pct:.1f}"
        return f"{'0' if text in ('-0', '-0.0') else text}%"
    if _is_currency(unit):
        return f"{_scaled(v)} {unit}"
    if unit in {"months", "weeks", "days", "working days", "years"}:
        number = f"{v:.1f}"
    elif abs(v) >= 100:
        number = f"{v:,.0f}"
    else:
        number = f"{v:.1f}".removesuffix(".0")
    if number in ("-0", "-0.0"):
        number = number[1:]
    return f"{number} {unit}".strip()


def _scaled(v: float) -> str:
    """An amount with a k / M / bn suffix and two to three significant figures."""
    for factor, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= factor:
            scaled = v / factor
            digits = 1 if abs(scaled) < 100 else 0
            return f"{scaled:.{digits}f} {suffix}"
    return f"{v:.0f}"


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """A figure on the Agg canvas (inches), independent of pyplot and its global state."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_axes(ax: Axes | None, width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure (``width`` × ``height`` inches) with one axes."""
    if ax is not None:
        fig = ax.get_figure()
        assert isinstance(fig, Figure)
        return fig, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot()


def axis_scale(unit: str, magnitude: float) -> tuple[float, str]:
    """Divisor and unit label for an axis whose values reach ``magnitude`` (currency in k/M/bn)."""
    if _is_currency(unit):
        for factor, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if magnitude >= factor:
                return factor, f"{suffix} {unit}"
    if unit in PERCENT_UNITS:
        return 0.01, "%"
    return 1.0, unit


def drawn_scale(unit: str, magnitude: float) -> tuple[float, str]:
    """As :func:`axis_scale`, for values drawn as given when they are fractions (0..1, labelled
    by percent ticks): divisor 1 and unit text ``%`` for a percent unit."""
    factor, unit_text = axis_scale(unit, magnitude)
    return (1.0, unit_text) if unit_text == "%" else (factor, unit_text)


def format_axis(ax: Axes, which: Literal["x", "y"], unit: str, magnitude: float) -> str:
    """Put human tick labels on one axis; return the unit text for the axis label."""
    factor, label = axis_scale(unit, magnitude)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(
        FuncFormatter(lambda v, _pos: f"{v / factor:,.{tick_decimals(v / factor)}f}")
    )
    return label


def tick_decimals(v: float) -> int:
    return 0 if abs(v) >= 10 or float(v).is_integer() else 1


def data_magnitude(*arrays: ArrayLike) -> float:
    """The largest finite absolute value in ``arrays`` (0 when there is none): what
    :func:`axis_scale` scales an axis by."""
    finite = [np.abs(np.asarray(a, dtype=float)) for a in arrays]
    values = np.concatenate([a[np.isfinite(a)].ravel() for a in finite]) if finite else np.array([])
    return float(values.max()) if values.size else 0.0


class PercentFormatter(Formatter):
    """Tick labels for shares with the decimals the ticks need: 0.25 → ``25%``, and ticks
    every 2.5% → ``2.5%``, ``5.0%``, ``7.5%`` (not ``2%``, ``5%``, ``8%``).

    All ticks of an axis get the same number of decimals: the fewest that show every tick's
    value exactly (up to 6), decided from the tick locations the axis hands over.
    """

    def __init__(self) -> None:
        self.decimals = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.decimals = percent_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{100 * x:.{self.decimals}f}%"


def percent_decimals(shares: ArrayLike, most: int = 6) -> int:
    """The fewest decimals (0 to ``most``) that write every share of ``shares`` exactly as a
    percentage (to a billionth of the largest, which absorbs floating-point noise)."""
    pct = 100.0 * np.asarray(shares, dtype=float).ravel()
    pct = pct[np.isfinite(pct)]
    if not pct.size:
        return 0
    tolerance = 1e-9 * max(1.0, float(np.max(np.abs(pct))))
    for decimals in range(most + 1):
        if np.all(np.abs(pct - np.round(pct, decimals)) <= tolerance):
            return decimals
    return most


def percent_formatter() -> PercentFormatter:
    """Tick labels for shares: 0.25 → ``25%``, 0.025 → ``2.5%`` (a new formatter for each
    axis, see :class:`PercentFormatter`)."""
    return PercentFormatter()


def probability_axis(ax: Axes) -> None:
    """The y axis of an S-curve: cumulative probability from 0 to 100%."""
    ax.set_ylabel("Chance of this value or less")
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylim(0, 1.02)


def axis_label(label: str, unit_text: str) -> str:
    """``label (unit)``, or ``label`` alone when there is no unit text."""
    return f"{label} ({unit_text})" if unit_text else label


#: Where a chart's legend goes (matplotlib's ``loc``).
LegendPlace = Literal["best", "upper left", "upper right", "lower left", "lower right"]


def finish_axes(
    ax: Axes,
    title: str,
    legend: LegendPlace | None = None,
    grid: Literal["both", "x", "y"] | None = "both",
) -> None:
    """How every chart ends: a light grid (``grid``: on both axes, one, or None for none), the
    title (drawn literally, :func:`plain_text`) and, at ``legend`` (a matplotlib location such
    as ``"best"``), the legend in small type."""
    if grid is not None:
        ax.grid(alpha=0.3, axis=grid)
    ax.set_title(plain_text(title))
    if legend is not None:
        ax.legend(loc=legend, fontsize=8)
