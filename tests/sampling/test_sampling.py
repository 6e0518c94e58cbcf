"""Samplers, Iman–Conover rank correlations, nearest-correlation repair and draw_inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from simulation.distributions.families import Distribution
from simulation.distributions.parsing import parse_distribution
from simulation.errors import CorrelationError
from simulation.sampling.correlations import (
    iman_conover,
    is_psd,
    nearest_correlation,
    rank_correlation_matrix,
)
from simulation.sampling.designs import SAMPLERS, InputMatrix, draw_inputs, uniform_percentiles
from simulation.scenario.types import Correlation

NAMES = ("staffing.a", "vendor.b", "phases.c", "demand.d", "costs.one_off_e")


@pytest.fixture(scope="module")
def inputs() -> dict[str, Distribution]:
    tables: list[object] = [
        {"dist": "pert", "min": 20, "mode": 40, "max": 90},
        {"dist": "lognormal", "p10": 30, "p90": 120},
        {"dist": "normal", "mean": 10, "sd": 2, "low": 5, "high": 15},
        {"dist": "discrete", "values": [1, 2, 3, 4], "weights": [1, 3, 2, 1]},
        {"dist": "uniform", "low": 0, "high": 1},
    ]
    return {name: parse_distribution(t) for name, t in zip(NAMES, tables, strict=True)}


def spearman(x: np.ndarray) -> np.ndarray:
    return np.asarray(stats.spearmanr(x).statistic)


# Uniform percentiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_percentiles_shape_and_open_interval(sampler: str) -> None:
    u = uniform_percentiles(1000, 4, sampler, np.random.default_rng(1))
    assert u.shape == (1000, 4)
    assert np.all(u > 0) and np.all(u < 1)
    assert np.all(np.abs(u.mean(axis=0) - 0.5) < 0.03)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_zero_inputs_or_iterations(sampler: str) -> None:
    assert uniform_percentiles(10, 0, sampler, np.random.default_rng(1)).shape == (10, 0)
    assert uniform_percentiles(0, 3, sampler, np.random.default_rng(1)).shape == (0, 3)


def test_unknown_sampler() -> None:
    with pytest.raises(ValueError, match="unknown sampler 'halton'"):
        uniform_percentiles(10, 2, "halton", np.random.default_rng(1))


def test_lhs_hits_each_stratum_exactly_once_per_input() -> None:
    n = 997
    u = uniform_percentiles(n, 6, "lhs", np.random.default_rng(3))
    strata = np.floor(u * n).astype(int)
    for j in range(6):
        assert np.array_equal(np.sort(strata[:, j]), np.arange(n))


def test_sobol_is_silent_for_any_n() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = uniform_percentiles(1000, 3, "sobol", np.random.default_rng(5))
    assert np.all((u > 0) & (u < 1))
    # low discrepancy: far more even than random in each column
    counts = np.histogram(u[:, 0], bins=10, range=(0, 1))[0]
    assert counts.max() - counts.min() <= 4


# Correlation matrices ----------------------------------------------------------------------------


def test_rank_correlation_matrix_symmetric_identity_plus_pairs() -> None:
    c = rank_correlation_matrix(
        ["a", "b", "c"], [Correlation("c", "a", 0.5), Correlation("a", "b", -0.2)]
    )
    expected = np.array([[1, -0.2, 0.5], [-0.2, 1, 0], [0.5, 0, 1]])
    assert np.array_equal(c, expected)


def test_rank_correlation_matrix_errors() -> None:
    with pytest.raises(CorrelationError) as info:
        rank_correlation_matrix(
            ["a", "b"],
            [Correlation("a", "zz", 0.5), Correlation("a", "a", 0.1), Correlation("a", "b", 1.5)],
        )
    assert info.value.messages == [
        "correlation a ~ zz: 'zz' is not an uncertain input",
        "correlation a ~ a: an input cannot be paired with itself",
        "correlation a ~ b: rank must be within [-1, 1] (got 1.5)",
    ]


def test_nearest_correlation_is_valid_and_close() -> None:
    bad = np.array([[1.0, 0.9, -0.5], [0.9, 1.0, 0.9], [-0.5, 0.9, 1.0]])
    assert not is_psd(bad)
    fixed = nearest_correlation(bad)
    assert np.allclose(fixed, fixed.T)
    assert np.allclose(np.diag(fixed), 1.0)
    assert np.linalg.eigvalsh(fixed).min() > 0
    np.linalg.cholesky(fixed)

    # optimality: compare with a direct numerical minimisation over valid correlation matrices
    # parametrised as L Lᵀ with unit-norm rows of a lower-triangular L
    def corr(theta: np.ndarray) -> np.ndarray:
        low = np.zeros((3, 3))
        low[np.tril_indices(3)] = np.concatenate([[1.0], theta])
        low /= np.linalg.norm(low, axis=1, keepdims=True)
        return low @ low.T

    best = min(
        (
            optimize.minimize(lambda t: np.linalg.norm(corr(t) - bad), x0, method="Nelder-Mead")
            for x0 in np.random.default_rng(0).normal(size=(5, 5))
        ),
        key=lambda r: r.fun,
    )
    assert np.linalg.norm(fixed - bad) == pytest.approx(best.fun, abs=1e-4)
    assert np.allclose(fixed, corr(best.x), atol=1e-3)


def test_nearest_correlation_leaves_valid_matrix_alone() -> None:
    good = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert np.allclose(nearest_correlation(good), good)


# Iman–Conover ------------------------------------------------------------------------------------


def test_iman_conover_marginals_exact_and_ranks_close() -> None:
    rng = np.random.default_rng(11)
    x = np.column_stack([rng.gamma(2, size=10_000), rng.normal(size=10_000), rng.random(10_000)])
    target = np.array([[1.0, 0.7, -0.4], [0.7, 1.0, 0.0], [-0.4, 0.0, 1.0]])
    y = iman_conover(x, target, np.random.default_rng(12))
    assert np.array_equal(np.sort(y, axis=0), np.sort(x, axis=0))
    assert np.all(np.abs(spearman(y) - target) < 0.03)


def test_iman_conover_leaves_uncorrelated_columns_untouched() -> None:
    x = np.random.default_rng(2).random((500, 3))
    target = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])
    y = iman_conover(x, target, np.random.default_rng(3))
    assert np.array_equal(y[:, 2], x[:, 2])


# draw_inputs -------------------------------------------------------------------------------------

CORRELATIONS = (
    Correlation("staffing.a", "vendor.b", 0.6),
    Correlation("phases.c", "vendor.b", -0.4),
    Correlation("staffing.a", "costs.one_off_e", 0.3),
)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_achieved_rank_correlations(inputs: dict[str, Distribution], sampler: str) -> None:
    m = draw_inputs(inputs, NAMES, CORRELATIONS, 10_000, seed=7, sampler=sampler)
    target = rank_correlation_matrix(NAMES, CORRELATIONS)
    rho = spearman(m.values)
    # the discrete input (ties) is not correlated; all other pairs must match within 0.03
    cont = [0, 1, 2, 4]
    assert np.all(np.abs(rho[np.ix_(cont, cont)] - target[np.ix_(cont, cont)]) < 0.03)
    assert m.warnings == ()


def test_marginals_unchanged_by_correlation(inputs: dict[str, Distribution]) -> None:
    plain = draw_inputs(inputs, NAMES, (), 5000, seed=3, sampler="lhs")
    corr = draw_inputs(inputs, NAMES, CORRELATIONS, 5000, seed=3, sampler="lhs")
    assert np.array_equal(np.sort(plain.values, axis=0), np.sort(corr.values, axis=0))
    assert not np.array_equal(plain.values, corr.values)


def test_lhs_values_are_stratified_through_ppf(inputs: dict[str, Distribution]) -> None:
    n = 1000
    m = draw_inputs(inputs, NAMES, CORRELATIONS, n, seed=5, sampler="lhs")
    # map back through the exact CDF of the PERT input: one value per stratum
    pert = stats.beta(1 + 4 * 20 / 70, 1 + 4 * 50 / 70, loc=20, scale=70)
    strata = np.floor(pert.cdf(m.column("staffing.a")) * n).astype(int)
    assert np.array_equal(np.sort(strata), np.arange(n))


def test_sample_statistics_match_distributions(inputs: dict[str, Distribution]) -> None:
    m = draw_inputs(inputs, NAMES, CORRELATIONS, 20_000, seed=9)
    for j, name in enumerate(NAMES):
        d = inputs[name]
        assert m.values[:, j].mean() == pytest.approx(d.mean(), rel=5e-3)
        lo, hi = d.support()
        assert m.values[:, j].min() >= lo and m.values[:, j].max() <= hi


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_same_seed_same_matrix_other_seed_differs(
    inputs: dict[str, Distribution], sampler: str
) -> None:
    a = draw_inputs(inputs, NAMES, CORRELATIONS, 2000, seed=42, sampler=sampler)
    b = draw_inputs(inputs, NAMES, CORRELATIONS, 2000, seed=42, sampler=sampler)
    c = draw_inputs(inputs, NAMES, CORRELATIONS, 2000, seed=43, sampler=sampler)
    assert np.array_equal(a.values, b.values)
    assert not np.any(np.all(a.values == c.values, axis=0)[[0, 1, 2, 4]])


def test_input_matrix_accessors(inputs: dict[str, Distribution]) -> None:
    m = draw_inputs(inputs, NAMES, (), 10, seed=1)
    assert isinstance(m, InputMatrix) and m.n == 10 and m.names == NAMES
    assert m.row(3) == {name: float(m.values[3, j]) for j, name in enumerate(NAMES)}
    frame = m.to_frame()
    assert list(frame.columns) == [f"in.{name}" for name in NAMES]
    assert np.array_equal(frame.to_numpy(), m.values)
    with pytest.raises(ValueError):
        m.values[0, 0] = 1.0  # read-only


def test_no_uncertain_inputs(inputs: dict[str, Distribution]) -> None:
    m = draw_inputs(inputs, (), (), 100, seed=1)
    assert m.values.shape == (100, 0)


INCONSISTENT = (
    Correlation("staffing.a", "vendor.b", 0.9),
    Correlation("vendor.b", "phases.c", 0.9),
    Correlation("staffing.a", "phases.c", -0.5),
)


def test_non_psd_repaired_with_warning_naming_pairs(inputs: dict[str, Distribution]) -> None:
    m = draw_inputs(inputs, NAMES, INCONSISTENT, 10_000, seed=1)
    (warning,) = m.warnings
    repaired = nearest_correlation(rank_correlation_matrix(NAMES, INCONSISTENT))
    assert is_psd(repaired)
    expected = (
        "correlations are not consistent (matrix not positive semi-definite); using the nearest "
        f"valid matrix: staffing.a ~ vendor.b 0.90 -> {repaired[0, 1]:.2f}, "
        f"staffing.a ~ phases.c -0.50 -> {repaired[0, 2]:.2f}, "
        f"vendor.b ~ phases.c 0.90 -> {repaired[1, 2]:.2f}"
    )
    assert warning == expected
    rho = spearman(m.values[:, :3])
    assert np.all(np.abs(rho - repaired[:3, :3]) < 0.03)


def test_non_psd_strict_raises(inputs: dict[str, Distribution]) -> None:
    with pytest.raises(CorrelationError) as info:
        draw_inputs(inputs, NAMES, INCONSISTENT, 100, seed=1, strict=True)
    assert info.value.messages[0].startswith("correlations are not consistent")
    assert "staffing.a ~ vendor.b 0.90 -> " in info.value.messages[0]
