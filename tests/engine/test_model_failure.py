"""A model failure in one iteration stops the run with the iteration, its inputs and the command
that reproduces it; no partial results folder is left."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulation.cli import main
from simulation.engine import worker as backends

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"


def test_failure_names_iteration_inputs_and_reproduction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backends.run_programme
    calls = {"n": 0}

    def flaky(inputs, rng, record_events=False):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:  # the fourth iteration run in this process: iteration 3
            raise ZeroDivisionError("division by zero")
        return real(inputs, rng, record_events=record_events)

    monkeypatch.setattr(backends, "run_programme", flaky)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["run", str(MINIMAL), "-n", "10", "--seed", "4", "--jobs", "1", "--out", str(out)],
    )
    assert result.exit_code == 1
    text = result.output
    assert "the model failed in iteration 3: division by zero" in text
    assert "staffing.time_to_hire_days = " in text
    assert f"simulate trace {MINIMAL} --iteration 3 --seed 4 --iterations 10" in text
    assert "Traceback" not in text
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_non_finite_scalar_output_is_refused_naming_its_iteration_and_output() -> None:
    """The check every run and the ranking's re-runs share: a NaN break-even means "never"
    and passes; any other non-finite scalar, in all outputs or in the columns asked for,
    is refused naming its iteration and output."""
    import numpy as np

    from simulation.engine.run import make_worker
    from simulation.errors import ModelError
    from simulation.model import SCALAR_NAMES
    from simulation.sampling.designs import draw_inputs
    from simulation.scenario.reader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "minimal.toml")
    worker = make_worker(sc, draw_inputs(sc.inputs, sc.uncertain, sc.correlations, 4, 1), 1)
    every = range(len(SCALAR_NAMES))
    scalars = np.zeros((2, len(SCALAR_NAMES)))
    scalars[1, SCALAR_NAMES.index("breakeven_month")] = np.nan
    worker._check_scalars([2, 3], scalars, every)
    scalars[1, SCALAR_NAMES.index("transition_cost")] = np.inf
    with pytest.raises(ModelError, match=r"iteration 3: output transition_cost is inf"):
        worker._check_scalars([2, 3], scalars, every)
    columns = [SCALAR_NAMES.index("transition_months"), SCALAR_NAMES.index("transition_cost")]
    picked = np.array([[1.0, 2.0], [np.nan, 3.0]])
    with pytest.raises(ModelError, match=r"iteration 3: output transition_months is nan"):
        worker._check_scalars([2, 3], picked, columns)
