"""The package's layout: each stage's ``__init__`` re-exports its public names lazily, typed for
mypy, and none of them is shadowed by a submodule of the same name."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulation"
STAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def _typed_names(init: Path) -> dict[str, str]:
    """name -> module (relative) of the ``TYPE_CHECKING`` imports of a stage's ``__init__``."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                for alias in imp.names:
                    found[alias.name] = imp.module.rpartition(".")[2]
    return found


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "cli"])
def test_each_stage_exports_its_public_names(stage: str) -> None:
    package = importlib.import_module(f"simulation.{stage}")
    where = package._WHERE  # noqa: SLF001 - the table under test
    assert sorted(package.__all__) == sorted(where)
    assert _typed_names(PACKAGE / stage / "__init__.py") == where
    for name in package.__all__:
        value = getattr(package, name)
        assert not isinstance(value, type(sys)), f"simulation.{stage}.{name} is a module"
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "cli"])
def test_no_public_name_is_also_a_submodule(stage: str) -> None:
    """Importing ``simulation.<stage>.<name>`` would replace the re-exported ``name``."""
    modules = {p.stem for p in (PACKAGE / stage).glob("*.py")}
    package = importlib.import_module(f"simulation.{stage}")
    assert sorted(set(package.__all__) & modules) == []


def test_importing_one_module_of_a_stage_loads_no_sibling() -> None:
    """``simulation.engine.memory`` alone: the stage's ``__init__`` imports nothing eagerly."""
    code = (
        "import sys\nimport simulation.engine.memory\nimport simulation.model.inputs\n"
        "print(sorted(m for m in sys.modules if m.startswith('simulation.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = set(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
    assert "simulation.engine.run" not in loaded
    assert "simulation.model.programme" not in loaded
    assert "simulation.model.outcomes" not in loaded


def _test_module_imports(path: Path) -> list[str]:
    """Imports in ``path`` of a test module (``test_*``), which a test must not make: shared data
    and helpers live in conftest.py or a helper module under tests/ that is no test module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name.rpartition(".")[2].startswith("test_") or name.startswith("tests.test"):
                found.append(f"{path.relative_to(path.parents[1])}:{node.lineno}: {name}")
    return found


def test_no_test_imports_another_test_module() -> None:
    tests = Path(__file__).resolve().parent
    found = [hit for path in sorted(tests.rglob("*.py")) for hit in _test_module_imports(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "source", ["from test_model import HAND\n", "import tests.test_model\n", "import test_x as x\n"]
)
def test_the_test_import_check_finds_each_form(tmp_path: Path, source: str) -> None:
    probe = tmp_path / "tests" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(source, encoding="utf-8")
    assert len(_test_module_imports(probe)) == 1
