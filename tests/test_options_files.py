"""Options and output files that were accepted but wrong: float options that are NaN or inf,
options that only mean something with ``--iterations auto``, bad values that did not name their
option, ``trace`` of an ``--iterations auto`` run, seeds above 2**53, monthly series that
overflow float32, JSON with ``Infinity``, and messages without a reason. Through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from simulation.cli import FiniteFloatRange, main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _error_lines(result: Result, code: int = 1) -> list[str]:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return [line for line in result.output.splitlines() if line.strip()]


def _strict_json(path: Path) -> Any:
    """Parse a JSON file the way strict readers do: NaN / Infinity tokens are errors."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{path} holds {token}")

    return json.loads(path.read_text(), parse_constant=refuse)


def _scenario(folder: Path, name: str = "s.toml", seed: int | None = 1, extra: str = "") -> Path:
    text = MINIMAL.read_text()
    text = text.replace("seed = 1\n", f"seed = {seed}\n" if seed is not None else "")
    path = folder / name
    path.write_text(text + extra)
    return path


# 1. Float options, auto-only options, option names -------------------------------------------


def _all_commands() -> list[click.Command]:
    ctx = click.Context(main)
    commands = [main.get_command(ctx, name) for name in main.list_commands(ctx)]
    return [c for c in commands if c is not None]


def test_every_float_option_of_every_command_refuses_nan_and_inf() -> None:
    floats = [
        (command.name, param.name)
        for command in _all_commands()
        for param in command.params
        if isinstance(param.type, click.types.FloatParamType)
    ]
    assert ("run", "tolerance") in floats
    for command in _all_commands():
        for param in command.params:
            if isinstance(param.type, click.types.FloatParamType):
                assert isinstance(param.type, FiniteFloatRange), (command.name, param.name)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400", "Infinity"])
def test_tolerance_must_be_finite(tmp_path: Path, value: str) -> None:
    result = _invoke("run", MINIMAL, "-n", "auto", "--tolerance", value, "--out", tmp_path / "r")
    lines = _error_lines(result, code=2)
    assert (
        lines[-1]
        == f"Error: Invalid value for '--tolerance': must be a finite number, got '{value}'"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--tolerance", "0.05"], "--tolerance"),
        (["--tolerance", "0.01"], "--tolerance"),  # the default's value, but given
        (["--max-iterations", "500"], "--max-iterations"),
        (["-n", "10", "--max-iterations", "50000"], "--max-iterations"),
        (["-n", "10", "--tolerance", "0.2", "--max-iterations", "9"], "--tolerance"),
    ],
)
def test_auto_only_options_are_refused_without_auto(
    tmp_path: Path, args: list[str], option: str
) -> None:
    result = _invoke("run", MINIMAL, *args, "--out", tmp_path / "r")
    assert _error_lines(result) == [
        f"error: {option} is only used with --iterations auto; add --iterations auto or leave "
        f"{option} out"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "value", "reason"),
    [
        ("run", "0", "must be within 1..2,000,000, got 0"),
        ("run", "-5", "must be within 1..2,000,000, got -5"),
        ("run", "2000001", "must be within 1..2,000,000, got 2,000,001"),
        ("run", "ten", "must be a whole number or 'auto', got 'ten'"),
        ("inputs", "0", "0 is not in the range 1<=x<=2000000"),
        ("trace", "0", "0 is not in the range 1<=x<=2000000"),
        ("compare", "0", "0 is not in the range 1<=x<=2000000"),
        ("sweep", "0", "0 is not in the range 1<=x<=2000000"),
    ],
)
def test_a_bad_iteration_count_names_its_option(command: str, value: str, reason: str) -> None:
    args = {
        "trace": ["--iteration", "0"],
        "compare": [MINIMAL],
        "sweep": ["--set", "staffing.target_agents=4,5"],
    }.get(command, [])
    result = _invoke(command, MINIMAL, *args, "-n", value)
    lines = _error_lines(result, code=2)
    assert lines[-1].startswith("Error: Invalid value for '--iterations' / '-n': "), lines
    assert reason in lines[-1]


# 2. trace of an --iterations auto run ----------------------------------------------------------


def _trace_scalars(output: str) -> dict[str, float]:
    """``name = value`` lines of the scalar outputs (not the indented input lines)."""
    out = {}
    for line in output.splitlines():
        found = re.fullmatch(r"([a-z_]+) = (\S+)", line)
        if found:
            out[found.group(1)] = float(found.group(2))
    return out


# 3. Seeds above 2**53 --------------------------------------------------------------------------


# 9. Monthly series beyond float32, strict JSON ----------------------------------------------------


# 10. Messages -------------------------------------------------------------------------------------
