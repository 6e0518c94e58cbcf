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
