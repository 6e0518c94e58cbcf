"""The report stage: results for people (sentences, chart specs, HTML, PDF).

Owns the run report (``run_report``) and its management section (``management``), the
comparison report (``compare``), the sweep's table and charts (``sweep``), how chart files are
encoded and the HTML templates (``output``, ``templates/``). Imports :mod:`simulation.plotting`
and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.report.compare import build_compare_report
    from simulation.report.drawing import write_charts
    from simulation.report.run_report import build_report, rebuild_report
    from simulation.report.sweep import table_text, write_sweep_charts

__all__ = [
    "build_compare_report",
    "build_report",
    "rebuild_report",
    "table_text",
    "write_charts",
    "write_sweep_charts",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "build_compare_report": "compare",
    "build_report": "run_report",
    "rebuild_report": "run_report",
    "table_text": "sweep",
    "write_charts": "drawing",
    "write_sweep_charts": "sweep",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
