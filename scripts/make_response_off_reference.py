"""Write the reference outputs that the switched-off management layer must reproduce.

``tests/data/pre_response/*.toml`` are the shipped scenarios as they were before the weekly
review and its levers entered the model (issue 14). This script runs each of them (200
iterations, seed 1, one process) and writes ``tests/data/pre_response/outputs.json``: per
scenario and scalar output, the SHA-256 of the output's column (float64 bytes in iteration
order), and the
``transition_cost`` column itself (its definition changed: it now also holds the termination and
extension costs).

It was run once on the model before issue 14 (commit 2ba326e); ``tests/model/test_response_off.py``
runs the same files with ``response.enabled = false`` on today's model and compares. Running it
again on today's model must give the same file, as long as the switched-off layer still
reproduces the old model.

    .venv/bin/python scripts/make_response_off_reference.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "data" / "pre_response"
OUT = FOLDER / "outputs.json"
ITERATIONS = 200
SEED = 1

#: The scalar outputs of the model before issue 14, in their order then.
OLD_SCALARS: tuple[str, ...] = (
    "cutover_month",
    "extension_months",
    "transition_months",
    "stabilised",
    "one_off_cost",
    "overlap_cost",
    "disruption_cost",
    "transition_cost",
    "backsourcing_npv",
    "status_quo_npv",
    "npv_savings",
    "breakeven_month",
    "peak_backlog",
    "tickets_breached",
    "sla_breach_weeks",
    "knowledge_lost_domains",
    "hires",
    "leavers",
    "notice_month",
    "planned_exit_month",
    "knowledge_transferred_domains",
    "ticket_days_beyond_sla",
    "mean_resolution_days",
    "termination_cost",
    "extension_cost",
)


def column_hash(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes()).hexdigest()


def outputs(path: Path) -> dict[str, np.ndarray]:
    """Every scalar output column of ``path`` run at the reference settings."""
    from simulation.engine.run import simulate
    from simulation.model import SCALAR_NAMES
    from simulation.scenario.reader import load_scenario
    from simulation.scenario.run_options import RunOptions

    raw = simulate(load_scenario(path), RunOptions(ITERATIONS, seed=SEED, jobs=1))
    return {name: raw.scalars[:, j] for j, name in enumerate(SCALAR_NAMES)}


def main() -> None:
    reference: dict[str, object] = {"iterations": ITERATIONS, "seed": SEED, "scenarios": {}}
    for path in sorted(FOLDER.glob("*.toml")):
        cols = outputs(path)
        reference["scenarios"][path.name] = {  # type: ignore[index]
            "hashes": {name: column_hash(cols[name]) for name in OLD_SCALARS},
            "transition_cost": cols["transition_cost"].tolist(),
        }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
