"""The distribution catalogue against scipy and analytic facts, round-trips and error messages."""

from __future__ import annotations

import math
import pickle
import tomllib

import numpy as np
import pytest
from scipy import stats

from simulation.distributions.continuous import Pert
from simulation.distributions.families import Distribution, Fixed
from simulation.distributions.fast_ppf import FAST_PPF_MIN_SIZE
from simulation.distributions.parsing import DISTRIBUTIONS, parse_distribution
from simulation.errors import DistributionError

N = 200_000


@pytest.fixture(scope="module")
def u() -> np.ndarray:
    """Stratified percentiles: sample moments converge fast, deterministic."""
    rng = np.random.default_rng(20240601)
    return rng.permutation((np.arange(N) + rng.random(N)) / N)


def errors(value: object) -> list[str]:
    with pytest.raises(DistributionError) as info:
        parse_distribution(value)
    return info.value.messages


# Families against scipy / analytic facts ---------------------------------------------------------


def test_fixed_plain_number_and_table() -> None:
    d = parse_distribution(12)
    assert d == Fixed(12.0) == parse_distribution({"dist": "fixed", "value": 12})
    assert d.is_fixed
    assert d.mean() == 12.0 and d.percentile(0.9) == 12.0 and d.support() == (12.0, 12.0)
    assert np.all(d.ppf(np.array([0.1, 0.9])) == 12.0)
    assert d.describe() == "fixed at 12"
    assert d.to_toml() == "12"


def test_uniform(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "uniform", "low": 2, "high": 5})
    x = d.ppf(u)
    assert not d.is_fixed
    assert d.mean() == pytest.approx(3.5)
    assert x.mean() == pytest.approx(3.5, abs=1e-3)
    assert d.percentile(0.1) == pytest.approx(2.3)
    assert d.support() == (2.0, 5.0) and x.min() >= 2 and x.max() <= 5


def test_triangular(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "triangular", "min": 1, "mode": 3, "max": 8})
    x = d.ppf(u)
    assert d.mean() == pytest.approx(4.0)  # (min + mode + max) / 3
    assert x.mean() == pytest.approx(4.0, abs=2e-3)
    # CDF at the mode is (mode - min) / (max - min)
    assert d.percentile(2 / 7) == pytest.approx(3.0)
    assert d.support() == (1.0, 8.0)


def test_pert_mean_formula_and_beta_shapes(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "pert", "min": 20, "mode": 40, "max": 90})
    assert d.mean() == pytest.approx((20 + 4 * 40 + 90) / 6)
    x = d.ppf(u)
    assert x.mean() == pytest.approx(45.0, abs=0.02)
    ref = stats.beta(1 + 4 * 20 / 70, 1 + 4 * 50 / 70, loc=20, scale=70)
    for q in (0.1, 0.5, 0.9):
        assert d.percentile(q) == pytest.approx(ref.ppf(q), rel=1e-12)
        assert np.quantile(x, q) == pytest.approx(ref.ppf(q), abs=0.05)
    assert d.support() == (20.0, 90.0) and x.min() >= 20 and x.max() <= 90


def test_pert_lambda() -> None:
    d = parse_distribution({"dist": "pert", "min": 0, "mode": 1, "max": 10, "lambda": 2})
    assert d.mean() == pytest.approx((0 + 2 * 1 + 10) / 4)
    assert d.describe().startswith("PERT (lambda 2) from 0 to 10")


def test_pert_fast_inverse_agrees_with_exact_ppf() -> None:
    d = Pert(20.0, 40.0, 90.0)
    u = np.linspace(1e-9, 1 - 1e-9, FAST_PPF_MIN_SIZE + 1)
    fast = d.ppf(u)  # large array: numerical inversion
    ref = stats.beta(1 + 80 / 70, 1 + 200 / 70, loc=20, scale=70)
    assert np.max(np.abs(ref.cdf(fast) - u)) < 1e-10  # PINV u-resolution
    body = (u > 1e-4) & (u < 1 - 1e-4)  # away from the flat tails: values within 1e-6 days
    assert np.max(np.abs(fast - ref.ppf(u))[body]) < 1e-6
    assert np.all(np.diff(fast) >= 0)


def test_normal_and_truncated_normal(u: np.ndarray) -> None:
    plain = parse_distribution({"dist": "normal", "mean": 10, "sd": 2})
    assert plain.mean() == 10 and plain.percentile(0.9) == pytest.approx(10 + 2 * 1.2815516, 1e-6)
    d = parse_distribution({"dist": "normal", "mean": 10, "sd": 4, "low": 5, "high": 20})
    ref = stats.truncnorm((5 - 10) / 4, (20 - 10) / 4, loc=10, scale=4)
    x = d.ppf(u)
    assert x.min() >= 5 and x.max() <= 20
    assert d.mean() == pytest.approx(ref.mean(), rel=1e-12)
    assert x.mean() == pytest.approx(ref.mean(), abs=0.01)
    assert d.percentile(0.25) == pytest.approx(ref.ppf(0.25))
    assert d.support() == (5.0, 20.0)


def test_one_sided_truncation_and_clipping(u: np.ndarray) -> None:
    trunc = parse_distribution({"dist": "normal", "mean": 0, "sd": 1, "low": 0})
    assert trunc.mean() == pytest.approx(math.sqrt(2 / math.pi))  # half-normal mean
    assert trunc.support() == (0.0, math.inf)
    clip = parse_distribution({"dist": "normal", "mean": 0, "sd": 1, "low": 0, "clip": True})
    x = clip.ppf(u)
    assert np.mean(x == 0.0) == pytest.approx(0.5, abs=1e-3)  # half the mass piles on the bound
    assert clip.mean() == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert x.mean() == pytest.approx(clip.mean(), abs=2e-3)


def test_generic_truncation_of_pert_and_gamma(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "pert", "min": 0, "mode": 2, "max": 10, "high": 4})
    x = d.ppf(u)
    base = stats.beta(1 + 0.8, 1 + 3.2, scale=10)
    assert x.max() <= 4 and d.support() == (0.0, 4.0)
    mass = base.cdf(4)
    assert d.percentile(0.5) == pytest.approx(base.ppf(0.5 * mass))
    assert x.mean() == pytest.approx(d.mean(), abs=2e-3)
    g = parse_distribution({"dist": "gamma", "shape": 2, "scale": 3, "low": 1, "high": 9})
    y = g.ppf(u)
    assert y.min() >= 1 and y.max() <= 9
    assert y.mean() == pytest.approx(g.mean(), abs=5e-3)


def test_lognormal_percentiles_recovered(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "lognormal", "p10": 30, "p90": 120})
    assert d.percentile(0.1) == pytest.approx(30)
    assert d.percentile(0.9) == pytest.approx(120)
    x = d.ppf(u)
    assert np.quantile(x, 0.1) == pytest.approx(30, rel=2e-3)
    assert np.quantile(x, 0.9) == pytest.approx(120, rel=2e-3)
    assert d.percentile(0.5) == pytest.approx(60)  # geometric mean of symmetric percentiles
    p5 = parse_distribution({"dist": "lognormal", "p5": 10, "p95": 40})
    assert p5.percentile(0.05) == pytest.approx(10) and p5.percentile(0.95) == pytest.approx(40)
    assert d.support() == (0.0, math.inf)


def test_lognormal_mean_sd(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "lognormal", "mean": 50, "sd": 20})
    x = d.ppf(u)
    assert d.mean() == pytest.approx(50)
    assert x.mean() == pytest.approx(50, rel=2e-3)
    assert x.std() == pytest.approx(20, rel=1e-2)


def test_gamma_both_parametrisations(u: np.ndarray) -> None:
    a = parse_distribution({"dist": "gamma", "shape": 4, "scale": 2.5})
    b = parse_distribution({"dist": "gamma", "mean": 10, "sd": 5})
    assert a.mean() == pytest.approx(10) and b.mean() == pytest.approx(10)
    assert a.percentile(0.7) == pytest.approx(b.percentile(0.7))
    assert a.percentile(0.7) == pytest.approx(stats.gamma(4, scale=2.5).ppf(0.7))
    assert b.ppf(u).std() == pytest.approx(5, rel=1e-2)


def test_beta_scaled(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "beta", "alpha": 2, "beta": 5, "low": 10, "high": 20})
    assert d.mean() == pytest.approx(10 + 10 * 2 / 7)
    assert d.support() == (10.0, 20.0)
    unit = parse_distribution({"dist": "beta", "alpha": 0.5, "beta": 0.5})
    assert unit.support() == (0.0, 1.0)
    assert unit.percentile(0.5) == pytest.approx(0.5)
    x = d.ppf(u)
    assert x.mean() == pytest.approx(d.mean(), abs=2e-3)


def test_discrete(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "discrete", "values": [3, 1, 2], "weights": [1, 2, 1]})
    x = d.ppf(u)
    for value, prob in ((1, 0.5), (2, 0.25), (3, 0.25)):
        assert np.mean(x == value) == pytest.approx(prob, abs=1e-4)
    assert d.mean() == pytest.approx(1.75)
    assert d.support() == (1.0, 3.0)
    assert d.percentile(0.6) == 2.0
    equal = parse_distribution({"dist": "discrete", "values": [5, 6]})
    assert equal.mean() == 5.5


def test_bernoulli(u: np.ndarray) -> None:
    d = parse_distribution({"dist": "bernoulli", "p": 0.3})
    x = d.ppf(u)
    assert set(np.unique(x)) == {0.0, 1.0}
    assert x.mean() == pytest.approx(0.3, abs=1e-4)
    assert d.mean() == 0.3 and d.support() == (0.0, 1.0)
    assert np.all(np.diff(d.ppf(np.sort(u))) >= 0)  # monotone: correlations carry over


def test_empirical() -> None:
    d = parse_distribution({"dist": "empirical", "values": [5, 1, 3, 9]})
    assert d.ppf(np.array([0.0, 0.24, 0.25, 0.6, 0.99, 1.0])).tolist() == [1, 1, 3, 5, 9, 9]
    assert d.mean() == 4.5
    assert d.support() == (1.0, 9.0)


# describe / to_toml ------------------------------------------------------------------------------

EXAMPLES = [
    12,
    2.5,
    {"dist": "fixed", "value": 3},
    {"dist": "uniform", "low": 0.1, "high": 0.4},
    {"dist": "triangular", "min": 1, "mode": 3, "max": 8, "high": 6},
    {"dist": "pert", "min": 20, "mode": 40, "max": 90},
    {"dist": "pert", "min": 0.1, "mode": 0.25, "max": 0.7, "lambda": 3, "low": 0.2, "clip": True},
    {"dist": "normal", "mean": 10, "sd": 2, "low": 5, "high": 15},
    {"dist": "lognormal", "p10": 30, "p90": 120},
    {"dist": "lognormal", "mean": 1e6, "sd": 2.5e5, "high": 3e6},
    {"dist": "gamma", "shape": 2, "scale": 1.5},
    {"dist": "gamma", "mean": 6, "sd": 2},
    {"dist": "beta", "alpha": 2, "beta": 5, "low": 10, "high": 20},
    {"dist": "discrete", "values": [1, 2, 3], "weights": [0.2, 0.5, 0.3]},
    {"dist": "discrete", "values": [1, 2]},
    {"dist": "bernoulli", "p": 0.3},
    {"dist": "empirical", "values": [12.5, 3, 7.25, 1e-3]},
]


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: str(v)[:40])
def test_to_toml_round_trip(value: object) -> None:
    d = parse_distribution(value)
    back = parse_distribution(tomllib.loads(f"x = {d.to_toml()}")["x"])
    assert back == d
    assert back.describe() == d.describe()
    assert pickle.loads(pickle.dumps(d)) == d


def test_every_catalogue_entry_has_an_example() -> None:
    names = {parse_distribution(v).name for v in EXAMPLES}
    assert names == set(DISTRIBUTIONS)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            {"dist": "pert", "min": 20, "mode": 40, "max": 90},
            "PERT from 20 to 90, most likely 40 (mean 45)",
        ),
        (
            {"dist": "normal", "mean": 10, "sd": 2, "low": 5, "high": 15},
            "normal, mean 10, sd 2, truncated to [5, 15]",
        ),
        ({"dist": "lognormal", "p10": 30, "p90": 120}, "lognormal with P10 30 and P90 120"),
        ({"dist": "uniform", "low": 1, "high": 3}, "uniform from 1 to 3"),
        (
            {"dist": "normal", "mean": 0, "sd": 1, "low": 0, "clip": True},
            "normal, mean 0, sd 1, clipped below at 0",
        ),
    ],
)
def test_describe(value: object, text: str) -> None:
    assert parse_distribution(value).describe() == text


def test_pickled_pert_rebuilds_its_scipy_object() -> None:
    d = parse_distribution({"dist": "pert", "min": 1, "mode": 2, "max": 4, "high": 3})
    back: Distribution = pickle.loads(pickle.dumps(d))
    q = np.array([0.1, 0.5, 0.9])
    assert np.array_equal(back.ppf(q), d.ppf(q))


# Error messages (exact text) ---------------------------------------------------------------------


def test_error_min_greater_than_mode() -> None:
    assert errors({"dist": "pert", "min": 40, "mode": 30, "max": 90}) == [
        "min (40) must be <= mode (30)"
    ]


def test_error_mode_greater_than_max() -> None:
    assert errors({"dist": "triangular", "min": 20, "mode": 95, "max": 90}) == [
        "mode (95) must be <= max (90)"
    ]


def test_error_low_not_below_high() -> None:
    assert errors({"dist": "uniform", "low": 5, "high": 2}) == ["low (5) must be < high (2)"]


def test_error_degenerate_three_point() -> None:
    assert errors({"dist": "pert", "min": 5, "mode": 5, "max": 5}) == [
        "min (5) must be < max (5); write a plain number for a fixed value"
    ]


def test_error_unknown_distribution() -> None:
    assert errors({"dist": "pret", "min": 1}) == [
        "unknown distribution 'pret' (did you mean 'pert'?)"
    ]


def test_error_missing_dist() -> None:
    assert errors({"min": 1}) == [
        "missing 'dist' (one of: fixed, uniform, triangular, pert, normal, lognormal, gamma, beta, "
        "discrete, bernoulli, empirical)"
    ]


def test_error_unknown_field_and_missing_field_reported_together() -> None:
    assert errors({"dist": "pert", "min": 20, "moed": 40, "max": 90}) == [
        "unknown field 'moed' for pert (did you mean 'mode'?)",
        "pert needs 'mode'",
    ]


def test_error_missing_field() -> None:
    assert errors({"dist": "pert", "min": 20, "mode": 40}) == ["pert needs 'max'"]


def test_error_wrong_types() -> None:
    assert errors({"dist": "normal", "mean": 1, "sd": "abc"}) == [
        "'sd' must be a number, got string 'abc'"
    ]
    assert errors({"dist": "normal", "mean": 1, "sd": True}) == [
        "'sd' must be a number, got boolean true"
    ]


def test_error_bounds() -> None:
    assert errors({"dist": "normal", "mean": 1, "sd": -1}) == ["'sd' must be > 0 (got -1)"]
    assert errors({"dist": "bernoulli", "p": 1.5}) == ["'p' must be within [0, 1] (got 1.5)"]
    assert errors({"dist": "normal", "mean": math.nan, "sd": 1}) == [
        "'mean' must be finite (got nan)"
    ]


def test_every_problem_of_a_table_at_once() -> None:
    assert errors({"dist": "normal", "mean": math.inf, "sd": 0, "low": 3, "high": 1, "x": 1}) == [
        "unknown field 'x' for normal (allowed: mean, sd, low, high, clip)",
        "'mean' must be finite (got inf)",
        "'sd' must be > 0 (got 0)",
        "low (3) must be < high (1)",
    ]


def test_error_truncation_without_mass() -> None:
    assert errors({"dist": "pert", "min": 20, "mode": 40, "max": 90, "low": 100}) == [
        "truncation to [100, inf] leaves no probability (the distribution lies within [20, 90])"
    ]


def test_error_plain_values() -> None:
    assert errors(True) == ["expected a number or a distribution table, got boolean true"]
    assert errors(math.inf) == ["must be finite (got inf)"]
    assert errors("abc")[0].endswith("got string 'abc'")


def test_error_lognormal_parametrisations() -> None:
    assert errors({"dist": "lognormal", "p10": 30}) == [
        "lognormal needs exactly two percentiles such as 'p10' and 'p90' (got 1)"
    ]
    assert errors({"dist": "lognormal", "p10": 120, "p90": 30}) == ["p10 (120) must be < p90 (30)"]
    assert errors({"dist": "lognormal", "mean": 5, "p90": 30}) == [
        "lognormal takes either 'mean' and 'sd' or two percentiles, not both"
    ]


def test_error_gamma_parametrisations() -> None:
    assert errors({"dist": "gamma", "shape": 2, "mean": 3}) == [
        "gamma needs either 'shape' and 'scale' or 'mean' and 'sd'"
    ]


def test_error_discrete_weights() -> None:
    assert errors({"dist": "discrete", "values": [1, 2], "weights": [1, -1, 2]}) == [
        "'weights' must have as many entries as 'values' (3 != 2)",
        "'weights' must be >= 0 (got -1)",
    ]
    assert errors({"dist": "discrete", "values": [1, 2], "weights": [0, 0]}) == [
        "'weights' must not all be 0"
    ]
    assert errors({"dist": "discrete", "values": [1, "a"]}) == [
        "'values'[1] must be a number, got string 'a'"
    ]


def test_error_empirical_too_few_values() -> None:
    assert errors({"dist": "empirical", "values": [3]}) == [
        "'values' needs at least 2 values (got 1)"
    ]
