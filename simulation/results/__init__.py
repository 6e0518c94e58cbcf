"""The results stage: a run's tables in memory and in a results folder.

Owns :class:`Results` (``types``), the one results type: what a run returns (its tables built
from the engine's arrays and its folder written, ``run_results``; samples streamed into the
staging folder while it goes, ``streaming``) and what reading a folder back against the
folder's contract gives (``reader``; ``contract``, ``run_json``, ``parsing``, ``consistency``);
how outputs are named for people (``metrics``); and the folder machinery: staging and atomic
publishing (``folders``, ``publishing``, ``stale``), reads that follow no link and
all-or-nothing writes (``folder_io``). Imports :mod:`simulation.analysis` and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.results.publishing import Staging, write_atomically
    from simulation.results.reader import load_results
    from simulation.results.run_results import build_results, write_folder
    from simulation.results.types import Results

__all__ = [
    "Results",
    "Staging",
    "build_results",
    "load_results",
    "write_atomically",
    "write_folder",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "Results": "types",
    "Staging": "publishing",
    "build_results": "run_results",
    "load_results": "reader",
    "write_atomically": "publishing",
    "write_folder": "run_results",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
