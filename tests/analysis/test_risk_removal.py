"""Risk-removal ranking: switching each risk off with common random numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation import load_scenario
from simulation.analysis.risk_removal import COLUMNS, risk_removal, without_risk
from simulation.distributions.families import Fixed
from simulation.engine.run import simulate
from simulation.model import SCALAR_NAMES
from simulation.scenario.run_options import RunOptions

SCENARIO = """
[scenario]
name = "risky"
horizon_months = 24
discount_rate = 0.05

[simulation]
iterations = 60
seed = 5
variability = "none"

[vendor]
agents = 4
tickets_per_agent_day = 10
notice_months = 2
monthly_fee = 20000

[phases]
evaluation_weeks = 2
negotiation_weeks = { dist = "triangular", min = 2, mode = 4, max = 8 }
planning_weeks = 4

[demand]
tickets_per_day = 30

[staffing]
target_agents = 4
time_to_hire_days = { dist = "pert", min = 10, mode = 20, max = 40 }
tickets_per_agent_day = 10
salary_per_year = { dist = "uniform", low = 40000, high = 60000 }

[knowledge]
domains = 4

[costs]
one_off_tooling = 1000

[[risks]]
name = "licence_shock"
probability = 0.5
adds_to = "costs.one_off_tooling"
impact = 50000

[[risks]]
name = "never"
probability = 0
event = "staff_loss"
agents = 2
"""

COST = SCALAR_NAMES.index("transition_cost")


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("risk") / "risky.toml"
    path.write_text(SCENARIO)
    return load_scenario(path)


@pytest.fixture(scope="module")
def baseline(risky):  # type: ignore[no-untyped-def]
    return simulate(risky, RunOptions(60, seed=5, jobs=1))


def test_without_risk_fixes_occurs_at_zero(risky) -> None:  # type: ignore[no-untyped-def]
    off = without_risk(risky, "licence_shock")
    assert off.inputs["risks.licence_shock.occurs"] == Fixed(0.0)
    assert "risks.licence_shock.occurs" in risky.uncertain
    assert "risks.licence_shock.occurs" not in off.uncertain
    with pytest.raises(KeyError):
        without_risk(risky, "nonexistent")


def test_removing_a_costly_risk_never_raises_cost(risky, baseline) -> None:  # type: ignore[no-untyped-def]
    off = simulate(without_risk(risky, "licence_shock"), RunOptions(60, seed=5, jobs=1))
    occurred = baseline.risks[:, 0] == 1
    assert 0 < occurred.sum() < 60
    diff = baseline.scalars[:, COST] - off.scalars[:, COST]
    # paired: iterations where the shock struck cost exactly its impact more, the others the same
    np.testing.assert_allclose(diff[occurred], 50000.0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(diff[~occurred], 0.0, rtol=0, atol=1e-6)
    table = risk_removal(risky, baseline, jobs=1).set_index("risk")
    row = table.loc["licence_shock"]
    assert row["p80_transition_cost_change"] <= 0
    assert row["p80_transition_cost_base"] == pytest.approx(
        np.percentile(baseline.scalars[:, COST], 80)
    )
    assert row["p80_transition_cost_without"] == pytest.approx(
        np.percentile(off.scalars[:, COST], 80)
    )


def test_a_risk_that_never_occurs_changes_nothing(risky, baseline) -> None:  # type: ignore[no-untyped-def]
    table = risk_removal(risky, baseline, jobs=1)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["risk"]) == ["licence_shock", "never"]  # most valuable removal first
    never = table.set_index("risk").loc["never"]
    assert never["p80_transition_cost_change"] == 0.0
    assert never["p80_transition_months_change"] == 0.0
    # and running it explicitly gives the baseline, iteration by iteration
    off = simulate(without_risk(risky, "never"), RunOptions(60, seed=5, jobs=1))
    assert np.array_equal(off.scalars, baseline.scalars, equal_nan=True)


def test_iterations_or_baseline_give_the_same_table(risky, baseline) -> None:  # type: ignore[no-untyped-def]
    from_raw = risk_removal(risky, baseline, jobs=1)
    from_n = risk_removal(risky, 60, seed=5, jobs=1)
    assert from_raw.equals(from_n)
    with pytest.raises(ValueError, match="differs from the baseline's seed"):
        risk_removal(risky, baseline, seed=6, jobs=1)


def test_the_ranked_outputs_are_final_once_the_transition_ended() -> None:
    """The ranking's re-runs pause after cutover only if every ranked output is fixed once the
    transition has ended (``ChunkWorker.run_final_at_end``); another output would still be
    right, but every re-run would go on to the horizon, twice as slow."""
    from simulation.analysis.risk_removal import OUTPUTS
    from simulation.model.outcomes import FINAL_AT_END

    assert set(OUTPUTS) <= set(FINAL_AT_END)


def test_rerunning_only_struck_iterations_equals_a_full_rerun() -> None:
    """Common random numbers make an iteration the risk did not strike identical to the
    baseline's, so re-running only the struck ones (with the risk's occurrence fixed at 0 on
    the baseline's own matrix) gives exactly the full re-run's outputs, in process and pooled."""
    from pathlib import Path

    import numpy as np

    from simulation.analysis.risk_removal import (
        OUTPUTS,
        _rows_are_shared,
        _struck_reruns,
        _struck_rows,
        without_risk,
    )
    from simulation.engine.run import simulate
    from simulation.engine.worker import WorkerSpec
    from simulation.scenario.reader import load_scenario
    from simulation.scenario.run_options import RunOptions

    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "scenarios" / "it_helpdesk.toml")
    base = simulate(scenario, RunOptions(40, seed=3, jobs=1))
    risks = scenario.risks
    assert all(_rows_are_shared(scenario, r.path("occurs"), "lhs") for r in risks)
    rows_of = [_struck_rows(base, scenario, r) for r in risks]
    spec = WorkerSpec(scenario, base.inputs, base.seed, "lhs")
    columns = [SCALAR_NAMES.index(o) for o in OUTPUTS]
    for jobs in (1, 2):  # in process, and one pool for all risks
        tables = [base.scalars[:, columns].copy() for _ in risks]
        seen = [0] * len(risks)
        for r, rows, outputs in _struck_reruns(spec, risks, rows_of, jobs):
            tables[r][rows] = outputs
            seen[r] += rows.size
        assert seen == [rows.size for rows in rows_of]
        for risk, table in zip(risks, tables, strict=True):
            full = simulate(
                without_risk(scenario, risk.name), RunOptions(40, seed=3, jobs=1)
            ).scalars
            assert np.array_equal(table, full[:, columns], equal_nan=True), (risk.name, jobs)
    assert len(risks) >= 6 and sum(seen) > 0  # it_helpdesk's register, struck in this sample


def test_the_progress_bar_says_how_many_risks_are_left(
    risky, baseline, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The command line's ranking bar names the risks left to re-run, down to none."""
    import io

    import simulation.cli.support as cli_support

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr(cli_support.sys, "stderr", err)
    start = cli_support.progress_bars(False)
    assert start is not None
    start(60)  # the simulation's bar
    risk_removal(risky, baseline, jobs=1, progress=start)
    shown = err.getvalue()
    assert "ranking risks (1 of 1 left)" in shown
    assert "ranking risks (0 of 1 left)" in shown

    texts: list[str] = []

    class Tick:
        def __call__(self, n: int) -> None:
            pass

        def describe(self, text: str) -> None:
            texts.append(text)

    helpdesk = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "it_helpdesk.toml")
    base = simulate(helpdesk, RunOptions(40, seed=3, jobs=1))
    risk_removal(helpdesk, base, jobs=1, progress=lambda total: Tick())
    n = len(helpdesk.risks)
    assert texts == [f"ranking risks ({k} of {n} left)" for k in range(n, -1, -1)]
