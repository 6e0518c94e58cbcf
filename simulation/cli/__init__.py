"""The ``simulate`` command line (rasterio's ``rio`` is the model): the click group in
:mod:`~simulation.cli.group`, one module per command (``validate``, ``inputs``, ``run``,
``trace``, ``report``, ``clean``; ``fit``, ``compare`` with ``sweep`` and ``new`` load only when
called), the options every command shares defined once (:mod:`~simulation.cli.options`) and what
the commands that run the model share (:mod:`~simulation.cli.support`).

Every user error ends with a message naming the file and key and exit code 1, never a traceback.
"""

from __future__ import annotations

# each module registers its command on the group when imported
from simulation.cli import clean, inputs, report, run, trace, validate  # noqa: F401
from simulation.cli.group import echo_error, main

__all__ = ["echo_error", "main"]
