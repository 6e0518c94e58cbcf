"""Experts' three-point estimates (min, mode, max per expert, from a CSV file) pooled into one
distribution (a linear opinion pool of their PERTs), and the catalogue fitted to that pool.

The CSV has ``expert, min, mode, max`` and optional ``weight``. Each row becomes the catalogue's
PERT (λ = 4, mean (min + 4·mode + max)/6); the experts are combined by a linear opinion pool, the
mixture F(x) = Σ wᵢ Fᵢ(x) with weights normalised to sum 1 (equal without a ``weight`` column).
The pooled CDF is evaluated on a grid of :data:`POOL_GRID_POINTS` points over the pooled range
and inverted by linear interpolation; the pooled mean is ∫ x dF computed from that grid
(lo + ∫ (1 − F) dx), so it is an independent check of Σ wᵢ·meanᵢ. The pool is offered as an
``empirical`` distribution of ``n`` evenly spaced quantiles (at probabilities (j − ½)/n) and as
the best single family, fitted by the same code as data (:mod:`simulation.distributions.fitting`)
to :data:`POOL_PSEUDO_SAMPLE` quantile midpoints of the pool (maximum likelihood on that
pseudo-sample minimises the cross-entropy to the pool; its AIC is only for ranking, and the KS
column is the exact distance sup |F_pool − F_fit|, without a p-value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from simulation.distributions.continuous import Pert
from simulation.distributions.data import CsvFormat, FitError, missing_column, parse_cells, read_csv
from simulation.distributions.estimators import round_sig
from simulation.distributions.families import Empirical
from simulation.distributions.fitting import (
    PARAMETRIC_FAMILIES,
    FitResult,
    FitSummary,
    fit_distributions,
    frozen,
)

FloatArray = NDArray[np.float64]

__all__ = [
    "EXPERT_COLUMNS",
    "ExpertEstimate",
    "ExpertPool",
    "MAX_EXPERT_VALUE",
    "MIN_EXPERT_RELATIVE_WIDTH",
    "POOL_GRID_POINTS",
    "POOL_PSEUDO_SAMPLE",
    "POOL_QUANTILES",
    "fit_pool",
    "pool_experts",
    "read_experts",
]


#: Grid points on which the pooled CDF is evaluated and inverted.
POOL_GRID_POINTS = 20_001


#: Quantile midpoints of the pool used as the pseudo-sample for the single-family fit.
POOL_PSEUDO_SAMPLE = 1_000


#: Default number of quantiles in the pooled ``empirical`` distribution.
POOL_QUANTILES = 200


#: Largest magnitude of an expert's min, mode, max or weight (in the input's units): far beyond
#: any duration, count or amount a scenario holds, and small enough that the pooled range and
#: its integrals stay finite in floating point.
MAX_EXPERT_VALUE = 1e15


#: Narrowest range max − min of one expert, as a share of its largest magnitude (and at least
#: 1e-12): narrower ranges fall below the pool grid's floating-point resolution.
MIN_EXPERT_RELATIVE_WIDTH = 1e-9


EXPERT_COLUMNS: tuple[str, ...] = ("expert", "min", "mode", "max")


@dataclass(frozen=True)
class ExpertEstimate:
    """One expert's three-point estimate (units of the input) and normalised pool weight."""

    expert: str
    pert: Pert
    weight: float


def read_experts(path: Path, fmt: CsvFormat | None = None) -> tuple[ExpertEstimate, ...]:
    """Read ``expert, min, mode, max[, weight]`` rows; every problem is reported at once.

    Each value must be a finite number within ±:data:`MAX_EXPERT_VALUE` (messages name the file,
    line and column); per expert min <= mode <= max and min < max, with max − min at least
    :data:`MIN_EXPERT_RELATIVE_WIDTH` of the larger magnitude (and at least 1e-12); weights >= 0
    and not all 0 (normalised to sum 1). ``fmt``: separator and decimal mark as for
    :func:`read_column`.
    """
    frame, used = read_csv(path, fmt)
    missing = [c for c in EXPERT_COLUMNS if c not in frame.columns]
    if missing:
        expected = " (expected columns " + ", ".join(EXPERT_COLUMNS) + ", optional weight)"
        raise FitError([missing_column(path, c, list(frame.columns), expected) for c in missing])
    blank = frame.apply(lambda col: col.astype(str).str.strip() == "").all(axis=1).to_numpy()
    frame = frame[~blank]
    if frame.empty:
        raise FitError(f"{path}: no expert estimates (only a header line)")
    lines = [int(i) + 2 for i in frame.index]
    columns = _numeric_columns(path, frame, used, lines)
    names = list(frame["expert"].astype(str).str.strip())
    return _estimates(path, names, columns, lines)


def _numeric_columns(
    path: Path, frame: pd.DataFrame, used: CsvFormat, lines: list[int]
) -> dict[str, FloatArray]:
    """The numbers of the ``min``, ``mode``, ``max`` (and ``weight``) columns; every cell that
    is not a finite number of a sensible size is reported at once (:class:`FitError`)."""
    numeric = [*EXPERT_COLUMNS[1:], *(["weight"] if "weight" in frame.columns else [])]
    errors: list[str] = []
    columns: dict[str, FloatArray] = {}
    for col in numeric:
        text = frame[col].astype(str).str.strip()
        values, _ = parse_cells(path, col, text, used, lines)
        for cell, v, line in zip(text, values, lines, strict=True):
            problem = _cell_problem(cell, float(v))
            if problem is not None:
                errors.append(f"{path}: line {line}, column '{col}': {problem}")
        columns[col] = values
    if errors:
        raise FitError(errors)
    return columns


def _cell_problem(cell: str, value: float) -> str | None:
    """What is wrong with one cell of an estimate (its text and the number read), or None."""
    if cell == "":
        return "is empty"
    if math.isnan(value) and cell.lower() != "nan":
        return f"'{cell}' is not a number"
    if not math.isfinite(value):
        return f"'{cell}' is not a finite number"
    if abs(value) > MAX_EXPERT_VALUE:
        return (
            f"'{cell}' is beyond ±{MAX_EXPERT_VALUE:g}, the largest magnitude an estimate may "
            "have (are the units right?)"
        )
    return None


def _range_problem(lo: float, mode: float, hi: float) -> str | None:
    """What is wrong with one expert's min, mode and max (in the input's units), or None."""
    if not lo <= mode <= hi:
        bad = ("min", lo, "mode", mode) if lo > mode else ("mode", mode, "max", hi)
        return f"{bad[0]} ({bad[1]:g}) must be <= {bad[2]} ({bad[3]:g})"
    if lo == hi:
        return f"min ({lo:g}) must be < max ({hi:g})"
    need = max(MIN_EXPERT_RELATIVE_WIDTH * max(abs(lo), abs(hi)), 1e-12)
    if hi - lo < need:
        return (
            f"the range max - min ({hi - lo:g}) is too narrow to pool for values of this size "
            f"(at least {need:g}); use other units, or a plain number"
        )
    return None


def _estimates(
    path: Path, names: list[str], columns: dict[str, FloatArray], lines: list[int]
) -> tuple[ExpertEstimate, ...]:
    """Each expert's PERT and normalised weight; every expert whose range or weight is refused
    is reported at once (:class:`FitError`), as are weights that are all 0."""
    weights = columns.get("weight", np.ones(len(names)))
    errors: list[str] = []
    estimates: list[tuple[str, float, float, float, float]] = []
    for i, name in enumerate(names):
        lo, mode, hi = (float(columns[c][i]) for c in ("min", "mode", "max"))
        w = float(weights[i])
        where = f"{path}: line {lines[i]} (expert '{name}')"
        problem = _range_problem(lo, mode, hi)
        if problem is not None:
            errors.append(f"{where}: {problem}")
        if w < 0:
            errors.append(f"{where}, column 'weight': must be >= 0 (got {w:g})")
        estimates.append((name, lo, mode, hi, w))
    total = float(sum(e[4] for e in estimates))
    if not errors and total <= 0:
        errors.append(f"{path}: column 'weight': the weights must not all be 0")
    if errors:
        raise FitError(errors)
    return tuple(ExpertEstimate(n, Pert(lo, m, hi), w / total) for n, lo, m, hi, w in estimates)


@dataclass(frozen=True)
class ExpertPool:
    """Linear opinion pool of experts' PERTs, on a grid over the pooled range (input's units).

    ``grid``/``cdf``/``pdf`` tabulate the mixture; ``quantiles`` are the pooled quantiles at
    ``probabilities`` ((j − ½)/n); ``mean`` is integrated from the grid.
    """

    experts: tuple[ExpertEstimate, ...]
    grid: FloatArray
    cdf: FloatArray
    pdf: FloatArray
    mean: float
    p10: float
    p50: float
    p90: float
    probabilities: FloatArray
    quantiles: FloatArray

    def ppf(self, q: ArrayLike) -> FloatArray:
        """Pooled quantiles at probabilities ``q`` (inverse of the tabulated CDF)."""
        return _invert(self.grid, self.cdf, np.asarray(q, dtype=np.float64))

    def empirical(self) -> Empirical:
        """The pool as the catalogue's ``empirical`` distribution of its quantiles."""
        return Empirical(tuple(round_sig(float(v)) for v in self.quantiles))


def _invert(grid: FloatArray, cdf: FloatArray, q: FloatArray) -> FloatArray:
    """Generalised inverse of a tabulated non-decreasing CDF: flat stretches (gaps between
    experts) are collapsed to their left end before linear interpolation."""
    keep = np.concatenate(([True], np.diff(cdf) > 0))
    return np.asarray(np.interp(q, cdf[keep], grid[keep]), dtype=np.float64)


def pool_experts(
    experts: Sequence[ExpertEstimate],
    n_quantiles: int = POOL_QUANTILES,
    grid_points: int = POOL_GRID_POINTS,
    label: str = "expert pool",
) -> ExpertPool:
    """Combine the experts' PERTs by a linear opinion pool F = Σ wᵢ Fᵢ (weights sum to 1).

    The grid spans the ranges of the experts with a weight above 0 (an expert of weight 0 does
    not change the pool). A pool whose range, mean or quantiles are not finite numbers raises
    :class:`FitError` (``label``, e.g. the file, starts the message) rather than being shown.
    """
    weighted = [e for e in experts if e.weight > 0] or list(experts)
    lo = min(e.pert.min for e in weighted)
    hi = max(e.pert.max for e in weighted)
    if not math.isfinite(hi - lo):
        raise FitError(
            f"{label}: the experts' range {lo:g} .. {hi:g} is too wide to pool in floating point"
        )
    grid = np.linspace(lo, hi, grid_points)
    cdf = np.zeros_like(grid)
    pdf = np.zeros_like(grid)
    for e in experts:
        rv = frozen(e.pert)
        cdf += e.weight * rv.cdf(grid)
        pdf += e.weight * rv.pdf(grid)
    cdf = np.clip(np.maximum.accumulate(cdf), 0.0, 1.0)
    cdf[0], cdf[-1] = 0.0, 1.0
    # E[X] = lo + ∫ (1 − F(x)) dx over [lo, hi].
    mean = lo + float(np.trapezoid(1.0 - cdf, grid))
    probs = (np.arange(n_quantiles) + 0.5) / n_quantiles
    p10, p50, p90 = (float(v) for v in _invert(grid, cdf, np.array([0.1, 0.5, 0.9])))
    quantiles = _invert(grid, cdf, probs)
    figures = np.array([mean, p10, p50, p90, *quantiles, *cdf])
    if not np.all(np.isfinite(figures)):
        raise FitError(
            f"{label}: the pooled distribution is not made of finite numbers (mean {mean:g}, "
            f"P50 {p50:g}); the estimates are too extreme to pool"
        )
    return ExpertPool(tuple(experts), grid, cdf, pdf, mean, p10, p50, p90, probs, quantiles)


def fit_pool(pool: ExpertPool, families: Sequence[str] = PARAMETRIC_FAMILIES) -> FitSummary:
    """Fit single catalogue families to the pool (on :data:`POOL_PSEUDO_SAMPLE` quantile
    midpoints); the KS column is the exact distance sup |F_pool − F_fit| on the grid."""
    pseudo = pool.ppf((np.arange(POOL_PSEUDO_SAMPLE) + 0.5) / POOL_PSEUDO_SAMPLE)
    parametric = [f for f in families if f in PARAMETRIC_FAMILIES]
    summary = fit_distributions(pseudo, parametric)
    fits = []
    for f in summary.fits:
        distance = float(np.max(np.abs(frozen(f.distribution).cdf(pool.grid) - pool.cdf)))
        method = f"{f.method}, on {POOL_PSEUDO_SAMPLE:,} quantiles of the pool"
        fits.append(
            FitResult(
                f.family,
                f.distribution,
                f.n_params,
                f.log_likelihood,
                f.aic,
                distance,
                math.nan,
                method,
            )
        )
    return FitSummary(tuple(fits), summary.failures)
