"""`simulate fit`: maximum-likelihood fits, ranking, TOML round trip, expert pooling, errors."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import special, stats

from simulation.cli.fit import fit
from simulation.distributions.continuous import Gamma, LogNormal, Normal, Pert, Uniform
from simulation.distributions.estimators import round_sig
from simulation.distributions.families import Empirical
from simulation.distributions.fit_charts import Curve, FitChartData
from simulation.distributions.fitting import (
    FIT_FAMILIES,
    FitResult,
    fit_distributions,
    fit_family,
    frozen,
    toml_line,
)
from simulation.distributions.parsing import parse_distribution
from simulation.distributions.pooling import ExpertEstimate, fit_pool, pool_experts
from simulation.plotting.fit import fit_chart

# Parameter recovery ------------------------------------------------------------------------------


def _fit(x: np.ndarray, family: str) -> FitResult:
    result = fit_family(x, family)
    assert isinstance(result, FitResult), result
    return result


def test_lognormal_recovers_mu_sigma() -> None:
    mu, sigma, n = 3.5, 0.4, 2000
    x = np.random.default_rng(11).lognormal(mu, sigma, n)
    dist = _fit(x, "lognormal").distribution
    assert isinstance(dist, LogNormal)
    mu_hat, sigma_hat = dist.log_params()
    # Within 4 standard errors of the truth: SE(mu) = sigma/sqrt(n), SE(sigma) = sigma/sqrt(2n).
    assert abs(mu_hat - mu) < 4 * sigma / math.sqrt(n)
    assert abs(sigma_hat - sigma) < 4 * sigma / math.sqrt(2 * n)
    # The MLE with loc 0 is the mean and (ddof 0) sd of log(x) (6 significant figures printed).
    assert mu_hat == pytest.approx(np.mean(np.log(x)), rel=1e-5)
    assert sigma_hat == pytest.approx(np.std(np.log(x)), rel=1e-5)


def test_gamma_recovers_shape_scale() -> None:
    shape, scale, n = 3.0, 10.0, 2000
    x = np.random.default_rng(12).gamma(shape, scale, n)
    dist = _fit(x, "gamma").distribution
    assert isinstance(dist, Gamma)
    k, theta = dist.shape_scale()
    # Asymptotic SE of the shape MLE: sqrt(k / (n (k psi'(k) - 1))) ~ 0.09 here.
    se_k = math.sqrt(shape / (n * (shape * float(special.polygamma(1, shape)) - 1.0)))
    assert abs(k - shape) < 4 * se_k
    assert abs(theta - scale) / scale < 4 * se_k / shape + 0.01
    # Likelihood equation of the gamma with loc 0: shape * scale = sample mean.
    assert k * theta == pytest.approx(np.mean(x), rel=1e-5)


def test_normal_fit_is_sample_mean_and_sd() -> None:
    x = np.random.default_rng(13).normal(50.0, 8.0, 1000)
    dist = _fit(x, "normal").distribution
    assert isinstance(dist, Normal)
    assert dist.loc == pytest.approx(np.mean(x), rel=1e-6)
    assert dist.sd == pytest.approx(np.std(x), rel=1e-6)
    assert abs(dist.loc - 50.0) < 4 * 8.0 / math.sqrt(1000)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pert_recovers_three_points(seed: int) -> None:
    truth = Pert(10.0, 20.0, 60.0)
    x = truth.ppf(np.random.default_rng(seed).random(2000))
    dist = _fit(x, "pert").distribution
    assert isinstance(dist, Pert)
    assert dist.min < x.min() and dist.max > x.max()
    assert dist.min == pytest.approx(10.0, abs=0.5)
    assert dist.mode == pytest.approx(20.0, abs=1.0)
    assert dist.max == pytest.approx(60.0, abs=1.5)


def test_uniform_fit_is_the_data_range() -> None:
    x = np.random.default_rng(14).uniform(5.0, 9.0, 500)
    dist = _fit(x, "uniform").distribution
    assert isinstance(dist, Uniform)
    assert dist.low is not None and dist.high is not None
    assert dist.low <= x.min() and dist.high >= x.max()
    assert dist.low == pytest.approx(x.min(), rel=1e-5)
    assert dist.high == pytest.approx(x.max(), rel=1e-5)


def test_aic_and_ks_are_those_of_the_printed_distribution() -> None:
    x = np.random.default_rng(15).gamma(4.0, 3.0, 300)
    for result in fit_distributions(x).fits:
        rv = frozen(parse_distribution(tomllib.loads("v = " + result.distribution.to_toml())["v"]))
        loglik = float(np.sum(rv.logpdf(x)))
        assert result.aic == pytest.approx(2 * result.n_params - 2 * loglik, rel=1e-9)
        assert result.ks_statistic == pytest.approx(stats.kstest(x, rv.cdf).statistic)


# Choosing the family -----------------------------------------------------------------------------


def test_skewed_lognormal_sample_prefers_lognormal_or_gamma_over_normal() -> None:
    x = np.random.default_rng(21).lognormal(3.0, 0.6, 500)
    summary = fit_distributions(x)
    order = [f.family for f in summary.fits]
    assert order[0] in ("lognormal", "gamma")
    assert order.index("lognormal") < order.index("normal")
    assert order.index("gamma") < order.index("normal")
    by_family = {f.family: f for f in summary.fits}
    assert by_family["normal"].aic - by_family["lognormal"].aic > 10


def test_normal_sample_prefers_normal_over_uniform() -> None:
    x = np.random.default_rng(22).normal(100.0, 15.0, 500)
    summary = fit_distributions(x)
    by_family = {f.family: f for f in summary.fits}
    assert summary.fits[0].family == "normal"
    assert by_family["uniform"].aic - by_family["normal"].aic > 50
    assert by_family["normal"].ks_pvalue > 0.05
    assert by_family["uniform"].ks_pvalue < 1e-6


def test_uniform_sample_prefers_uniform() -> None:
    x = np.random.default_rng(23).uniform(5.0, 9.0, 1000)
    assert fit_distributions(x).fits[0].family == "uniform"


def test_positive_only_families_fail_on_non_positive_data() -> None:
    x = np.random.default_rng(24).normal(0.0, 1.0, 100)
    summary = fit_distributions(x, ("normal", "lognormal", "gamma"))
    assert [f.family for f in summary.fits] == ["normal"]
    assert {f.family for f in summary.failures} == {"lognormal", "gamma"}
    assert all("needs positive values" in f.reason for f in summary.failures)


def test_fallbacks_are_unranked_and_listed_after_parametric_fits() -> None:
    x = np.random.default_rng(25).integers(1, 6, 50).astype(float)
    summary = fit_distributions(x, ("discrete", "empirical", "normal"))
    assert [f.family for f in summary.fits] == ["normal", "discrete", "empirical"]
    discrete = summary.fits[1].distribution
    values, counts = np.unique(x, return_counts=True)
    assert discrete.mean() == pytest.approx(float(np.dot(values, counts)) / len(x))
    assert summary.fits[2].distribution.mean() == pytest.approx(np.mean(x))


# TOML round trip ---------------------------------------------------------------------------------


def test_every_fitted_toml_line_parses_back_to_the_same_distribution() -> None:
    x = np.random.default_rng(31).lognormal(3.0, 0.3, 400)
    summary = fit_distributions(x, FIT_FAMILIES)
    assert len(summary.fits) == len(FIT_FAMILIES) - 1  # discrete: too many distinct values
    for result in summary.fits:
        text = toml_line(result.distribution, "staffing.time_to_hire_days")
        comment, line = text.splitlines()
        assert comment == "# in [staffing]"
        table = tomllib.loads(f"[staffing]\n{line}")
        assert parse_distribution(table["staffing"]["time_to_hire_days"]) == result.distribution


def test_round_sig() -> None:
    assert round_sig(12.34567891) == 12.3457
    assert round_sig(12.34567891, direction="down") == 12.3456
    assert round_sig(12.34561, direction="up") == 12.3457
    assert round_sig(-0.000123456789) == -0.000123457
    assert round_sig(99999.95, direction="up") == 100000.0
    for x in np.random.default_rng(32).lognormal(0, 5, 200):
        assert round_sig(x, direction="down") <= x <= round_sig(x, direction="up")


# Expert pooling ----------------------------------------------------------------------------------


def _pert_mean(lo: float, mode: float, hi: float) -> float:
    return (lo + 4 * mode + hi) / 6


def test_two_identical_experts_give_that_experts_pert() -> None:
    pert = Pert(20.0, 35.0, 80.0)
    pool = pool_experts([ExpertEstimate("a", pert, 0.5), ExpertEstimate("b", pert, 0.5)])
    assert pool.mean == pytest.approx(_pert_mean(20, 35, 80), rel=1e-6)
    assert pool.p50 == pytest.approx(
        float(stats.beta(2.0, 4.0, loc=20, scale=60).median()), abs=1e-4
    )
    np.testing.assert_allclose(pool.quantiles, pert.ppf(pool.probabilities), atol=1e-4)


def test_pooled_mean_is_the_weighted_mean_of_pert_means() -> None:
    rows = [(20.0, 35.0, 80.0, 1.0), (30.0, 45.0, 90.0, 2.0), (25.0, 40.0, 120.0, 1.0)]
    total = sum(r[3] for r in rows)
    experts = [ExpertEstimate(str(i), Pert(*r[:3]), r[3] / total) for i, r in enumerate(rows)]
    pool = pool_experts(experts)
    expected = sum(r[3] / total * _pert_mean(*r[:3]) for r in rows)
    assert pool.mean == pytest.approx(expected, rel=1e-6)
    # The pooled percentiles solve sum w_i F_i(x) = q with scipy's beta CDFs.
    for q, x in ((0.1, pool.p10), (0.5, pool.p50), (0.9, pool.p90)):
        mixture = sum(
            r[3] / total * stats.beta.cdf(x, *_shapes(*r[:3]), loc=r[0], scale=r[2] - r[0])
            for r in rows
        )
        assert mixture == pytest.approx(q, abs=1e-6)
    # The empirical distribution of the quantile midpoints keeps the mean.
    assert pool.empirical().mean() == pytest.approx(expected, rel=2e-3)


def _shapes(lo: float, mode: float, hi: float) -> tuple[float, float]:
    return 1 + 4 * (mode - lo) / (hi - lo), 1 + 4 * (hi - mode) / (hi - lo)


def test_pool_with_disjoint_experts_has_a_gap() -> None:
    experts = [ExpertEstimate("a", Pert(0, 1, 2), 0.5), ExpertEstimate("b", Pert(10, 11, 12), 0.5)]
    pool = pool_experts(experts, n_quantiles=10)
    assert np.all(pool.quantiles[:5] <= 2.0) and np.all(pool.quantiles[5:] >= 10.0)
    assert pool.mean == pytest.approx(6.0, rel=1e-6)


def test_single_expert_pool_is_fitted_best_by_pert() -> None:
    pool = pool_experts([ExpertEstimate("a", Pert(20.0, 35.0, 80.0), 1.0)])
    summary = fit_pool(pool)
    best = summary.fits[0]
    assert best.family == "pert"
    assert isinstance(best.distribution, Pert)
    assert (best.distribution.min, best.distribution.mode, best.distribution.max) == (
        pytest.approx(20.0, abs=0.5),
        pytest.approx(35.0, abs=0.5),
        pytest.approx(80.0, abs=1.0),
    )
    assert best.ks_statistic < 0.005
    assert math.isnan(best.ks_pvalue)


# Chart --------------------------------------------------------------------------------------------


def test_fit_chart_draws_exactly_the_curves_it_is_given() -> None:
    grid = np.linspace(0, 10, 50)
    pdf, cdf = stats.norm(5, 1).pdf(grid), stats.norm(5, 1).cdf(grid)
    data = FitChartData(
        title="t",
        x_label="days",
        grid=grid,
        curves=(Curve("normal", pdf, cdf),),
        reference_label="data (ECDF)",
        reference_x=np.array([3.0, 5.0, 7.0]),
        reference_cdf=np.array([1 / 3, 2 / 3, 1.0]),
        reference_steps=True,
        hist_edges=np.array([2.0, 4.0, 6.0, 8.0]),
        hist_density=np.array([1 / 6, 1 / 6, 1 / 6]),
    )
    fig = fit_chart(data)
    ax_pdf, ax_cdf = fig.axes
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["pdf:normal"].get_ydata(), pdf)
    np.testing.assert_array_equal(lines["cdf:normal"].get_ydata(), cdf)
    np.testing.assert_array_equal(lines["reference_cdf"].get_xdata(), [3.0, 5.0, 7.0])
    assert lines["reference_cdf"].get_drawstyle() == "steps-post"
    assert any(p.get_gid() == "histogram" for p in ax_pdf.patches)
    assert ax_cdf.get_xlabel() == "days"


# Command line ------------------------------------------------------------------------------------


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "data.csv") -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(fit, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _toml_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if " = { dist = " in line]


def test_cli_fit_prints_ranked_table_toml_and_chart(tmp_path: Path) -> None:
    x = np.random.default_rng(41).lognormal(3.6, 0.4, 300).round(2)
    data = _csv(tmp_path, pd.DataFrame({"time_to_hire_days": x, "team": "a"}))
    chart = tmp_path / "fit.png"
    code, out, err = _invoke(
        data, "--column", "time_to_hire_days", "--key", "staffing.time_to_hire_days",
        "--chart", str(chart),
    )  # fmt: skip
    assert code == 0, err
    assert f"{data}: column 'time_to_hire_days': 300 values" in out
    assert "KS p-values are optimistic" in out
    table_rows = [line.split() for line in out.splitlines() if line.strip()[:2] in ("1 ", "2 ")]
    assert table_rows[0][1] in ("lognormal", "gamma")
    (line,) = _toml_lines(out)
    assert "# in [staffing]" in out
    dist = parse_distribution(tomllib.loads(line)["time_to_hire_days"])
    expected = fit_distributions(x).fits[0].distribution
    assert dist == expected
    image = matplotlib.image.imread(chart)
    assert image.shape[0] > 100 and image.shape[1] > 100


def test_cli_expert_prints_pool_and_both_toml_lines(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "expert": ["A", "B", "C"],
            "min": [20, 30, 25],
            "mode": [35, 45, 40],
            "max": [80, 90, 120],
            "weight": [1, 2, 1],
        }
    )
    data = _csv(tmp_path, frame)
    chart = tmp_path / "pool.png"
    code, out, err = _invoke(data, "--expert", "--key", "staffing.x", "--chart", str(chart))
    assert code == 0, err
    expected_mean = 0.25 * 40 + 0.5 * 50 + 0.25 * (25 + 160 + 120) / 6
    assert f"pooled: mean {expected_mean:.4g}, P10 " in out
    empirical_line, family_line = _toml_lines(out)
    empirical = parse_distribution(tomllib.loads(empirical_line)["x"])
    assert isinstance(empirical, Empirical) and len(empirical.values) == 200
    assert empirical.mean() == pytest.approx(expected_mean, rel=2e-3)
    single = parse_distribution(tomllib.loads(family_line)["x"])
    assert single.mean() == pytest.approx(expected_mean, rel=0.02)
    assert chart.stat().st_size > 0


# Errors: exact messages, exit code 1 -------------------------------------------------------------


def _error(*args: str) -> list[str]:
    code, out, err = _invoke(*args)
    assert code == 1
    assert out == ""
    return err.splitlines()


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert _error(str(path), "--column", "x") == [f"error: {path}: file not found"]


def test_missing_column_lists_columns_and_suggests(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"time_to_hire_days": range(20), "team": "a"}))
    assert _error(data, "--column", "time_to_hire") == [
        f"error: {data}: no column 'time_to_hire' (columns present: 'time_to_hire_days', "
        "'team'; did you mean 'time_to_hire_days'?)"
    ]


def test_text_values_name_their_lines(tmp_path: Path) -> None:
    values = [str(v) for v in range(10, 30)]
    values[3], values[7] = "abc", "12x5"
    data = _csv(tmp_path, pd.DataFrame({"days": values}))
    assert _error(data, "--column", "days") == [
        f"error: {data}: column 'days', line 5: 'abc' is not a number",
        f"error: {data}: column 'days', line 9: '12x5' is not a number",
    ]


def test_text_column(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"days": range(20), "team": "ops"}))
    assert _error(data, "--column", "team") == [
        f"error: {data}: column 'team' holds text, not numbers (line 2: 'ops')"
    ]


def test_non_finite_values(tmp_path: Path) -> None:
    values = [str(v) for v in range(10, 30)]
    values[0], values[1] = "inf", "NaN"
    data = _csv(tmp_path, pd.DataFrame({"days": values}))
    assert _error(data, "--column", "days") == [
        f"error: {data}: column 'days', line 2: 'inf' is not a finite number",
        f"error: {data}: column 'days', line 3: 'NaN' is not a finite number",
    ]


def test_too_few_rows(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"days": [3.0, 4.5, 6.0, 7.0, 9.5, 12.0, 13.0]}))
    assert _error(data, "--column", "days") == [
        f"error: {data}: column 'days': 7 values, a fit needs at least 10 "
        "(for fewer observations, ask experts for a three-point estimate: --expert)"
    ]


def test_empty_cells_are_skipped_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("days,site\n1,a\n\n2,a\n3,a\n4,a\n,a\n5,a\n6,a\n7,a\n8,a\n9.5,a\n10,a\n")
    code, out, err = _invoke(str(path), "--column", "days")
    assert code == 0, err
    assert "10 values" in out
    assert "skipped 2 empty cells (lines 3, 7)" in out
    path.write_text("days,site\n1,a\n\n2,a\n3,a\n4,a\n,a\n5,a\n6,a\n7,a\n8,a\n9.5,a\n")
    assert _error(str(path), "--column", "days")[0].startswith(
        f"error: {path}: column 'days': 9 values, a fit needs at least 10"
    )


def test_ragged_csv(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("days,site\n1,a\n2,b\n3,c,d\n")
    assert _error(str(path), "--column", "days") == [
        f"error: {path}: line 4 has 3 fields but the header has 2 ('3,c,d'); "
        "quote fields that contain ','"
    ]


def test_constant_data(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"days": [30] * 12}))
    assert _error(data, "--column", "days") == [
        f"error: {data}: column 'days': all 12 values are 30; a constant needs no "
        "distribution (write the plain number 30)"
    ]


def test_column_is_required_without_expert(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"days": range(20)}))
    assert _error(data) == [f"error: {data}: --column is required (the column of values to fit)"]


def test_unknown_family(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"days": range(20)}))
    assert _error(data, "--column", "days", "--families", "pert,lognorm") == [
        "error: --families: unknown family 'lognorm' (did you mean 'lognormal'?)"
    ]


def test_expert_file_errors_are_all_reported(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"expert": ["A", "B", "C"], "min": [40, 30, 10], "mode": [30, 45, 10], "max": [80, 90, 10]}
    )
    data = _csv(tmp_path, frame)
    assert _error(data, "--expert") == [
        f"error: {data}: line 2 (expert 'A'): min (40) must be <= mode (30)",
        f"error: {data}: line 4 (expert 'C'): min (10) must be < max (10)",
    ]


def test_expert_file_missing_column(tmp_path: Path) -> None:
    data = _csv(tmp_path, pd.DataFrame({"expert": ["A"], "min": [1], "mode": [2], "maxi": [3]}))
    assert _error(data, "--expert") == [
        f"error: {data}: no column 'max' (expected columns expert, min, mode, max, optional "
        "weight) (columns present: 'expert', 'min', 'mode', 'maxi'; did you mean 'maxi'?)"
    ]
