"""Benchmark of the input matrix: 100,000 iterations × 30 uncertain inputs, 5 rank correlations.

Prints the wall time of :func:`simulation.sampling.designs.draw_inputs` per sampler (best of
``--repeat``) and a per-family breakdown of the ``ppf`` time. Run: ``.venv/bin/python
scripts/bench_sampling.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulation.distributions.continuous import Pert
from simulation.distributions.families import Distribution
from simulation.distributions.parsing import parse_distribution
from simulation.sampling.designs import SAMPLERS, draw_inputs, uniform_percentiles
from simulation.scenario.types import Correlation

FAMILIES: tuple[tuple[str, dict[str, object]], ...] = (
    ("pert", {"dist": "pert", "min": 20, "mode": 40, "max": 90}),
    ("lognormal", {"dist": "lognormal", "p10": 30, "p90": 120}),
    ("normal_trunc", {"dist": "normal", "mean": 10, "sd": 2, "low": 5, "high": 15}),
    ("triangular", {"dist": "triangular", "min": 1, "mode": 3, "max": 8}),
    ("uniform", {"dist": "uniform", "low": 0.1, "high": 0.4}),
    ("discrete", {"dist": "discrete", "values": [1, 2, 3, 4], "weights": [1, 3, 2, 1]}),
)


def build_case(k: int = 30) -> tuple[dict[str, Distribution], list[str], list[Correlation]]:
    """``k`` inputs cycling through the families above, and 5 correlations among them."""
    inputs: dict[str, Distribution] = {}
    for i in range(k):
        family, table = FAMILIES[i % len(FAMILIES)]
        inputs[f"bench.{family}_{i}"] = parse_distribution(table)
    names = list(inputs)
    return inputs, names, correlations_for(names)


def correlations_for(names: list[str]) -> list[Correlation]:
    """Five rank correlations among the first 21 inputs."""
    pairs = [(0, 1, 0.6), (2, 3, -0.4), (4, 7, 0.5), (10, 11, 0.3), (12, 20, 0.7)]
    return [Correlation(names[a], names[b], r) for a, b, r in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--inputs", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs, names, correlations = build_case(args.inputs)
    n = args.iterations
    print(f"draw_inputs: {n:,} iterations x {len(names)} inputs, {len(correlations)} correlations")
    print("  (cold = fresh distribution objects, as in one CLI call; warm = objects reused)")
    for sampler in SAMPLERS:
        cold: list[float] = []
        warm: list[float] = []
        for rep in range(args.repeat):
            inputs, names, correlations = build_case(args.inputs)
            for times in (cold, warm):
                start = time.perf_counter()
                draw_inputs(inputs, names, correlations, n, seed=rep, sampler=sampler)
                times.append(time.perf_counter() - start)
        print(
            f"  {sampler:<7} cold: best {min(cold):6.3f} s, mean {np.mean(cold):6.3f} s   "
            f"warm: best {min(warm):6.3f} s"
        )
    worst = {
        f"bench.pert_{i}": Pert(10.0 + i, 20.0 + 2 * i, 60.0 + 3 * i) for i in range(len(names))
    }
    start = time.perf_counter()
    draw_inputs(worst, list(worst), correlations_for(list(worst)), n, seed=0, sampler="lhs")
    print(
        f"  worst case, all {len(worst)} inputs PERT (cold, lhs): "
        f"{time.perf_counter() - start:.3f} s"
    )
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    u = uniform_percentiles(n, len(names), "lhs", rng)
    print(f"  of which LHS percentiles alone: {time.perf_counter() - start:.3f} s")
    print("ppf time per column, by family (fresh object: includes any one-off set-up):")
    for family, table in FAMILIES:
        dist = parse_distribution(table)
        start = time.perf_counter()
        dist.ppf(u[:, 0])
        print(f"  {family:<13} {1000 * (time.perf_counter() - start):7.1f} ms")


if __name__ == "__main__":
    main()
