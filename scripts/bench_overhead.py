"""The Monte Carlo layer's own overhead per iteration, with a trivial model in place of the
transition model (it returns a precomputed result of the right shape at once).

Measured on it_helpdesk's inputs with 2 jobs (local process pool), split into: sampling (the
input matrix), the engine with the trivial model (per-iteration stream + values, dispatch of
index ranges, collection into the preallocated arrays), and the summary (every results table).
A second engine figure adds `build_inputs` (the scenario → model-parameter mapping of
simulation/model/inputs.py) to the trivial model, since the real model path pays it too.

Usage: python scripts/bench_overhead.py [--iterations 200000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping

import numpy as np

from simulation.model import SCALAR_NAMES, SERIES_NAMES, RunResult
from simulation.model.inputs import build_inputs
from simulation.scenario.reader import load_scenario
from simulation.scenario.types import Scenario

HORIZON = 60
_RESULT: RunResult | None = None
_SCENARIO: Scenario | None = None


def _constant_result() -> RunResult:
    global _RESULT
    if _RESULT is None:
        _RESULT = RunResult(
            scalars={k: 1.0 for k in SCALAR_NAMES},
            risks={},
            monthly={k: np.ones(HORIZON) for k in SERIES_NAMES},
        )
    return _RESULT


def trivial_model(values: Mapping[str, float], rng: np.random.Generator | None) -> RunResult:
    """No model at all: the same result every time (risk flags default to 0)."""
    return _constant_result()


def trivial_model_with_inputs(
    values: Mapping[str, float], rng: np.random.Generator | None
) -> RunResult:
    """As :func:`trivial_model`, after building the model parameters like the real path."""
    assert _SCENARIO is not None
    build_inputs(values, _SCENARIO.options, _SCENARIO.risks)
    return _constant_result()


def main() -> None:
    global _SCENARIO, HORIZON
    from simulation.engine.run import simulate
    from simulation.results.run_results import build_results
    from simulation.sampling.designs import draw_inputs
    from simulation.scenario.run_options import RunOptions

    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenario", default="scenarios/it_helpdesk.toml")
    args = parser.parse_args()
    n, jobs = args.iterations, args.jobs
    sc = load_scenario(args.scenario)
    _SCENARIO = sc
    HORIZON = int(sc.fixed_values()["scenario.horizon_months"])

    t0 = time.perf_counter()
    draw_inputs(sc.inputs, sc.uncertain, sc.correlations, n, 1, sc.sampler)
    t_sample = time.perf_counter() - t0

    simulate(sc, RunOptions(2000, seed=1, jobs=jobs), model=trivial_model)  # warm-up
    t0 = time.perf_counter()
    raw = simulate(sc, RunOptions(n, seed=1, jobs=jobs), model=trivial_model)
    t_engine = time.perf_counter() - t0  # includes its own sampling

    t0 = time.perf_counter()
    build_results(sc, raw, {})
    t_summary = time.perf_counter() - t0

    t0 = time.perf_counter()
    simulate(sc, RunOptions(n // 4, seed=1, jobs=jobs), model=trivial_model_with_inputs)
    t_inputs = time.perf_counter() - t0

    us = 1e6 / n
    print(f"Monte Carlo overhead, {n:,} iterations of {sc.name}, {jobs} jobs, trivial model:")
    print(f"  sampling (input matrix, {len(sc.uncertain)} inputs): {t_sample * us:6.2f} µs/it")
    print(
        f"  engine (sampling + streams + dispatch + collection): {t_engine * us:6.2f} µs/it "
        f"(dispatch + collection alone {(t_engine - t_sample) * us:.2f})"
    )
    print(f"  summary (all tables):                               {t_summary * us:6.2f} µs/it")
    total = (t_engine + t_summary) * us
    print(f"  total Monte Carlo layer:                            {total:6.2f} µs/it")
    print(
        f"  engine with build_inputs in the trivial model:      "
        f"{t_inputs * 4 * us:6.2f} µs/it (params.build_inputs is outside the engine)"
    )


if __name__ == "__main__":
    main()
