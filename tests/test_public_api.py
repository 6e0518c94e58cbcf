"""The public API of ``simulation``: its ``__all__``, cheap to import, typed for mypy, and the
README's notebook snippet run as written (with fewer iterations)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simulation

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"

#: The verbs and types the issue asks the package to offer.
REQUIRED = {
    "load_scenario",
    "sample_inputs",
    "run",
    "trace",
    "compare",
    "sweep",
    "load_results",
    "Results",
    "RunOptions",
}


def test_all_lists_the_pipeline_and_every_name_resolves() -> None:
    assert set(simulation.__all__) >= REQUIRED
    assert len(set(simulation.__all__)) == len(simulation.__all__)
    for name in simulation.__all__:
        value = getattr(simulation, name)
        assert not isinstance(value, types.ModuleType), name
        assert getattr(value, "__name__", name) == name  # the object it says, not a stand-in
    assert set(simulation.__all__) <= set(dir(simulation))
    namespace: dict[str, Any] = {}
    exec("from simulation import *", namespace)
    assert set(simulation.__all__) <= set(namespace)


def test_type_checkers_see_what_the_lazy_imports_load() -> None:
    """The TYPE_CHECKING block (what mypy reads), the lazy table and __all__ name the same
    things from the same modules."""
    tree = ast.parse((ROOT / "simulation" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    typed = {
        alias.name: stmt.module
        for stmt in block.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    assert typed == simulation._WHERE
    assert set(typed) == set(simulation.__all__)


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_simulation_is_cheap() -> None:
    heavy = ("numpy", "pandas", "scipy", "matplotlib", "simpy", "dask", "pyarrow")
    code = f"import sys, simulation\nprint(sorted(set(sys.modules) & {set(heavy)!r}))"
    assert _fresh(code) == "[]"
    # reading a scenario needs NumPy and SciPy (distributions), not the model or the charts
    code = (
        "import sys\nfrom simulation import load_scenario, RunOptions\n"
        "load_scenario('scenarios/minimal.toml')\n"
        "print(sorted(set(sys.modules) & {'simpy', 'matplotlib', 'dask'}))"
    )
    assert _fresh(code) == "[]"


def test_compare_and_sweep_stay_the_verbs_whatever_was_imported_first() -> None:
    """simulation/analysis/compare.py and sweep.py are modules named like the verbs: importing
    them (sweep imports compare) must not turn ``simulation.compare`` into the module."""
    code = (
        "import types\nimport simulation.analysis.sweep\nimport simulation\n"
        "from simulation.analysis.compare import Comparison\n"
        "from simulation import compare, sweep\n"
        "print(callable(compare), callable(sweep), isinstance(simulation.compare, "
        "types.ModuleType), compare.__module__, Comparison.__module__)"
    )
    assert _fresh(code) == "True True False simulation.analysis.compare simulation.analysis.compare"


def test_sample_inputs_draws_the_runs_inputs() -> None:
    sc = simulation.load_scenario(MINIMAL)
    matrix = simulation.sample_inputs(sc, 30, seed=3)
    res = simulation.run(sc, 30, seed=3, jobs=1, rank_risks=False)
    columns = [f"in.{name}" for name in matrix.names]
    assert matrix.seed == 3 and matrix.n == 30
    np.testing.assert_array_equal(matrix.values, res.samples[columns].to_numpy())
    fresh = simulation.sample_inputs(sc, 5, seed=None)  # the scenario's own seed
    assert fresh.seed == sc.seed


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def _run_snippet(source: str) -> list[Any]:
    """Run ``source`` statement by statement; the values of its bare expressions."""
    namespace: dict[str, Any] = {}
    values = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Expr):
            values.append(eval(compile(ast.Expression(stmt.value), "<readme>", "eval"), namespace))
        else:
            exec(compile(ast.Module([stmt], []), "<readme>", "exec"), namespace)
    return values


@pytest.fixture
def notebook_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the shipped scenarios, as a notebook beside a clone has."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readmes_notebook_snippet_runs(notebook_dir: Path) -> None:
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == 1, "the README has one notebook snippet"
    snippet = blocks[0]
    assert "iterations=2000" in snippet  # as documented; run smaller to stay fast
    values = _run_snippet(snippet.replace("iterations=2000", "iterations=40"))
    (p10, p50, p90) = values[0].tolist()  # the P10/P50/P90 of transition_cost
    assert p10 <= p50 <= p90
    saved = notebook_dir / "results" / "notebook_run"
    assert (saved / "run.json").is_file() and (saved / "report.html").is_file()
    assert simulation.load_results(saved).meta["iterations"] == 40


def test_the_package_docstrings_snippet_runs(notebook_dir: Path) -> None:
    doc = simulation.__doc__ or ""
    block = doc.split("Notebook use::\n\n", 1)[1].split("\n\n", 1)[0]
    snippet = "\n".join(line.removeprefix("    ") for line in block.splitlines())
    assert "iterations=2000" in snippet
    values = _run_snippet(snippet.replace("iterations=2000", "iterations=40"))
    summary, samples, timeseries = values[0]
    assert len(samples) == 40 and "metric" in summary.columns and len(timeseries)
    assert (notebook_dir / "results" / "my_run" / "samples.csv").is_file()
