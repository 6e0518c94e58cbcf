"""Regenerate the golden summaries of the shipped scenarios (``tests/golden/<stem>.json``).

Each shipped scenario (every ``scenarios/*.toml``) is run at a small fixed iteration count and
seed, in one process, and the P10/P50/P90 and mean of the key outputs and every target
probability are written to ``tests/golden/<stem>.json``. ``tests/test_shipped_scenarios.py``
re-runs the scenarios the same way and compares with these files within tolerances.

Run this only when a scenario or the model changes on purpose, and review the differences:

    .venv/bin/python scripts/make_golden.py            # every shipped scenario
    .venv/bin/python scripts/make_golden.py payroll_bpo  # only some (by file stem)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
GOLDEN = ROOT / "tests" / "golden"

#: Small and fixed, so the test suite can re-run every scenario in a few seconds.
ITERATIONS = 200
SEED = 1
JOBS = 1

#: Outputs whose P10 / P50 / P90 and mean are kept (units: months, currency, tickets).
KEY_OUTPUTS: tuple[str, ...] = (
    "transition_months",
    "transition_cost",
    "npv_savings",
    "cutover_month",
    "peak_backlog",
)
STATS: tuple[str, ...] = ("mean", "p10", "p50", "p90")
#: Probabilities reported as rows of the summary (their value is in the ``mean`` column).
PROBABILITY_ROWS: tuple[str, ...] = ("p_npv_savings_positive", "p_breakeven_within_horizon")


def shipped_scenarios() -> list[Path]:
    """Every shipped scenario file, sorted by name."""
    return sorted(SCENARIOS.glob("*.toml"))


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def golden_summary(path: Path, iterations: int = ITERATIONS, seed: int = SEED) -> dict[str, Any]:
    """Run ``path`` (``jobs = 1``) and return its golden summary as a JSON-ready dict.

    ``outputs``: ``{metric: {mean, p10, p50, p90}}`` for :data:`KEY_OUTPUTS`; ``targets``:
    ``{metric: probability of meeting its [targets] entry}`` plus :data:`PROBABILITY_ROWS`.
    """
    from simulation.api import run

    return summary_of(run(path, iterations, seed=seed, jobs=JOBS), path, iterations, seed)


def summary_of(res: Any, path: Path, iterations: int, seed: int) -> dict[str, Any]:
    """The golden summary of a finished run (a :class:`simulation.results.types.Results`)."""
    table = res.summary.set_index("metric")
    outputs = {
        m: {s: _number(table.loc[m, s]) for s in STATS} for m in KEY_OUTPUTS if m in table.index
    }
    targets: dict[str, float | None] = {}
    for metric, row in table.iterrows():
        if isinstance(row.get("target"), str) and row["target"]:
            targets[f"{metric} {row['target']}"] = _number(row["p_within_target"])
    for name in PROBABILITY_ROWS:
        if name in table.index:
            targets[name] = _number(table.loc[name, "mean"])
    return {
        "scenario": path.name,
        "iterations": iterations,
        "seed": seed,
        "jobs": JOBS,
        "outputs": outputs,
        "targets": targets,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stems", nargs="*", help="scenario file stems (default: all shipped)")
    args = parser.parse_args(argv)
    paths = shipped_scenarios()
    if args.stems:
        known = {p.stem: p for p in paths}
        missing = [s for s in args.stems if s not in known]
        if missing:
            print(f"unknown scenario(s): {', '.join(missing)}", file=sys.stderr)
            return 1
        paths = [known[s] for s in args.stems]
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in paths:
        summary = golden_summary(path)
        out = GOLDEN / f"{path.stem}.json"
        out.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        p50 = summary["outputs"].get("transition_months", {}).get("p50")
        print(f"{out.relative_to(ROOT)}: transition_months P50 = {p50}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
