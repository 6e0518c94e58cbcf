"""Rank correlations between uncertain inputs: the requested matrix (every correlation checked
against the inputs), its repair to the nearest valid correlation matrix when the ranks given are
inconsistent, and Iman–Conover, which reorders the percentile columns to those ranks while keeping
each column's values (so every marginal stays exact)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.random import Generator
from numpy.typing import NDArray
from scipy import stats

from simulation.errors import CorrelationError
from simulation.scenario.types import Correlation

FloatArray = NDArray[np.float64]

__all__ = [
    "adjusted_coefficients",
    "correlation_target",
    "iman_conover",
    "is_psd",
    "nearest_correlation",
    "rank_correlation_matrix",
    "repair_message",
]

#: Smallest eigenvalue kept when a correlation matrix must be made positive definite.
_EIG_FLOOR = 1e-8

# Correlation matrices ----------------------------------------------------------------------------


def rank_correlation_matrix(
    names: Sequence[str], correlations: Sequence[Correlation]
) -> FloatArray:
    """The k × k requested rank-correlation matrix over ``names`` (identity plus each pair).

    Raises :class:`CorrelationError` listing every correlation that names an input not in
    ``names``, pairs an input with itself, lies outside [-1, 1], or repeats a pair.
    """
    index = {name: i for i, name in enumerate(names)}
    c = np.eye(len(names))
    errors: list[str] = []
    seen: set[frozenset[str]] = set()
    for corr in correlations:
        missing = [p for p in (corr.a, corr.b) if p not in index]
        for p in missing:
            errors.append(f"correlation {corr.a} ~ {corr.b}: '{p}' is not an uncertain input")
        if corr.a == corr.b:
            errors.append(f"correlation {corr.a} ~ {corr.b}: an input cannot be paired with itself")
        if not -1.0 <= corr.rank <= 1.0:
            errors.append(
                f"correlation {corr.a} ~ {corr.b}: rank must be within [-1, 1] (got {corr.rank:g})"
            )
        pair = frozenset((corr.a, corr.b))
        if pair in seen:
            errors.append(f"correlation {corr.a} ~ {corr.b} is given twice")
        seen.add(pair)
        if not missing and corr.a != corr.b:
            i, j = index[corr.a], index[corr.b]
            c[i, j] = c[j, i] = corr.rank
    if errors:
        raise CorrelationError(errors)
    return c


def is_psd(c: FloatArray, tol: float = 1e-10) -> bool:
    """True when the symmetric matrix ``c`` is positive semi-definite (within ``tol``)."""
    return c.size == 0 or float(np.linalg.eigvalsh(c).min()) >= -tol


def nearest_correlation(c: FloatArray, tol: float = 1e-10, max_iter: int = 1000) -> FloatArray:
    """The nearest (Frobenius norm) valid correlation matrix to the symmetric matrix ``c``.

    Higham (2002) alternating projections with Dykstra's correction between the positive
    semi-definite cone and the unit-diagonal matrices; the result is finally made strictly
    positive definite (smallest eigenvalue ≥ 1e-8, unit diagonal) so it has a Cholesky factor.
    """
    y = np.array(c, dtype=np.float64)
    ds = np.zeros_like(y)
    for _ in range(max_iter):
        r = y - ds
        w, v = np.linalg.eigh(r)
        x = (v * np.maximum(w, 0.0)) @ v.T
        ds = x - r
        y_next = (x + x.T) / 2.0
        np.fill_diagonal(y_next, 1.0)
        done = np.linalg.norm(y_next - y) <= tol * np.linalg.norm(y_next)
        y = y_next
        if done:
            break
    return _positive_definite(y)


def _positive_definite(c: FloatArray) -> FloatArray:
    """Raise the eigenvalues of ``c`` to at least ``_EIG_FLOOR`` and restore the unit diagonal."""
    w, v = np.linalg.eigh(c)
    if w.min() >= _EIG_FLOOR:
        return c
    x = (v * np.maximum(w, _EIG_FLOOR)) @ v.T
    d = np.sqrt(np.diag(x))
    x = x / np.outer(d, d)
    out: FloatArray = (x + x.T) / 2.0
    np.fill_diagonal(out, 1.0)
    return out


def adjusted_coefficients(
    names: Sequence[str], before: FloatArray, after: FloatArray, tol: float = 5e-3
) -> list[tuple[str, str, float, float]]:
    """The pairs (a, b, requested, used) whose coefficient changed by more than ``tol``."""
    changed = []
    rows, cols = np.triu_indices(len(names), k=1)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if abs(after[i, j] - before[i, j]) > tol:
            changed.append((names[i], names[j], float(before[i, j]), float(after[i, j])))
    return changed


def repair_message(changes: Sequence[tuple[str, str, float, float]], strict: bool = False) -> str:
    """The warning text for a repaired correlation matrix or, with ``strict``, the error text
    for a refused one (which says what the nearest valid matrix would have changed)."""
    pairs = ", ".join(f"{a} ~ {b} {old:.2f} -> {new:.2f}" for a, b, old, new in changes)
    problem = "correlations are not consistent (matrix not positive semi-definite); "
    if strict:
        return (
            f"{problem}refused (--strict); the nearest valid matrix would change: {pairs}; "
            "correct these ranks in the scenario, or run without --strict to use it"
        )
    return f"{problem}using the nearest valid matrix: {pairs}"


# Iman–Conover ------------------------------------------------------------------------------------


def _ranks_rows(a: FloatArray) -> NDArray[np.intp]:
    """0-based ranks within each row of ``a`` (ties broken by position); rows are contiguous,
    which makes the sort several times faster than sorting strided columns."""
    order = np.argsort(a, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(a.shape[1])[None, :], axis=1)
    return ranks


def _cholesky(c: FloatArray) -> FloatArray:
    try:
        factor = np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        factor = np.linalg.cholesky(_positive_definite(c))
    return np.asarray(factor, dtype=np.float64)


def iman_conover(x: FloatArray, target: FloatArray, rng: Generator) -> FloatArray:
    """Reorder each column of ``x`` (n × k) so that its Spearman rank-correlation matrix
    approximates ``target`` (k × k, a valid correlation matrix); each column of the result is
    a permutation of the same column of ``x``, so marginals are exact.

    Iman & Conover (1982) with van der Waerden scores Φ⁻¹(i/(n+1)), randomly permuted per column,
    and the standard correction for their actual correlation E: T = S (Q⁻¹)ᵀ Pᵀ with P, Q the
    Cholesky factors of the score target and of E. The rank target r is converted to the
    Pearson correlation of normal scores, 2·sin(π·r/6), when that matrix is still positive
    definite. Only columns with a non-zero off-diagonal target are reordered.
    """
    x = np.asarray(x, dtype=np.float64)
    n, k = x.shape
    off = np.abs(target - np.eye(k)) > 0
    involved = np.flatnonzero(off.any(axis=0))
    if n < 3 or involved.size < 2:
        return x.copy()
    sub = target[np.ix_(involved, involved)]
    pearson = 2.0 * np.sin(np.pi * sub / 6.0)
    try:
        p = np.linalg.cholesky(pearson)
    except np.linalg.LinAlgError:
        p = _cholesky(sub)
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1.0))
    s = rng.permuted(np.repeat(scores[:, None], involved.size, axis=1), axis=0)
    q = _cholesky(np.corrcoef(s, rowvar=False))
    t = s @ np.linalg.solve(q, p.T)  # S (Q^-1)^T P^T, since solve(Q, P^T) = Q^-1 P^T
    sorted_x = np.sort(np.ascontiguousarray(x[:, involved].T), axis=1)
    ranks = _ranks_rows(np.ascontiguousarray(t.T))
    out = x.copy()
    out[:, involved] = np.take_along_axis(sorted_x, ranks, axis=1).T
    return out


def correlation_target(
    names: Sequence[str], correlations: Sequence[Correlation], strict: bool = False
) -> tuple[FloatArray, tuple[str, ...]]:
    """The rank-correlation matrix to impose and any warnings.

    A matrix that is not positive semi-definite is replaced by :func:`nearest_correlation` with a
    warning listing each adjusted coefficient; with ``strict`` that text is raised as
    :class:`CorrelationError` instead.
    """
    c = rank_correlation_matrix(names, correlations)
    if is_psd(c):
        return c, ()
    repaired = nearest_correlation(c)
    changes = adjusted_coefficients(names, c, repaired)
    if strict:
        raise CorrelationError(repair_message(changes, strict=True))
    return repaired, (repair_message(changes),)
