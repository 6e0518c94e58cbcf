"""What each entry point loads, and which names cross module boundaries.

Heavy imports are checked in a fresh interpreter (a subprocess), as `simulate --help` is in
test_cli_inputs.py: the test process itself has long imported everything.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulation"

#: The model's event library and the optional Dask backend: nothing that only reads a results
#: folder needs them.
MODEL_AND_DASK = ("simpy", "dask", "distributed")


def _loaded(code: str, watched: tuple[str, ...], cwd: Path = ROOT) -> list[str]:
    """Run ``code`` in a fresh interpreter; the modules of ``watched`` it imported."""
    probe = f"{code}\nimport sys\nprint('LOADED', sorted(set(sys.modules) & {set(watched)!r}))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("LOADED "), done.stdout
    return list(ast.literal_eval(line.removeprefix("LOADED ")))


def test_simulate_report_loads_neither_simpy_nor_dask(genuine_folder: Path, tmp_path: Path) -> None:
    """`simulate report` only reads a results folder and draws it: it used to load SimPy
    (through backends, for a helper, and through results -> engine -> model)."""
    folder = shutil.copytree(genuine_folder, tmp_path / "run", symlinks=True)
    code = (
        "from simulation.cli import main\n"
        "try:\n"
        f"    main(['report', {str(folder)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
    )
    assert _loaded(code, MODEL_AND_DASK) == []
    assert (folder / "report.html").is_file()


def test_reading_results_loads_neither_simpy_nor_dask(genuine_folder: Path) -> None:
    code = (
        "from simulation.results.reader import load_results\n"
        f"load_results({str(genuine_folder)!r})\n"
    )
    assert _loaded(code, MODEL_AND_DASK) == []


def test_a_local_run_does_not_load_dask(tmp_path: Path) -> None:
    """Dask is an optional dependency: a local run must not need it."""
    code = (
        "from simulation import load_scenario, run\n"
        "run(load_scenario('scenarios/minimal.toml'), 20, seed=1, jobs=1, rank_risks=False)\n"
    )
    assert _loaded(code, ("dask", "distributed", "pyarrow.parquet")) == []


def _private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Every use in ``path`` of a private name (``_x``, not ``__x__``) of another module of the
    package: ``from simulation.m import _x``, and ``m._x`` where ``m`` is a module of it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    modules: dict[str, str] = {}  # local name -> module of the package it stands for
    found = []
    where = path.relative_to(root)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simulation"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{where}:{node.lineno}: from {node.module} import {alias.name}")
                else:  # may be a module (from simulation import charts)
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("simulation"):
                    modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{where}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    """What one module needs of another is public in its home (report_output, cli_support,
    charts' axis helpers …), so a private name can change without breaking another module."""
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_imports(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from simulation.report.run_report import _save\n",
        "from simulation import charts\nx = charts._axes\n",
        "import simulation.cli as cli\nx = cli._progress\n",
    ],
)
def test_the_private_name_check_finds_each_form(tmp_path: Path, source: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert len(_private_imports(probe, tmp_path)) == 1
