"""Lazy re-exports for the package's ``__init__`` modules (PEP 562).

Each stage's ``__init__`` names its public names and the module each lives in; a name is
imported on first use, so importing one module of a stage (``simulation.engine.memory``) never
loads its siblings (``simulation.engine.run`` and SimPy under it). Type checkers read the real
imports from each ``__init__``'s ``TYPE_CHECKING`` block, which tests/test_layout.py keeps equal
to the table given here.

A base module: it imports nothing of the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``where`` maps each public name to the module
    (relative to ``package``, e.g. ``"run"``) that defines it; ``namespace`` is the package's
    ``globals()``, where a name is kept once imported."""

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
            namespace[name] = value  # later look-ups skip this function
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*where, *(name for name in namespace if name.startswith("__"))})

    return __getattr__, __dir__
