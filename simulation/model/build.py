"""How the model runs: compiled with mypyc at install time, or as plain Python (setup.py)."""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES

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


def _compiled_now() -> list[str]:
    """The modules of :data:`COMPILED` that are loaded from a compiled extension."""
    import importlib

    found = []
    for name in COMPILED:
        module = sys.modules.get(f"simulation.model.{name}") or importlib.import_module(
            f"simulation.model.{name}"
        )
        if (module.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES)):
            found.append(name)
    return found


def model_build() -> str:
    """``"mypyc"`` when the model's SimPy side was compiled at install time
    (``SIMULATION_COMPILE=1 pip install .``, see setup.py), ``"Python"`` when none of it was,
    ``"partly compiled"`` otherwise (refused by :func:`check_build`). Compiled and Python give
    byte-identical outputs (``scripts/bench_compiled.py`` checks it); the compiled model is
    about twice as fast. Recorded in run.json's ``versions`` as ``"model build"``."""
    compiled = _compiled_now()
    if not compiled:
        return "Python"
    return "mypyc" if len(compiled) == len(COMPILED) else "partly compiled"


def check_build() -> None:
    """Refuse a partly compiled model in one line: a compiled module calls the others of its
    build directly, so an edited module beside them would silently not run."""
    compiled = _compiled_now()
    if compiled and len(compiled) != len(COMPILED):
        python = ", ".join(f"{m}.py" for m in COMPILED if m not in compiled)
        raise SimulationError(
            f"the model is partly compiled ({python} not): reinstall it, "
            "'SIMULATION_COMPILE=1 pip install .' for the compiled model or 'pip install -e .' "
            "for plain Python"
        )


def run_versions() -> dict[str, str]:
    """What run.json records as ``versions``: this package's and the libraries' versions
    (:func:`simulation.provenance.versions`) and the model's build (:func:`model_build`)."""
    return {**versions(), "model build": model_build()}
