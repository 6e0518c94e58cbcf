"""Build script: everything is declared in setup.cfg; this file only adds the optional compiled
model.

With ``SIMULATION_COMPILE=1`` in the environment, a regular install (``pip install .``) compiles
the SimPy side of the model (:data:`COMPILED`) with mypyc into C extensions: the same code, about
twice as fast, outputs byte-identical (``scripts/bench_compiled.py`` checks both). It needs a C
compiler and the Python headers, and takes about a minute. Without the variable, nothing is
compiled and the package is pure Python.

An editable install is never compiled: a compiled module is loaded instead of its ``.py`` file,
so an edit to the file would silently not run. ``SIMULATION_COMPILE=1`` with ``pip install -e``
is refused.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

#: The model's modules that every SimPy event of a run goes through (the post-run numpy outputs
#: gain little from compiling). mypyc checks their annotations at run time.
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

#: The environment variable that asks for the compiled model.
SWITCH = "SIMULATION_COMPILE"


def _wanted() -> bool:
    value = os.environ.get(SWITCH, "").strip()
    if value not in ("", "0", "1"):
        sys.exit(f"error: {SWITCH}={value!r}: expected 1 (compile the model) or 0 (do not)")
    return value == "1"


def _ext_modules() -> list[object]:
    if not _wanted():
        return []
    if "editable_wheel" in sys.argv:
        sys.exit(
            f"error: {SWITCH}=1 needs a regular install (pip install .), not an editable one "
            "(pip install -e .): a compiled module would hide every edit to its .py file"
        )
    try:
        from mypyc.build import mypycify
    except ImportError:
        if "egg_info" in sys.argv:  # pip asks for the build requirements: mypy is one of them
            return []
        sys.exit(f"error: {SWITCH}=1 needs mypy (with mypyc) in the build environment")
    return list(mypycify([f"simulation/model/{m}.py" for m in COMPILED], opt_level="3"))


setup(
    ext_modules=_ext_modules(),
    setup_requires=["mypy>=1.8", "numpy>=1.26"] if _wanted() else [],
)
