"""`simulate validate` and `simulate inputs` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from simulation.cli import main

ROOT = Path(__file__).resolve().parents[2]
HELPDESK = str(ROOT / "scenarios" / "it_helpdesk.toml")
MINIMAL = str(ROOT / "scenarios" / "minimal.toml")


def test_validate_ok() -> None:
    result = CliRunner().invoke(main, ["validate", HELPDESK, MINIMAL])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{HELPDESK}: OK", f"{MINIMAL}: OK"]


def test_validate_broken_lists_every_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        Path(MINIMAL)
        .read_text()
        .replace(
            'time_to_hire_days = { dist = "pert", min = 10',
            'time_to_hire_days = { dist = "pert", min = 30',
        )
        .replace("domains = 4", "domians = 4")
    )
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}: staffing.time_to_hire_days: min (30) must be <= mode (20)",
        f"{bad}: knowledge.domians: unknown key (did you mean 'domains'?)",
    ]
    assert "Traceback" not in result.output


def test_run_on_missing_file_is_a_clean_error() -> None:
    result = CliRunner().invoke(main, ["inputs", "does/not/exist.toml"])
    assert result.exit_code == 1
    assert "does/not/exist.toml: file not found" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_inputs_prints_each_uncertain_input_and_writes_csv(tmp_path: Path) -> None:
    csv = tmp_path / "m.csv"
    result = CliRunner().invoke(
        main, ["inputs", HELPDESK, "--iterations", "500", "--seed", "3", "--csv", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert "staffing.time_to_hire_days" in result.output
    assert "PERT" in result.output or "pert" in result.output
    frame = pd.read_csv(csv)
    assert len(frame) == 500
    assert "in.staffing.time_to_hire_days" in frame.columns
    # the sample is reproducible for the same seed
    again = tmp_path / "m2.csv"
    CliRunner().invoke(
        main, ["inputs", HELPDESK, "--iterations", "500", "--seed", "3", "--csv", str(again)]
    )
    assert csv.read_bytes() == again.read_bytes()


def test_help_lists_the_lazy_commands_without_importing_them() -> None:
    """`simulate --help` shows every command's summary but loads no heavy module (it took 1.5 s
    when listing imported fit, compare and sweep, with scipy, pandas and matplotlib)."""
    import subprocess
    import sys

    heavy = ("simulation.cli.fit", "simulation.cli.compare", "scipy", "pandas", "matplotlib")
    code = (
        "import sys\n"
        "from simulation.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("LOADED []"), out
    for name in ("compare", "fit", "inputs", "new", "report", "run", "sweep", "trace"):
        assert f"\n  {name} " in out


def test_lazy_command_summaries_match_their_docstrings() -> None:
    import importlib

    from simulation.cli.group import LazyGroup

    for name, (target, summary) in LazyGroup.lazy.items():
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert command.name == name
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert summary == first, name
