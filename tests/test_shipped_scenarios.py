"""Every shipped scenario validates, runs, and matches its golden summary within tolerances.

Golden summaries (``tests/golden/<stem>.json``) are written only by ``scripts/make_golden.py``:
each scenario at ``ITERATIONS`` iterations, ``SEED``, one job. On the same platform the re-run
reproduces them exactly; the tolerances below absorb harmless floating-point differences across
numpy / scipy versions (summation order, ppf implementations) without hiding a real change:

* ``REL = 2%`` of the larger magnitude, plus an absolute floor per kind of quantity:
  0.05 months, 1,000 currency units, 1 ticket, 0.01 probability (2 of 200 iterations).

A scenario added to ``scenarios/`` without a golden file fails ``test_every_scenario_has_golden``;
regenerate with ``.venv/bin/python scripts/make_golden.py <stem>`` and review the diff.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from simulation.cli import main as cli_main
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make_golden.py")
assert _spec is not None and _spec.loader is not None
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

SCENARIOS: list[Path] = make_golden.shipped_scenarios()
IDS = [p.stem for p in SCENARIOS]
GOLDEN: Path = make_golden.GOLDEN

REL = 0.02
ABS_FLOOR: dict[str, float] = {
    "transition_months": 0.05,
    "cutover_month": 0.05,
    "transition_cost": 1000.0,
    "npv_savings": 1000.0,
    "peak_backlog": 1.0,
}
PROB_FLOOR = 0.01

NEW_SCENARIOS = (
    "payroll_bpo",
    "app_maintenance",
    "datacenter_ops",
    "it_helpdesk_fixed_cutover",
    "it_helpdesk_phased",
)


@functools.cache
def _run(stem: str) -> Any:
    from simulation.api import run

    path = make_golden.SCENARIOS / f"{stem}.toml"
    return run(path, make_golden.ITERATIONS, seed=make_golden.SEED, jobs=make_golden.JOBS)


def _close(actual: float | None, expected: float | None, floor: float) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=floor)


def test_new_scenarios_are_shipped() -> None:
    assert set(NEW_SCENARIOS) <= set(IDS)


def test_every_scenario_has_golden() -> None:
    goldens = {p.stem for p in GOLDEN.glob("*.json")}
    missing = sorted(set(IDS) - goldens)
    stale = sorted(goldens - set(IDS))
    assert not missing, f"no golden summary for {missing}: run scripts/make_golden.py"
    assert not stale, f"golden summaries without a scenario: {stale}"


def test_cli_validates_every_shipped_scenario() -> None:
    result = CliRunner().invoke(cli_main, ["validate", *map(str, SCENARIOS)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK") == len(SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_scenario_loads(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.uncertain, "a shipped scenario should carry uncertainty"
    assert sc.targets


@pytest.mark.parametrize("stem", IDS)
def test_matches_golden(stem: str) -> None:
    golden = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    assert golden["iterations"] == make_golden.ITERATIONS
    assert golden["seed"] == make_golden.SEED
    path = make_golden.SCENARIOS / f"{stem}.toml"
    actual = make_golden.summary_of(_run(stem), path, golden["iterations"], golden["seed"])
    assert set(actual["outputs"]) == set(golden["outputs"])
    assert set(actual["targets"]) == set(golden["targets"])
    bad = []
    for metric, stats in golden["outputs"].items():
        for stat, expected in stats.items():
            got = actual["outputs"][metric][stat]
            if not _close(got, expected, ABS_FLOOR[metric]):
                bad.append(f"{metric}.{stat}: {got} != golden {expected}")
    for name, expected in golden["targets"].items():
        if not _close(actual["targets"][name], expected, PROB_FLOOR):
            bad.append(f"P({name}): {actual['targets'][name]} != golden {expected}")
    assert not bad, "\n".join(bad)


# Plausibility of the shipped scenarios (independent of the golden numbers) ----------------------


@pytest.mark.parametrize("stem", IDS)
def test_most_iterations_stabilise(stem: str) -> None:
    samples = _run(stem).samples
    assert samples["out.stabilised"].mean() >= 0.85
    # the transition can only end after cutover, and both within the horizon
    assert (samples["out.transition_months"] >= samples["out.cutover_month"]).all()


def test_payroll_goes_live_on_a_quarter_start() -> None:
    """Fixed cutover on month 12 (January), or 15 (April) when the window is missed."""
    samples = _run("payroll_bpo").samples
    cut = samples["out.cutover_month"].to_numpy()
    on_window = np.isclose(cut, 12.0) | np.isclose(cut, 15.0)
    assert on_window.mean() >= 0.95
    missed = samples["risk.missed_go_live_window"].to_numpy().astype(bool)
    assert np.all(cut[missed] >= 15.0 - 1e-9)
    assert (samples["out.extension_months"] == 0).all()


def test_fixed_cutover_never_extends() -> None:
    samples = _run("it_helpdesk_fixed_cutover").samples
    assert (samples["out.extension_months"] == 0).all()
    exit_ = samples["out.planned_exit_month"].to_numpy()
    assert np.allclose(samples["out.cutover_month"].to_numpy(), np.minimum(exit_, 60.0))


def test_phased_hires_more_and_is_more_ready_than_base() -> None:
    """Same seed, same iterations: the phased exit loses less knowledge and has a smaller P90
    peak backlog than the base it extends (common random numbers make this a paired check)."""
    base = _run("it_helpdesk").samples
    phased = _run("it_helpdesk_phased").samples
    assert phased["out.knowledge_lost_domains"].mean() <= base["out.knowledge_lost_domains"].mean()
    assert phased["out.peak_backlog"].quantile(0.9) < base["out.peak_backlog"].quantile(0.9)
