"""The results stage: a run's tables in memory and in a results folder.

Owns :class:`RunResults` (a finished run, built from the engine's arrays) and writing it
(``run_results``), reading a folder back into :class:`ResultsData` (``reader``) against the
folder's contract (``contract``), and the folder machinery: staging and atomic publishing
(``folders``, ``publishing``, ``stale``), reads that follow no link and all-or-nothing writes
(``folder_io``). Imports :mod:`simulation.analysis` and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.results.publishing import Staging, write_atomically
    from simulation.results.reader import ResultsData, load_results
    from simulation.results.run_results import RunResults, build_results, write_folder

__all__ = [
    "ResultsData",
    "RunResults",
    "Staging",
    "build_results",
    "load_results",
    "write_atomically",
    "write_folder",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "ResultsData": "reader",
    "RunResults": "run_results",
    "Staging": "publishing",
    "build_results": "run_results",
    "load_results": "reader",
    "write_atomically": "publishing",
    "write_folder": "run_results",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
