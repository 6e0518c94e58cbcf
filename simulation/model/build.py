"""How the model runs: compiled with mypyc at install time, or as plain Python (setup.py)."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

from simulation.model import capacity
from simulation.provenance import versions

__all__ = ["model_build", "run_versions"]


def model_build() -> str:
    """``"mypyc"`` when the model's SimPy side was compiled at install time
    (``SIMULATION_COMPILE=1 pip install .``, see setup.py), else ``"Python"``. Both give
    byte-identical outputs (``scripts/bench_compiled.py`` checks it); the compiled build is
    about twice as fast. Recorded in run.json's ``versions`` as ``"model build"``."""
    origin = capacity.__file__ or ""
    return "mypyc" if origin.endswith(tuple(EXTENSION_SUFFIXES)) else "Python"


def run_versions() -> dict[str, str]:
    """What run.json records as ``versions``: this package's and the libraries' versions
    (:func:`simulation.provenance.versions`) and the model's build (:func:`model_build`)."""
    return {**versions(), "model build": model_build()}
