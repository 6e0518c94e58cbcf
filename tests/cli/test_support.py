"""What the running commands share (:mod:`simulation.cli.support`): ``compare`` and ``sweep``
reserve their output folder before they run and, through ``run_into_folder``, release it when
the work fails or is interrupted, so that nothing is left where the user pointed them. Through
the real CLI, on scenarios/minimal.toml with a few iterations."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import simulation.analysis.compare
from simulation.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
FAST = ("-n", "20", "--seed", "1", "-j", "1")


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _left(folder: Path) -> list[str]:
    """Everything below ``folder``, hidden staging folders included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_sweep_refused_after_its_folder_was_reserved_leaves_nothing(tmp_path: Path) -> None:
    """The settings are checked inside the work (a team target above the response layer's cap
    of 6 agents in minimal.toml): one line naming the setting, exit 1, no folder."""
    out = tmp_path / "out" / "sweep"
    result = _invoke("sweep", MINIMAL, "--set", "staffing.target_agents=9", *FAST, "--out", out)
    assert result.exit_code == 1, result.output
    assert "error: --set staffing.target_agents=9: response.max_target_agents" in result.output
    assert "Traceback" not in result.output
    assert _left(tmp_path / "out") == []


def test_a_compare_refused_after_its_folder_was_reserved_leaves_nothing(tmp_path: Path) -> None:
    """Different currencies are found by the comparison itself, after the folder was reserved."""
    dollars = tmp_path / "dollars.toml"
    text = MINIMAL.read_text(encoding="utf-8")
    dollars.write_text(text.replace("[scenario]\n", '[scenario]\ncurrency = "USD"\n', 1))
    out = tmp_path / "out" / "cmp"
    result = _invoke("compare", MINIMAL, dollars, *FAST, "--no-report", "--out", out)
    assert result.exit_code == 1, result.output
    assert "error: the scenarios use different currencies (EUR, USD)" in result.output
    assert _left(tmp_path / "out") == []


def test_an_interrupted_compare_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the alternatives run: the group's message, exit 130, the reserved folder
    released."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation.analysis.compare, "compare", interrupted)
    out = tmp_path / "out" / "cmp"
    result = _invoke("compare", MINIMAL, MINIMAL, *FAST, "--no-report", "--out", out)
    assert result.exit_code == 130, result.output
    assert "interrupted: the run was stopped" in result.output
    assert _left(tmp_path / "out") == []


def test_a_finished_sweep_is_saved_where_asked_and_shown(tmp_path: Path) -> None:
    """With ``-q`` only the folder is printed; the staging folder became it (nothing beside)."""
    out = tmp_path / "out" / "sweep"
    sets = ("--set", "staffing.target_agents=3,4")
    result = _invoke("sweep", MINIMAL, *sets, *FAST, "--no-chart", "-q", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(out)
    assert (out / "sweep.csv").is_file() and (out / "sweep.json").is_file()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sweep"]
