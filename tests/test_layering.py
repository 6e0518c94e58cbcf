"""The package is layered by pipeline stage: a lower stage never imports a higher one.

Read with plain ``ast`` (every import, also those inside functions and ``TYPE_CHECKING``
blocks): the order is docs/architecture.md's diagram. A real reason for an upward import is
listed in :data:`EXCEPTIONS` with that reason; anything else fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulation"

#: Stages from the bottom up. ``base`` is what every stage may import: the error types, safe
#: reading of a user-named file, the tool's version and clock. ``api`` and the package's
#: ``__init__`` (the public API) import from every stage; the command line sits on top of the
#: API (``simulate run`` is ``simulation.api.run``).
ORDER: tuple[str, ...] = (
    "base",
    "distributions",
    "scenario",
    "sampling",
    "model",
    "engine",
    "analysis",
    "results",
    "plotting",
    "report",
    "api",
    "cli",
)

#: Top-level modules of the package and their stage.
TOP_LEVEL = {
    "errors": "base",
    "inputfiles": "base",
    "provenance": "base",
    "lazy": "base",
    "api": "api",
    "__init__": "api",
}

#: (importing module, imported module) -> why the upward import is right.
EXCEPTIONS: dict[tuple[str, str], str] = {
    (
        "simulation.results.run_results",
        "simulation.report.run_report",
    ): "Results.save(report=True) writes the run's charts and report.html into the folder it "
    "publishes at once (one atomic rename); imported inside write_folder only when asked, so "
    "reading or writing results without a report never loads the report stage",
    (
        "simulation.results.run_results",
        "simulation.report.drawing",
    ): "as above: the charts of the report Results.save writes",
    (
        "simulation.analysis.compare",
        "simulation.results.publishing",
    ): "Comparison.save writes its folder as a run's is written (staged, renamed at once)",
    (
        "simulation.analysis.compare",
        "simulation.results.run_results",
    ): "Comparison keeps each alternative's samples as the results table of a run "
    "(samples_frame) and writes them in the results files' number format (FLOAT_FORMAT, "
    "json_text)",
    (
        "simulation.analysis.compare",
        "simulation.report.compare",
    ): "Comparison.save(report=True) writes the comparison report into the folder it "
    "publishes (imported only when asked, as for Results.save)",
    (
        "simulation.analysis.sweep",
        "simulation.results.publishing",
    ): "SweepResults.save writes its folder as a run's is written (staged, renamed at once)",
    (
        "simulation.analysis.sweep",
        "simulation.results.run_results",
    ): "each setting's samples are the results table of a run (samples_frame), written in the "
    "results files' number format (FLOAT_FORMAT, json_text)",
    (
        "simulation.analysis.sweep",
        "simulation.report.sweep",
    ): "SweepResults.save(chart=True) draws the sweep charts into the folder it publishes "
    "(imported only when asked)",
}


def stage_of(module: str) -> str:
    """The stage of a dotted module name of the package (``simulation.engine.run`` -> engine)."""
    parts = module.split(".")
    assert parts[0] == "simulation", module
    if len(parts) == 1:
        return "api"
    if parts[1] in ORDER:
        return parts[1]
    return TOP_LEVEL[parts[1]]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("__init__", "__main__") and len(parts) > 2:
        parts.pop()
    return ".".join(parts)


def imports(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every import of the package in ``path``; ``from simulation.x import y``
    counts as importing ``simulation.x.y`` where that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("simulation")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "simulation" and not node.module.startswith("simulation."):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                rel = Path(*sub.split(".")[1:])
                is_module = (package / f"{rel}.py").is_file() or (package / rel).is_dir()
                found.append((node.lineno, sub if is_module else node.module))
    return found


def upward_imports(package: Path = PACKAGE) -> list[str]:
    """Every import of a higher stage that :data:`EXCEPTIONS` does not list."""
    found = []
    for path in sorted(package.rglob("*.py")):
        importer = module_name(path, package)
        level = ORDER.index(stage_of(importer))
        for line, imported in imports(path, package):
            if ORDER.index(stage_of(imported)) <= level:
                continue
            if (importer, imported) in EXCEPTIONS:
                continue
            where = path.relative_to(package.parent)
            found.append(
                f"{where}:{line}: {stage_of(importer)} imports {imported} ({stage_of(imported)})"
            )
    return found


def test_no_stage_imports_a_higher_one() -> None:
    found = upward_imports()
    assert found == [], "\n".join(found)


def test_every_exception_is_still_needed() -> None:
    """An exception whose import is gone is removed, so the list stays the truth."""
    present = {
        (module_name(path), imported)
        for path in PACKAGE.rglob("*.py")
        for _, imported in imports(path)
    }
    assert sorted(set(EXCEPTIONS) - present) == []


def test_every_module_has_a_stage() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert stage_of(module_name(path)) in ORDER, path


@pytest.mark.parametrize(
    ("where", "source"),
    [
        ("scenario/reader.py", "from simulation.engine.memory import size_text\n"),
        ("model/x.py", "def f():\n    from simulation.report import run_report\n"),
        ("distributions/x.py", "from simulation import load_scenario\n"),
        ("base", "import simulation.cli.support\n"),
    ],
)
def test_an_upward_import_fails(tmp_path: Path, where: str, source: str) -> None:
    """A copy of the package with one upward import added is caught."""
    package = tmp_path / "simulation"
    for stage in (s for s in ORDER if s not in ("base", "api")):
        (package / stage).mkdir(parents=True)
        (package / stage / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "cli" / "support.py").write_text("")
    (package / "report" / "run_report.py").write_text("")
    (package / "engine" / "memory.py").write_text("")
    target = package / "errors.py" if where == "base" else package / where
    target.write_text(source, encoding="utf-8")
    assert len(upward_imports(package)) == 1
