"""The optional compiled model (setup.py, ``SIMULATION_COMPILE=1``): what it compiles, what it
refuses, and how a run records which build it used. (The compiled build itself is checked by
``scripts/bench_compiled.py``: byte-identical outputs and the whole suite on it.)"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.model import build

ROOT = Path(__file__).resolve().parent.parent


def _compiled_list() -> tuple[str, ...]:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "COMPILED":
            return tuple(ast.literal_eval(node.value))  # type: ignore[arg-type]
    raise AssertionError("setup.py has no COMPILED list")


def test_every_compiled_module_exists_and_is_typed() -> None:
    names = _compiled_list()
    assert names and len(set(names)) == len(names)
    for name in names:
        source = ROOT / "simulation" / "model" / f"{name}.py"
        assert source.is_file(), name
        # mypyc checks annotations at run time: every function of a compiled module is typed
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.returns is not None or node.name == "__init__", (name, node.name)


def _setup(args: list[str], value: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIMULATION_COMPILE": value}
    return subprocess.run(
        [sys.executable, "setup.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_editable_compiled_install_is_refused() -> None:
    done = _setup(["editable_wheel", "--dist-dir", "/nonexistent"], "1")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "error: SIMULATION_COMPILE=1 needs a regular install (pip install .), not an editable "
        "one (pip install -e .): a compiled module would hide every edit to its .py file"
    )


@pytest.mark.parametrize("value", ["yes", "2", "true"])
def test_a_bad_switch_value_is_refused(value: str) -> None:
    done = _setup(["--name"], value)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: SIMULATION_COMPILE={value!r}: expected 1 (compile the model) or 0 (do not)"
    )


def test_without_the_switch_nothing_is_compiled() -> None:
    done = _setup(["--name"], "0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "backsourcing-sim"


def test_the_build_is_read_from_the_model_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build.capacity, "__file__", "/x/capacity.cpython-311-x86_64-linux-gnu.so")
    assert build.model_build() == "mypyc"
    monkeypatch.setattr(build.capacity, "__file__", "/x/capacity.py")
    assert build.model_build() == "Python"
    assert build.run_versions()["model build"] == "Python"
