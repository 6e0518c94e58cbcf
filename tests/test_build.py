"""The optional compiled model (setup.py, ``SIMULATION_COMPILE=1``): what it compiles, what it
refuses, and how a run records which build it used. (The compiled build itself is checked by
``scripts/bench_compiled.py``: byte-identical outputs and the whole suite on it.)"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.errors import SimulationError
from simulation.model import build

ROOT = Path(__file__).resolve().parent.parent
SO = ".cpython-311-x86_64-linux-gnu.so"


def test_every_compiled_module_exists_and_is_typed() -> None:
    names = build.COMPILED
    assert names and len(set(names)) == len(names)
    for name in names:
        source = ROOT / "simulation" / "model" / f"{name}.py"
        assert source.is_file(), name
        # mypyc checks annotations at run time: every function of a compiled module is typed
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.returns is not None or node.name == "__init__", (name, node.name)


def _setup(args: list[str], value: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "setup.py", *args],
        cwd=ROOT,
        env={**os.environ, "SIMULATION_COMPILE": value, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr.strip().splitlines()[-1]


def test_setup_reads_the_list_of_compiled_modules_from_its_one_home() -> None:
    code = "import runpy, sys; sys.argv = ['setup.py', '--name']; "
    code += "g = runpy.run_path('setup.py'); print(','.join(g['compiled_modules']()))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == ",".join(build.COMPILED)


@pytest.mark.parametrize(
    "args",
    [
        ["editable_wheel", "--dist-dir", "/nonexistent"],
        ["develop"],
        ["build_ext", "--inplace"],
        ["build_ext", "-i"],
        ["build_ext", "-fi"],
        ["build_ext", "--inp"],
    ],
)
def test_a_compiled_build_into_the_checkout_is_refused(args: list[str]) -> None:
    done = _setup(args, "1")
    assert done.returncode != 0
    assert _last_line(done) == (
        "error: SIMULATION_COMPILE=1 needs a regular install (pip install .), not an editable "
        "one (pip install -e .) or a build into the checkout: a compiled module would hide "
        "every edit to its .py file"
    )


def test_a_missing_compiler_is_said_in_one_line_before_mypyc_runs() -> None:
    done = _setup(["build_ext"], "1", CC="no-such-cc")
    assert done.returncode != 0
    assert _last_line(done) == (
        "error: SIMULATION_COMPILE=1 needs a C compiler: 'no-such-cc' was not found (install "
        "one, or leave SIMULATION_COMPILE unset for the pure-Python model)"
    )


@pytest.mark.parametrize("value", ["yes", "2", "true"])
def test_a_bad_switch_value_is_refused(value: str) -> None:
    done = _setup(["--name"], value)
    assert done.returncode != 0
    assert _last_line(done) == (
        f"error: SIMULATION_COMPILE={value!r}: expected 1 (compile the model) or 0 (do not)"
    )


@pytest.mark.parametrize("value", ["0", "1"])
def test_metadata_steps_compile_nothing(value: str) -> None:
    done = _setup(["--name"], value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "backsourcing-sim"


def test_the_build_is_read_from_every_compiled_module(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = [importlib.import_module(f"simulation.model.{m}") for m in build.COMPILED]

    def files(suffix: str) -> None:
        for name, module in zip(build.COMPILED, modules, strict=True):
            monkeypatch.setattr(module, "__file__", f"/site/simulation/model/{name}{suffix}")

    files(".py")
    assert build.model_build() == "Python"
    assert build.run_versions()["model build"] == "Python"
    build.check_build()
    files(SO)
    assert build.model_build() == "mypyc"
    build.check_build()
    monkeypatch.setattr(modules[2], "__file__", f"/site/simulation/model/{build.COMPILED[2]}.py")
    assert build.model_build() == "partly compiled"
    with pytest.raises(SimulationError) as err:
        build.check_build()
    assert str(err.value) == (
        f"the model is partly compiled ({build.COMPILED[2]}.py not): reinstall it, "
        "'SIMULATION_COMPILE=1 pip install .' for the compiled model or 'pip install -e .' for "
        "plain Python"
    )


def test_compiled_modules_in_a_checkout_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled modules beside setup.py (a build into the checkout, however it was made) are
    loaded instead of the .py files there: every edit would silently not run."""
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    model = tmp_path / "simulation" / "model"
    for name in build.COMPILED:
        module = importlib.import_module(f"simulation.model.{name}")
        monkeypatch.setattr(module, "__file__", str(model / f"{name}{SO}"))
    assert build.model_build() == "mypyc"
    with pytest.raises(SimulationError) as err:
        build.check_build()
    assert str(err.value) == (
        f"{model}: compiled modules (.so) in a source checkout would hide every edit to their "
        f".py files: delete them (with the *__mypyc*.so beside {tmp_path / 'simulation'}) or "
        "install the compiled model with 'SIMULATION_COMPILE=1 pip install .'"
    )
