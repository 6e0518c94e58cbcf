"""Benchmark `simulate run` on it_helpdesk: iterations/s with 1 and 2 jobs, parallel efficiency,
the bare-SimPy floor for the model's event count, the Monte Carlo layer's own overhead, and the
whole command (all outputs and charts) for 10,000 iterations with 2 jobs.

Usage: python scripts/bench_run.py [--iterations 10000] [--quick]
Each figure is printed; nothing is asserted (targets live in the issues and the closing notes).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
HELPDESK = ROOT / "scenarios" / "it_helpdesk.toml"


def bare_simpy_seconds(events: int) -> float:
    """Time SimPy needs to process ``events`` timeouts in one empty process (the floor)."""
    env = simpy.Environment()

    def proc(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(events):
            yield env.timeout(1)

    env.process(proc(env))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def model_figures(n: int) -> None:
    from simulation.engine import _Worker
    from simulation.sampling import draw_inputs
    from simulation.scenario import load_scenario

    sc = load_scenario(HELPDESK)
    matrix = draw_inputs(sc.inputs, sc.uncertain, sc.correlations, n, 1, sc.sampler)
    worker = _Worker(sc, matrix, 1)
    worker.run_range(0, min(n, 20))  # warm-up
    t0 = time.perf_counter()
    worker.run_range(0, n)
    per_iter = (time.perf_counter() - t0) / n
    events = []
    for i in range(min(n, 50)):
        res = worker.run_one(i)
        events.append(res.scalars.get("simpy_events", np.nan))
    ev = float(np.nanmean(events)) if np.isfinite(events).any() else float("nan")
    print(f"model: {per_iter * 1e3:.2f} ms/iteration (serial, incl. input building)")
    if np.isfinite(ev):
        floor = bare_simpy_seconds(int(ev * 200)) / 200
        print(
            f"model: {ev:.0f} SimPy events/iteration; bare-SimPy floor {floor * 1e3:.3f} ms "
            f"-> model = {per_iter / floor:.1f}x the floor"
        )


def engine_figures(n: int) -> None:
    from simulation.engine import simulate
    from simulation.scenario import load_scenario

    sc = load_scenario(HELPDESK)
    rates = {}
    for jobs in (1, 2):
        t0 = time.perf_counter()
        simulate(sc, n, seed=1, jobs=jobs)
        wall = time.perf_counter() - t0
        rates[jobs] = n / wall
        print(f"engine, {jobs} job(s): {n:,} iterations in {wall:.2f} s = {rates[jobs]:,.0f} it/s")
    print(f"parallel efficiency 1 -> 2 processes: {rates[2] / (2 * rates[1]):.0%}")


def command_figures(n: int) -> None:
    exe = Path(sys.executable).with_name("simulate")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [
            str(exe),
            "run",
            str(HELPDESK),
            "-n",
            str(n),
            "--jobs",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        charts = len(list((out / "charts").glob("*.png")))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"`simulate run` {n:,} iterations, 2 jobs, all outputs + {charts} charts + report: "
        f"{wall:.1f} s wall; peak RSS of a process {usage.ru_maxrss / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 iterations for the engine")
    args = parser.parse_args()
    model_figures(500)
    engine_figures(1000 if args.quick else args.iterations)
    command_figures(args.iterations)


if __name__ == "__main__":
    main()
