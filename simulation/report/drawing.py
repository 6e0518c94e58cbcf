"""Drawing the run report's charts into image files: in worker processes when there are many
(a worker that dies is survived: its charts are drawn in the parent, byte for byte the same),
and writing them into a results folder all at once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from simulation.engine.cores import available_cores, fork_is_safe
from simulation.engine.interrupts import as_completed_polling, deferred_interrupts, ignore_in_worker
from simulation.report.chart_specs import ChartSpec, chart_specs
from simulation.report.output import CHARTS_DIR, chart_bytes
from simulation.results.folder_io import (
    Folder,
    check_targets,
    check_writable,
    write_files,
)
from simulation.results.reader import load_results

__all__ = [
    "Rendered",
    "draw_charts",
    "render_chart",
    "write_charts",
]


def chart_names(specs: Sequence[ChartSpec], suffix: str) -> list[str]:
    """Names of the chart files inside the results folder (``charts/<name>.<suffix>``)."""
    return [f"{CHARTS_DIR}/{spec.name}.{suffix}" for spec in specs]


def render_chart(spec: ChartSpec, svg: bool = False) -> Rendered:
    """Draw one chart and encode it as PNG (and SVG) bytes (:func:`chart_bytes`)."""
    return chart_bytes(spec.draw(), svg)


def draw_charts(specs: Sequence[ChartSpec], svg: bool = False) -> list[Rendered]:
    """Every chart of ``specs`` as image bytes, in order; nothing is written.

    With enough charts and cores they are drawn in forked worker processes. A worker that dies
    (killed, out of memory) breaks the pool: the charts it and the others had not delivered
    are then drawn here, in this process, so the result is the same.
    """
    drawn: list[Rendered | None] = [None] * len(specs)
    jobs = _chart_jobs(len(specs))
    if jobs > 1:
        global _CHART_WORK
        _CHART_WORK = (specs, svg)
        try:
            context = multiprocessing.get_context("fork")
            with (
                deferred_interrupts() as check,
                ProcessPoolExecutor(jobs, mp_context=context, initializer=ignore_in_worker) as pool,
            ):
                futures: dict[Future[Rendered], int] = {}
                try:
                    for i in range(len(specs)):
                        futures[pool.submit(_draw_chart, i)] = i
                    for fut in as_completed_polling(list(futures), check):
                        drawn[futures[fut]] = fut.result()
                except BrokenProcessPool:
                    for fut, i in futures.items():
                        if fut.done() and not fut.cancelled() and fut.exception() is None:
                            drawn[i] = fut.result()
        finally:
            _CHART_WORK = None
    return [d if d is not None else render_chart(specs[i], svg) for i, d in enumerate(drawn)]


def write_charts(results_dir: str | Path, svg: bool = False) -> list[Path]:
    """Draw every chart of a results folder into ``charts/*.png`` (and ``.svg`` when asked).

    The folder is checked first (:func:`load_results`), then every chart is drawn, then all
    files are written at once (:func:`simulation.results.folder_io.write_files`): a failure leaves
    the folder as it was, raising :class:`SimulationError` for a bad folder and
    :class:`~simulation.results.folder_io.WriteFailed` (an ``OSError``) when writing fails.
    Returns the written paths, PNGs first in report order then SVGs.
    """
    folder = Path(results_dir)
    data = load_results(folder)
    specs = chart_specs(data)
    names = chart_names(specs, "png") + (chart_names(specs, "svg") if svg else [])
    with Folder(folder) as files:
        check_targets(files, names)
        check_writable(files, names)
        return write_files(files, chart_files(specs, draw_charts(specs, svg)))


def chart_files(specs: Sequence[ChartSpec], drawn: Sequence[Rendered]) -> dict[str, bytes]:
    """Relative file name → bytes of drawn charts: PNGs first, then SVGs."""
    files = dict(zip(chart_names(specs, "png"), (png for png, _ in drawn), strict=True))
    if drawn and drawn[0][1] is not None:
        svgs = (svg or b"" for _, svg in drawn)
        files.update(zip(chart_names(specs, "svg"), svgs, strict=True))
    return files


#: What forked chart workers draw: (chart specs, whether to add SVG).
_CHART_WORK: tuple[Sequence[ChartSpec], bool] | None = None


def _chart_jobs(charts: int) -> int:
    """Processes for drawing charts: the cores this process may use, when forking is possible
    and there are enough charts to share (each chart costs about 0.1 s to render)."""
    if charts < 4 or not fork_is_safe():
        return 1
    return max(1, min(available_cores(), charts // 2))


def _draw_chart(i: int) -> Rendered:
    """Chart ``i`` of :data:`_CHART_WORK` as image bytes (in a forked worker)."""
    assert _CHART_WORK is not None
    specs, svg = _CHART_WORK
    return render_chart(specs[i], svg)


#: One chart as image files: (PNG bytes, SVG bytes or None).
Rendered = tuple[bytes, bytes | None]
