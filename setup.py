"""Build script: everything is declared in setup.cfg; this file only adds the optional compiled
model.

With ``SIMULATION_COMPILE=1`` in the environment, a regular install (``pip install .``) compiles
the SimPy side of the model (``COMPILED`` in simulation/model/build.py) with mypyc into C
extensions: the same code, about twice as fast, outputs byte-identical
(``scripts/bench_compiled.py`` checks both). It needs a C compiler and the Python headers, and
takes about a minute. Without the variable, nothing is compiled and the package is pure Python.

- Every build (compiled or not) runs in a fresh temporary folder, and the C code mypyc generates
  goes to ``build/mypyc``, emptied first; both are removed afterwards. Nothing compiled is kept,
  and nothing left in the checkout's ``build/`` can end up in a package.
- Only the steps that build compile; pip's metadata and build-requirement steps do not.
- A build into the checkout is refused with the switch on: an editable install (``pip install
  -e``), ``setup.py develop`` and ``build_ext`` in place, however spelled. A compiled module
  next to its ``.py`` file is loaded instead of it, so every edit to the file would silently
  not run (:func:`simulation.model.build.check_build` refuses such a checkout at run time).
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent

#: The environment variable that asks for the compiled model.
SWITCH = "SIMULATION_COMPILE"
#: Commands that build the package (and so compile it when asked).
BUILDING = ("bdist_wheel", "build", "build_ext", "install")
#: Commands that would put compiled modules into the checkout.
IN_PLACE = ("editable_wheel", "develop")


def compiled_modules() -> tuple[str, ...]:
    """``COMPILED`` of simulation/model/build.py (its one home), read without importing the
    package (whose dependencies a build environment does not have)."""
    path = HERE / "simulation" / "model" / "build.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "COMPILED":
            return tuple(ast.literal_eval(node.value))  # type: ignore[arg-type]
    sys.exit(f"error: {path}: no COMPILED list")


def _wanted() -> bool:
    value = os.environ.get(SWITCH, "").strip()
    if value not in ("", "0", "1"):
        sys.exit(f"error: {SWITCH}={value!r}: expected 1 (compile the model) or 0 (do not)")
    return value == "1"


def _check_toolchain() -> None:
    """A missing compiler or missing headers, said in one line before mypyc starts."""
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        sys.exit(
            f"error: {SWITCH}=1 needs a C compiler: '{compiler}' was not found (install one, "
            f"or leave {SWITCH} unset for the pure-Python model)"
        )
    header = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not header.is_file():
        sys.exit(
            f"error: {SWITCH}=1 needs the Python headers: {header} was not found (e.g. the "
            f"python3-dev package), or leave {SWITCH} unset for the pure-Python model"
        )


def _build_folder() -> str:
    """A fresh folder for everything the compiled build writes, removed at exit."""
    folder = tempfile.mkdtemp(prefix="backsourcing-build-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _compiled(folder: str) -> list[object]:
    """The extensions, generated into ``build/mypyc`` (relative: setuptools refuses absolute
    source paths), which is emptied first and removed at exit."""
    try:
        from mypyc.build import mypycify
    except ImportError:
        sys.exit(f"error: {SWITCH}=1 needs mypy (with mypyc) in the build environment")
    os.environ["MYPY_CACHE_DIR"] = os.path.join(folder, "mypy_cache")
    generated = Path("build", "mypyc")
    shutil.rmtree(generated, ignore_errors=True)
    atexit.register(_remove_generated, generated)
    sources = [f"simulation/model/{m}.py" for m in compiled_modules()]
    return list(mypycify(sources, opt_level="3", target_dir=str(generated)))


def _remove_generated(generated: Path) -> None:
    shutil.rmtree(generated, ignore_errors=True)
    with contextlib.suppress(OSError):
        generated.parent.rmdir()  # build/, when nothing else is in it


_IN_CHECKOUT = (
    f"error: {SWITCH}=1 needs a regular install (pip install .), not an editable one "
    "(pip install -e .) or a build into the checkout: a compiled module would hide every edit "
    "to its .py file"
)


class BuildExtensions(build_ext):
    """``build_ext`` that refuses to put compiled modules into the checkout, however in-place
    was asked for (``--inplace``, ``-i``, ``-fi``, a prefix, setup.cfg)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.inplace and self.extensions:
            sys.exit(_IN_CHECKOUT)


def _asks_in_place(args: list[str]) -> bool:
    """Whether the command line builds into the checkout: an editable or ``develop`` install,
    or ``--inplace`` however spelled (``-i``, grouped short flags such as ``-fi``, a prefix
    such as ``--inp``)."""
    for arg in args:
        if arg in IN_PLACE:
            return True
        if arg.startswith("--") and len(arg) >= 4 and "--inplace".startswith(arg):
            return True
        if arg.startswith("-") and arg[1:].isalpha() and "i" in arg[1:]:
            return True
    return False


def _arguments() -> dict[str, object]:
    os.chdir(HERE)  # the paths below are relative to the project
    compiling = _wanted()
    if compiling and _asks_in_place(sys.argv[1:]):
        sys.exit(_IN_CHECKOUT)  # before mypyc runs (BuildExtensions is the safety net)
    arguments: dict[str, object] = {"cmdclass": {"build_ext": BuildExtensions}}
    if compiling:
        arguments["setup_requires"] = ["mypy>=1.8", "numpy>=1.26"]
    if not any(arg in sys.argv for arg in BUILDING):  # metadata, build requirements, editable
        return arguments
    # every build, compiled or not, in a fresh folder: nothing left in the checkout's build/
    # (an old compiled module, say) can end up in the package
    folder = _build_folder()
    arguments["options"] = {"build": {"build_base": os.path.join(folder, "build")}}
    if compiling:
        _check_toolchain()
        arguments["ext_modules"] = _compiled(folder)
    return arguments


setup(**_arguments())  # type: ignore[arg-type]
