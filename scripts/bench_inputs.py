"""Benchmark `simulate inputs`: 100,000 iterations of a scenario with 30 uncertain inputs and 5
correlations (target: under 2 s for the whole command, Python start-up included).

Usage: python scripts/bench_inputs.py [--iterations 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXTRA = """
[[correlations]]
between = ["phases.evaluation_weeks", "phases.planning_weeks"]
rank = 0.3

[[correlations]]
between = ["demand.tickets_per_day", "staffing.recruiting_cost_per_hire"]
rank = 0.5

[[correlations]]
between = ["knowledge.transfer_days_per_domain", "knowledge.rediscovery_days_per_domain"]
rank = 0.6
"""


def build_scenario(folder: Path) -> Path:
    """it_helpdesk with exactly 30 uncertain inputs and 5 correlations.

    The shipped file has 32 uncertain inputs and 2 correlations: the hiring-freeze risk (two
    inputs) is dropped and three correlations are added. The count is checked.
    """
    text = (ROOT / "scenarios" / "it_helpdesk.toml").read_text()
    start = text.index('[[risks]]\nname = "hiring_freeze"')
    end = text.index("[[risks]]", start + 10)
    text = text[:start] + text[end:]
    path = folder / "bench.toml"
    path.write_text(text + EXTRA)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=100_000)
    args = parser.parse_args()
    from simulation.sampling.designs import draw_inputs
    from simulation.scenario.reader import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = build_scenario(Path(tmp))
        sc = load_scenario(path)
        if (len(sc.uncertain), len(sc.correlations)) != (30, 5):
            raise SystemExit(f"bench scenario drifted: {len(sc.uncertain)} inputs")
        print(f"uncertain inputs: {len(sc.uncertain)}, correlations: {len(sc.correlations)}")
        t0 = time.perf_counter()
        draw_inputs(sc.inputs, sc.uncertain, sc.correlations, args.iterations, 1, "lhs")
        print(f"draw_inputs, {args.iterations:,} iterations: {time.perf_counter() - t0:.3f} s")
        exe = Path(sys.executable).with_name("simulate")
        cmd = [str(exe), "inputs", str(path), "--iterations", str(args.iterations), "--seed", "1"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"`simulate inputs` command, wall incl. start-up: {time.perf_counter() - t0:.3f} s")
        csv = Path(tmp) / "m.csv"
        t0 = time.perf_counter()
        subprocess.run([*cmd, "--csv", str(csv)], check=True, stdout=subprocess.DEVNULL)
        print(
            f"... with --csv (writes {csv.stat().st_size / 1e6:.0f} MB): "
            f"{time.perf_counter() - t0:.3f} s"
        )


if __name__ == "__main__":
    main()
