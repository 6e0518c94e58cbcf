"""How the model runs: compiled with mypyc at install time, or as plain Python (setup.py)."""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from simulation.errors import SimulationError
from simulation.provenance import versions

__all__ = ["COMPILED", "check_build", "model_build", "run_versions"]

#: The modules of simulation.model that ``SIMULATION_COMPILE=1 pip install .`` compiles (setup.py
#: reads this list): every module a run's SimPy events go through; the post-run numpy outputs gain
#: little from compiling. mypyc checks their annotations at run time.
COMPILED: tuple[str, ...] = (
    "arrivals",
    "attrition",
    "capacity",
    "context",
    "knowledge",
    "levers",
    "plan",
    "programme",
    "review",
    "staffing",
    "streams",
    "vendor",
    "watch",
)


def _compiled_files() -> dict[str, Path]:
    """The modules of :data:`COMPILED` that are loaded from a compiled extension, and its file."""
    import importlib

    found = {}
    for name in COMPILED:
        module = sys.modules.get(f"simulation.model.{name}") or importlib.import_module(
            f"simulation.model.{name}"
        )
        file = module.__file__ or ""
        if file.endswith(tuple(EXTENSION_SUFFIXES)):
            found[name] = Path(file)
    return found


def model_build() -> str:
    """``"mypyc"`` when the model's SimPy side was compiled at install time
    (``SIMULATION_COMPILE=1 pip install .``, see setup.py), ``"Python"`` when none of it was,
    ``"partly compiled"`` otherwise (refused by :func:`check_build`). Compiled and Python give
    byte-identical outputs (``scripts/bench_compiled.py`` checks it); the compiled model is
    about twice as fast. Recorded in run.json's ``versions`` as ``"model build"``."""
    compiled = _compiled_files()
    if not compiled:
        return "Python"
    return "mypyc" if len(compiled) == len(COMPILED) else "partly compiled"


def check_build() -> None:
    """Refuse in one line a model whose compiled modules could hide edits: compiled modules in
    a source checkout (beside setup.py), which are loaded instead of the ``.py`` files there;
    and a partly compiled model, whose compiled modules call the others of their build
    directly, so an edited module beside them would silently not run."""
    files = _compiled_files()
    if files:
        project = next(iter(files.values())).parents[2]
        if (project / "setup.py").is_file():
            raise SimulationError(
                f"{project / 'simulation' / 'model'}: compiled modules (.so) in a source "
                "checkout would hide every edit to their .py files: delete them (with the "
                f"*__mypyc*.so beside {project / 'simulation'}) or install the compiled model "
                "with 'SIMULATION_COMPILE=1 pip install .'"
            )
    if files and len(files) != len(COMPILED):
        python = ", ".join(f"{m}.py" for m in COMPILED if m not in files)
        raise SimulationError(
            f"the model is partly compiled ({python} not): reinstall it, "
            "'SIMULATION_COMPILE=1 pip install .' for the compiled model or 'pip install -e .' "
            "for plain Python"
        )


def run_versions() -> dict[str, str]:
    """What run.json records as ``versions``: this package's and the libraries' versions
    (:func:`simulation.provenance.versions`) and the model's build (:func:`model_build`)."""
    return {**versions(), "model build": model_build()}
