"""What the chart of ``simulate fit`` draws, computed here (densities and CDFs of the best
families on a grid, the data's histogram and ECDF, or the experts' pool); the figure is drawn by
:mod:`simulation.plotting.fit`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.distributions.data import Column
from simulation.distributions.fitting import FitResult, FitSummary, frozen
from simulation.distributions.pooling import ExpertPool

FloatArray = NDArray[np.float64]

__all__ = [
    "Curve",
    "FitChartData",
    "data_chart_data",
    "pool_chart_data",
]


@dataclass(frozen=True)
class Curve:
    """A fitted family's density and CDF on the chart's grid."""

    label: str
    pdf: FloatArray
    cdf: FloatArray


@dataclass(frozen=True)
class FitChartData:
    """Everything the fit chart draws, already computed (units of the data on the x axis).

    ``reference_*`` is the data (ECDF steps: ``reference_x`` sorted values, ``reference_cdf`` i/n)
    or the expert pool (its tabulated CDF, ``reference_pdf`` its density); ``hist_*`` the data's
    density histogram (absent for a pool).
    """

    title: str
    x_label: str
    grid: FloatArray
    curves: tuple[Curve, ...]
    reference_label: str
    reference_x: FloatArray
    reference_cdf: FloatArray
    reference_steps: bool
    reference_pdf: FloatArray | None = None
    hist_edges: FloatArray | None = None
    hist_density: FloatArray | None = None


def _grid_for(lo: float, hi: float, points: int = 400) -> FloatArray:
    pad = 0.05 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, points)


def _curves(fits: Sequence[FitResult], grid: FloatArray, top: int) -> tuple[Curve, ...]:
    out = []
    for f in [f for f in fits if f.ranked][:top]:
        rv = frozen(f.distribution)
        out.append(Curve(f.family, np.asarray(rv.pdf(grid)), np.asarray(rv.cdf(grid))))
    return tuple(out)


def data_chart_data(
    column: Column, summary: FitSummary, x_label: str, top: int = 4
) -> FitChartData:
    """Chart data for a data fit: histogram, ECDF and the ``top`` ranked families."""
    x = np.sort(column.values)
    grid = _grid_for(float(x[0]), float(x[-1]))
    density, edges = np.histogram(x, bins="auto", density=True)
    return FitChartData(
        title=f"{column.path.name}: {column.name} (n = {len(x):,})",
        x_label=x_label,
        grid=grid,
        curves=_curves(summary.fits, grid, top),
        reference_label="data (ECDF)",
        reference_x=x,
        reference_cdf=np.arange(1, len(x) + 1) / len(x),
        reference_steps=True,
        hist_edges=edges,
        hist_density=density,
    )


def pool_chart_data(
    pool: ExpertPool, summary: FitSummary, x_label: str, top: int = 3
) -> FitChartData:
    """Chart data for an expert pool: pooled density and CDF and the ``top`` ranked families."""
    grid = _grid_for(float(pool.grid[0]), float(pool.grid[-1]))
    return FitChartData(
        title=f"linear opinion pool of {len(pool.experts)} experts",
        x_label=x_label,
        grid=grid,
        curves=_curves(summary.fits, grid, top),
        reference_label="expert pool",
        reference_x=pool.grid,
        reference_cdf=pool.cdf,
        reference_steps=False,
        reference_pdf=pool.pdf,
    )
