"""Tests of simulation.analysis.summary against numpy/pandas/scipy and hand calculations."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.analysis.sensitivity import risk_effects, sensitivity, timeseries_bands
from simulation.analysis.summary import (
    PERCENTILES,
    SUMMARY_COLUMNS,
    ConvergenceCheck,
    has_converged,
    headline,
    key_quantiles,
    percentile_se,
    summarise,
    too_few_iterations,
)
from simulation.scenario.types import Target


@pytest.fixture
def known_table() -> pd.DataFrame:
    rng = np.random.default_rng(20240601)
    n = 2_000
    cost = rng.lognormal(13.0, 0.4, n)
    months = rng.gamma(9.0, 1.2, n)
    breakeven = rng.uniform(10, 60, n)
    breakeven[rng.random(n) < 0.3] = np.nan
    savings = rng.normal(2e5, 5e5, n)
    return pd.DataFrame(
        {
            "iteration": np.arange(n),
            "in.staffing.time_to_hire_days": rng.uniform(20, 60, n),
            "out.transition_cost": cost,
            "out.transition_months": months,
            "out.breakeven_month": breakeven,
            "out.npv_savings": savings,
        }
    )


# --------------------------------------------------------------------------- summarise


def test_summary_statistics_match_pandas(known_table: pd.DataFrame) -> None:
    metrics = ["transition_cost", "transition_months", "breakeven_month"]
    table = summarise(known_table, metrics).set_index("metric")
    for metric in metrics:
        col = known_table[f"out.{metric}"].dropna()
        row = table.loc[metric]
        assert row["mean"] == pytest.approx(col.mean(), rel=1e-12)
        assert row["std"] == pytest.approx(col.std(), rel=1e-12)  # ddof = 1
        assert row["min"] == col.min()
        assert row["max"] == col.max()
        for q in PERCENTILES:
            assert row[f"p{q}"] == pytest.approx(col.quantile(q / 100), rel=1e-12)
            assert row[f"p{q}"] == pytest.approx(np.nanpercentile(known_table[f"out.{metric}"], q))
        assert row["n"] == col.size
        assert row["n"] + row["n_missing"] == len(known_table)
        assert row["target"] == ""
        assert pd.isna(row["p_within_target"])
        assert row["p50_se"] == pytest.approx(percentile_se(col.to_numpy(), 0.5))
        assert row["p90_se"] == pytest.approx(percentile_se(col.to_numpy(), 0.9))
    assert (
        table.loc["breakeven_month", "n_missing"] == known_table["out.breakeven_month"].isna().sum()
    )
    assert known_table["out.breakeven_month"].isna().any()


def test_summary_columns_and_indicator_rows(known_table: pd.DataFrame) -> None:
    table = summarise(known_table, ["transition_cost"])
    assert tuple(table.columns) == SUMMARY_COLUMNS
    assert list(table["metric"]) == [
        "transition_cost",
        "p_npv_savings_positive",
        "p_breakeven_within_horizon",
    ]
    rows = table.set_index("metric")
    positive = (known_table["out.npv_savings"] > 0).astype(float)
    reached = known_table["out.breakeven_month"].notna().astype(float)
    assert rows.loc["p_npv_savings_positive", "mean"] == pytest.approx(positive.mean())
    assert rows.loc["p_npv_savings_positive", "std"] == pytest.approx(positive.std())
    assert rows.loc["p_breakeven_within_horizon", "mean"] == pytest.approx(reached.mean())
    assert rows.loc["p_breakeven_within_horizon", "n"] == len(known_table)
    assert rows.loc["p_breakeven_within_horizon", "n_missing"] == 0


def test_indicator_rows_only_when_columns_exist() -> None:
    samples = pd.DataFrame({"out.transition_cost": [1.0, 2.0, 3.0]})
    table = summarise(samples, ["transition_cost"])
    assert list(table["metric"]) == ["transition_cost"]


def test_target_probabilities_and_se_by_hand() -> None:
    # 8 iterations; months has one NaN (never stabilised), savings has none.
    samples = pd.DataFrame(
        {
            "out.transition_months": [8.0, 10.0, 12.0, 12.5, 14.0, np.nan, 9.0, 20.0],
            "out.npv_savings": [-5.0, 0.0, 3.0, 7.0, -1.0, 2.0, 10.0, -2.0],
            "out.transition_cost": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    targets = (
        Target("transition_months", at_most=12.0),
        Target("npv_savings", at_least=0.0),
        Target("transition_cost", at_least=2.0),
        Target("transition_cost", at_most=6.0),
    )
    table = summarise(samples, ["transition_months", "npv_savings"], targets).set_index("metric")
    # months <= 12: 8, 10, 12, 9 -> 4 of 8 (NaN not met)
    assert table.loc["transition_months", "target"] == "<= 12"
    assert table.loc["transition_months", "p_within_target"] == pytest.approx(0.5)
    assert table.loc["transition_months", "p_within_target_se"] == pytest.approx(
        math.sqrt(0.5 * 0.5 / 8)
    )
    # savings >= 0: 0, 3, 7, 2, 10 -> 5 of 8
    assert table.loc["npv_savings", "target"] == ">= 0"
    assert table.loc["npv_savings", "p_within_target"] == pytest.approx(5 / 8)
    assert table.loc["npv_savings", "p_within_target_se"] == pytest.approx(
        math.sqrt(5 / 8 * 3 / 8 / 8)
    )
    # two targets on one metric (appended because only named in targets): 2 <= cost <= 6 -> 5/8
    assert table.loc["transition_cost", "target"] == ">= 2 and <= 6"
    assert table.loc["transition_cost", "p_within_target"] == pytest.approx(5 / 8)
    # p_npv_savings_positive counts strictly positive: 3, 7, 2, 10 -> 4 of 8
    assert table.loc["p_npv_savings_positive", "mean"] == pytest.approx(0.5)
    assert table.loc["transition_months", "n_missing"] == 1
    assert table.loc["transition_months", "p50"] == pytest.approx(12.0)  # median of 7 values


def test_missing_metric_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="out.nope"):
        summarise(pd.DataFrame({"out.a": [1.0]}), ["nope"])


def test_all_missing_metric_gives_nan_statistics() -> None:
    samples = pd.DataFrame({"out.breakeven_month": [np.nan, np.nan]})
    table = summarise(samples, ["breakeven_month"]).set_index("metric")
    assert table["p50"].isna()["breakeven_month"]
    assert table.loc["breakeven_month", "n"] == 0
    assert table.loc["breakeven_month", "n_missing"] == 2
    assert table.loc["p_breakeven_within_horizon", "mean"] == 0.0


def test_headline_is_strict_json(known_table: pd.DataFrame) -> None:
    table = summarise(known_table, ["transition_months"], (Target("transition_months", 12.0),))
    data = headline(table)
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert set(back) == {
        "transition_months",
        "p_npv_savings_positive",
        "p_breakeven_within_horizon",
    }
    row = table.set_index("metric").loc["transition_months"]
    assert back["transition_months"]["p50"] == pytest.approx(row["p50"])
    assert back["transition_months"]["target"] == "<= 12"
    assert back["transition_months"]["n"] == 2_000
    assert "target" not in back["p_npv_savings_positive"]
    assert back["p_npv_savings_positive"]["p_within_target"] is None


# --------------------------------------------------------------------------- percentile SE


def test_percentile_se_matches_normal_asymptotics() -> None:
    # SE of the sample q-quantile ~ sqrt(q (1 - q) / n) / f(x_q) for a N(3, 2²) sample.
    n = 200_000
    x = np.random.default_rng(7).normal(3.0, 2.0, n)
    qs = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    density = stats.norm.pdf(stats.norm.ppf(qs, 3.0, 2.0), 3.0, 2.0)
    expected = np.sqrt(qs * (1 - qs) / n) / density
    np.testing.assert_allclose(percentile_se(x, qs), expected, rtol=0.1)


def test_percentile_se_close_to_bootstrap() -> None:
    rng = np.random.default_rng(11)
    x = rng.exponential(5.0, 2_000)
    qs = np.array([0.5, 0.9])
    boot = np.percentile(rng.choice(x, size=(1_000, x.size)), qs * 100, axis=1)
    boot_se = boot.std(axis=1, ddof=1)
    se = percentile_se(x, qs)
    np.testing.assert_allclose(se, boot_se, rtol=0.2)


def test_percentile_se_vectorised_nan_and_small_n() -> None:
    x = np.random.default_rng(3).normal(size=500)
    vec = percentile_se(x, [0.05, 0.5, 0.95])
    assert vec.shape == (3,)
    assert vec[1] == percentile_se(x, 0.5)
    assert percentile_se(np.append(x, [np.nan, np.nan]), 0.5) == percentile_se(x, 0.5)
    assert math.isnan(percentile_se(x[:50], 0.05))  # n·q = 2.5: interval leaves the sample
    assert math.isnan(percentile_se(np.array([]), 0.5))
    with pytest.raises(ValueError):
        percentile_se(x, 50)  # a fraction, not a percent


def test_too_few_iterations() -> None:
    assert too_few_iterations(200) == []
    low = too_few_iterations(199)
    assert len(low) == 2 and low[0].startswith("P5 ") and low[1].startswith("P95 ")
    assert "199" in low[0]
    tiny = too_few_iterations(30)
    assert [w.split()[0] for w in tiny] == ["P5", "P10", "P20", "P80", "P90", "P95"]
    assert too_few_iterations(5, percentiles=(0, 100)) == []


def test_enough_iterations_means_defined_percentile_se() -> None:
    # The warning threshold is consistent with percentile_se becoming defined.
    for n in (20, 100, 200, 1_000):
        x = np.arange(n, dtype=float)
        ok = [q for q in PERCENTILES if not too_few_iterations(n, (q,))]
        assert all(np.isfinite(percentile_se(x, q / 100)) for q in ok)


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_monotone_driver_and_constant_input() -> None:
    rng = np.random.default_rng(5)
    n = 1_000
    driver, noise = rng.uniform(0, 1, n), rng.normal(size=n)
    samples = pd.DataFrame(
        {
            "in.staffing.time_to_hire_days": noise,
            "in.vendor.cooperation": driver,
            "in.constant.value": np.full(n, 3.0),
            "out.transition_cost": np.exp(3 * driver),  # monotone increasing in the driver
            "out.npv_savings": -(driver**3),  # monotone decreasing
        }
    )
    inputs = ["staffing.time_to_hire_days", "vendor.cooperation", "constant.value"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = sensitivity(samples, inputs, ["transition_cost", "npv_savings"])
    assert list(table.columns) == ["output", "input", "spearman", "contribution", "rank"]
    assert list(table["output"]) == ["transition_cost"] * 3 + ["npv_savings"] * 3
    for output, sign in (("transition_cost", 1.0), ("npv_savings", -1.0)):
        part = table[table["output"] == output].set_index("input")
        top = part.loc["vendor.cooperation"]
        assert top["spearman"] == pytest.approx(sign)
        assert top["rank"] == 1
        assert top["contribution"] == pytest.approx(1.0, abs=0.01)
        assert part.loc["constant.value", "spearman"] == 0.0
        assert part["contribution"].sum() == pytest.approx(1.0)
        assert list(part["rank"]) == [1, 2, 3]


def test_sensitivity_matches_scipy_with_ties_and_nan_output() -> None:
    rng = np.random.default_rng(9)
    n = 400
    a = rng.integers(0, 5, n).astype(float)  # ties
    b = rng.normal(size=n)
    y = a + 2 * b + rng.normal(size=n)
    y[::7] = np.nan
    samples = pd.DataFrame({"in.a": a, "in.b": b, "out.y": y})
    table = sensitivity(samples, ["a", "b"], ["y"]).set_index("input")
    keep = ~np.isnan(y)
    for name, values in (("a", a), ("b", b)):
        expected = stats.spearmanr(values[keep], y[keep]).statistic
        assert table.loc[name, "spearman"] == pytest.approx(expected, rel=1e-10)
    rho2 = table["spearman"] ** 2
    np.testing.assert_allclose(table["contribution"], rho2 / rho2.sum())
    assert table.loc["b", "rank"] == 1  # |rho_b| > |rho_a|


def test_sensitivity_constant_output_gives_zero() -> None:
    samples = pd.DataFrame({"in.a": [1.0, 2.0, 3.0], "out.y": [5.0, 5.0, 5.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = sensitivity(samples, ["a"], ["y"])
    assert table["spearman"].tolist() == [0.0]
    assert table["contribution"].tolist() == [0.0]


# --------------------------------------------------------------------------- risk effects


def test_risk_effects_by_hand() -> None:
    samples = pd.DataFrame(
        {
            "risk.walkout": [1, 0, 1, 0, 0],
            "risk.freeze": [0, 0, 0, 0, 0],
            "out.transition_cost": [100.0, 10.0, 200.0, 20.0, 30.0],
            "out.transition_months": [12.0, 6.0, np.nan, 8.0, 10.0],
        }
    )
    table = risk_effects(samples, ["walkout", "freeze"]).set_index("risk")
    assert list(table.columns) == [
        "occurrence_rate",
        "occurrences",
        "transition_cost_with",
        "transition_cost_without",
        "transition_cost_effect",
        "transition_months_with",
        "transition_months_without",
        "transition_months_effect",
    ]
    walk = table.loc["walkout"]
    assert walk["occurrence_rate"] == pytest.approx(0.4)
    assert walk["occurrences"] == 2
    assert walk["transition_cost_with"] == pytest.approx(150.0)
    assert walk["transition_cost_without"] == pytest.approx(20.0)
    assert walk["transition_cost_effect"] == pytest.approx(130.0)
    assert walk["transition_months_with"] == pytest.approx(12.0)  # NaN ignored
    assert walk["transition_months_effect"] == pytest.approx(12.0 - 8.0)
    freeze = table.loc["freeze"]
    assert freeze["occurrence_rate"] == 0.0
    assert freeze["occurrences"] == 0
    assert pd.isna(freeze["transition_cost_with"])
    assert pd.isna(freeze["transition_cost_effect"])
    assert freeze["transition_cost_without"] == pytest.approx(72.0)


# --------------------------------------------------------------------------- monthly bands


def test_timeseries_bands_match_numpy() -> None:
    rng = np.random.default_rng(2)
    series = rng.gamma(2.0, 3.0, size=(300, 2, 12))
    table = timeseries_bands(series, ["backlog", "demand"])
    assert list(table.columns) == ["month", "series", "mean", "p10", "p50", "p90"]
    assert len(table) == 24
    backlog = table[table["series"] == "backlog"]
    assert backlog["month"].tolist() == list(range(1, 13))
    for q in (10, 50, 90):
        np.testing.assert_allclose(backlog[f"p{q}"], np.percentile(series[:, 0, :], q, axis=0))
    demand = table[table["series"] == "demand"]
    np.testing.assert_allclose(demand["mean"], series[:, 1, :].mean(axis=0))
    np.testing.assert_allclose(demand["p90"], np.percentile(series[:, 1, :], 90, axis=0))


def test_timeseries_bands_nan_float32_and_bad_names() -> None:
    series = np.arange(60, dtype=np.float32).reshape(10, 1, 6)
    series[0, 0, 0] = np.nan
    table = timeseries_bands(series, ["sla_compliance"])
    assert table["p50"].dtype == np.float64
    np.testing.assert_allclose(table["p50"], np.nanpercentile(series[:, 0, :], 50, axis=0))
    assert table.loc[0, "mean"] == pytest.approx(np.nanmean(series[:, 0, 0]))
    with pytest.raises(ValueError, match="names"):
        timeseries_bands(series, ["a", "b"])


# --------------------------------------------------------------------------- convergence


def test_key_quantiles_match_numpy(known_table: pd.DataFrame) -> None:
    metrics = ["transition_cost", "breakeven_month"]
    result = key_quantiles(known_table, metrics)
    assert result.shape == (2, 3)
    for i, metric in enumerate(metrics):
        expected = np.nanpercentile(known_table[f"out.{metric}"], [10, 50, 90])
        np.testing.assert_allclose(result[i], expected)


def test_has_converged_crafted_cases() -> None:
    previous = np.array([[8.0, 10.0, 14.0], [-200.0, 1000.0, 3000.0]])
    # every quantile moved by less than 1% of its P50 (0.1 months, 10 EUR)
    close = previous + np.array([[0.09, -0.09, 0.05], [9.0, -9.0, 9.9]])
    assert has_converged(previous, close, 0.01)
    # one P90 moved by 11 EUR > 1% of 1000
    far = close.copy()
    far[1, 2] = previous[1, 2] + 11.0
    assert not has_converged(previous, far, 0.01)
    assert has_converged(previous, far, 0.02)
    # scale is |P50|, so a negative P50 works too
    neg = np.array([[-3000.0, -1000.0, -200.0]])
    assert has_converged(neg, neg + 9.0, 0.01)
    assert not has_converged(neg, neg + 11.0, 0.01)


def test_has_converged_zero_p50_floor_and_nan() -> None:
    zero = np.array([[0.0, 0.0, 2.0]])
    assert has_converged(zero, zero.copy(), 0.01)  # floor: unchanged zeros converge
    assert not has_converged(zero, zero + 0.001, 0.01)  # P50 = 0 -> scale is the tiny floor
    assert has_converged(zero, zero + 0.001, 0.01, floor=1.0)
    nan = np.array([[np.nan, np.nan, np.nan]])
    assert has_converged(nan, nan.copy(), 0.01)  # no data yet in either batch
    assert not has_converged(nan, zero, 0.01)
    with pytest.raises(ValueError):
        has_converged(zero, np.zeros((2, 3)), 0.01)


def test_convergence_check_on_growing_sample() -> None:
    rng = np.random.default_rng(17)
    big = pd.DataFrame({"out.transition_months": rng.normal(12, 2, 40_000)})
    check = ConvergenceCheck(metrics=("transition_months", "npv_savings"), tolerance=0.01)
    assert check.present(big.columns) == ["transition_months"]
    first = check.quantiles(big.iloc[:20_000])
    second = check.quantiles(big)
    assert check.converged(first, second)  # SE of P10 at n=20k is ~0.02 months << 0.12
    tiny_first = check.quantiles(big.iloc[:10])
    tiny_second = check.quantiles(big.iloc[:20])
    assert not ConvergenceCheck(tolerance=0.001).converged(tiny_first, tiny_second)
