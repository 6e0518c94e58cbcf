"""Common random numbers by construction: each input's column depends only on its own name."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from simulation.distributions.families import Distribution
from simulation.distributions.parsing import parse_distribution
from simulation.sampling.designs import (
    draw_inputs,
    input_stream,
    lhs_column,
    named_percentiles,
    stable_int,
)
from simulation.scenario.types import Correlation

DISTS: dict[str, Distribution] = {
    "staffing.time_to_hire_days": parse_distribution(
        {"dist": "pert", "min": 20, "mode": 40, "max": 90}
    ),
    "vendor.notice_months": parse_distribution({"dist": "uniform", "low": 2, "high": 6}),
    "phases.planning_weeks": parse_distribution(
        {"dist": "triangular", "min": 2, "mode": 4, "max": 9}
    ),
    "demand.tickets_per_day": parse_distribution({"dist": "normal", "mean": 300, "sd": 30}),
    "risks.walkout.occurs": parse_distribution({"dist": "bernoulli", "p": 0.3}),
}
ALL = tuple(DISTS)


def test_stable_int_is_sha256_prefix() -> None:
    name = "staffing.time_to_hire_days"
    expected = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    assert stable_int(name) == expected
    assert stable_int("a") != stable_int("b")


@pytest.mark.parametrize("sampler", ["lhs", "random"])
def test_same_input_same_column_whatever_the_other_inputs(sampler: str) -> None:
    full = draw_inputs(DISTS, ALL, (), 500, seed=11, sampler=sampler)
    # fewer inputs, another order, an extra input: every shared column is identical
    others = [
        ALL[:1],
        ALL[::-1],
        ("staffing.time_to_hire_days", "phases.planning_weeks"),
        ALL[1:],
    ]
    for names in others:
        m = draw_inputs(DISTS, names, (), 500, seed=11, sampler=sampler)
        for name in names:
            assert np.array_equal(m.column(name), full.column(name)), (names, name)


def test_lhs_column_is_a_stratified_draw_of_its_own_stream() -> None:
    n = 400
    u = named_percentiles(n, ["vendor.notice_months"], "lhs", seed=5)[:, 0]
    expected = lhs_column(n, input_stream(5, "vendor.notice_months"))
    assert np.array_equal(u, expected)
    assert np.array_equal(np.sort(np.floor(u * n).astype(int)), np.arange(n))
    # the stream is SeedSequence(seed, spawn_key=(0, stable_int(name))), built independently
    rng = np.random.default_rng(
        np.random.SeedSequence(5, spawn_key=(0, stable_int("vendor.notice_months")))
    )
    assert np.array_equal(u, (rng.permutation(n) + rng.random(n)) / n)


def test_random_sampler_column_is_its_stream() -> None:
    u = named_percentiles(50, ["a.b", "c.d"], "random", seed=3)
    assert np.array_equal(u[:, 1], input_stream(3, "c.d").random(50))


def test_seed_and_name_both_matter() -> None:
    a = named_percentiles(100, ["a.b"], "lhs", seed=1)
    assert not np.array_equal(a, named_percentiles(100, ["a.b"], "lhs", seed=2))
    assert not np.array_equal(a, named_percentiles(100, ["a.c"], "lhs", seed=1))


def test_correlated_columns_shared_when_correlations_are_the_same() -> None:
    corr = (Correlation("staffing.time_to_hire_days", "phases.planning_weeks", 0.7),)
    full = draw_inputs(DISTS, ALL, corr, 2000, seed=4)
    names = ("phases.planning_weeks", "demand.tickets_per_day", "staffing.time_to_hire_days")
    part = draw_inputs(DISTS, names, corr, 2000, seed=4)
    for name in names:
        assert np.array_equal(part.column(name), full.column(name)), name
    # the uncorrelated columns are exactly the uncorrelated draw
    plain = draw_inputs(DISTS, ALL, (), 2000, seed=4)
    assert np.array_equal(full.column("vendor.notice_months"), plain.column("vendor.notice_months"))
    # the correlated ones are permutations of their uncorrelated draw
    for name in ("staffing.time_to_hire_days", "phases.planning_weeks"):
        assert np.array_equal(np.sort(full.column(name)), np.sort(plain.column(name)))
        assert not np.array_equal(full.column(name), plain.column(name))


def test_sobol_is_a_joint_design() -> None:
    # documented: no CRN guarantee across different input lists with sobol
    a = draw_inputs(DISTS, ALL, (), 256, seed=2, sampler="sobol")
    b = draw_inputs(DISTS, ALL, (), 256, seed=2, sampler="sobol")
    assert np.array_equal(a.values, b.values)
