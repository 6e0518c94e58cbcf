"""The run report: ``report.html`` (self-contained) and ``report.pdf`` from a results folder.

The statistics come from the results tables the engine wrote (``summary.csv``,
``timeseries.csv``, ``sensitivity.csv``, ``risks.csv``); the report only reads them
(:func:`~simulation.results.reader.load_results`), prepares what each chart needs
(:mod:`~simulation.report.chart_data`, :mod:`~simulation.report.chart_specs`), draws the charts
(:mod:`~simulation.report.drawing`), writes the sentences and tables
(:mod:`~simulation.report.narrative`, :mod:`~simulation.report.tables`) and renders
``report.html`` with Jinja2 and ``report.pdf`` (:mod:`~simulation.report.pdf`).

A results folder is untrusted input (people send them around): every file is read without
following symbolic links (:mod:`simulation.results.folder_io`) and checked against the folder's
contract (:mod:`simulation.results.contract`) before anything uses it; charts are drawn in
memory, and every file is written at once at the end (temporary names, then renames), so a
refused folder or a failed write leaves the folder byte for byte as it was.

Public API: :func:`build_report`, :func:`rebuild_report` (``simulate report``),
:func:`report_context`, :func:`render_html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulation.errors import SimulationError
from simulation.report.chart_specs import MANAGEMENT_FAN, ChartSpec, chart_specs
from simulation.report.drawing import chart_files, chart_names, draw_charts
from simulation.report.management import management_section
from simulation.report.narrative import executive_summary
from simulation.report.output import png_uri, template_environment
from simulation.report.pdf import render_pdf
from simulation.report.tables import (
    assumption_rows,
    driver_rows,
    key_figures,
    metadata_rows,
    probability_rows,
    risk_rows,
)
from simulation.results.folder_io import (
    Folder,
    WriteFailed,
    check_targets,
    check_writable,
    write_files,
)
from simulation.results.reader import load_results
from simulation.results.types import Results


def build_report(
    results_dir: str | Path,
    pdf: bool = False,
    *,
    rebuild_charts: bool = False,
    svg: bool = False,
    published: Path | None = None,
) -> Path:
    """Render ``report.html`` (and ``report.pdf`` when ``pdf``) into a results folder.

    Charts are taken from ``charts/*.png`` (all drawn anew, with SVG copies when ``svg``, if
    any is missing or when ``rebuild_charts``) and embedded as data URIs, the CSS inline: the
    file needs no network. ``published``: the folder the report is shown as living in, when
    ``results_dir`` is a staging folder that will be renamed to it. Returns the path of
    report.html.

    The folder is checked before anything is drawn (:func:`load_results`; report.html,
    report.pdf, charts/ and its files must not be links or folders), and every file is
    written at once at the end: a failure leaves the folder byte for byte as it was. A bad
    folder raises :class:`SimulationError`; a failed write
    :class:`~simulation.results.folder_io.WriteFailed` (an ``OSError`` naming the file).
    """
    folder = Path(results_dir)
    data = load_results(folder)
    specs = chart_specs(data)
    outputs = ["report.html"] + (["report.pdf"] if pdf else [])
    with Folder(folder) as files:
        pngs = chart_names(specs, "png")
        targets = [*outputs, *pngs, *(chart_names(specs, "svg") if svg else [])]
        check_targets(files, targets)
        check_writable(files, targets)
        redraw = rebuild_charts or svg or not all(files.kind(name) == "file" for name in pngs)
        if redraw:
            charts_out = chart_files(specs, draw_charts(specs, svg))
            images = [charts_out[name] for name in pngs]
        else:
            charts_out = {}
            images = [_existing_png(files, name) for name in pngs]
        context = report_context(data, specs, images, published)
        written = {"report.html": render_html(context)}
        if pdf:
            written["report.pdf"] = render_pdf(specs, images, context)
        write_files(files, {**charts_out, **written})
    return folder / "report.html"


def _existing_png(files: Folder, name: str) -> bytes:
    content = files.read_bytes(name)
    if content is None or not content.startswith(PNG_SIGNATURE):
        raise SimulationError(f"{files.path / name}: is not a PNG image (rebuild the charts)")
    return content


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rebuild_report(results_dir: str | Path, *, pdf: bool = False, svg: bool = False) -> Path:
    """``simulate report``: draw every chart anew and render report.html (and report.pdf).

    As :func:`build_report` with ``rebuild_charts``, except that a failed write is also a
    :class:`SimulationError`: ``<file>: writing failed (<reason>); <folder> was left as it was``.
    """
    folder = Path(results_dir)
    try:
        return build_report(folder, pdf=pdf, rebuild_charts=True, svg=svg)
    except WriteFailed as exc:
        state = (
            f"{folder} was left as it was"
            if not exc.replaced
            else f"{exc.replaced} file(s) in {folder} were already replaced"
        )
        raise SimulationError(
            f"{exc.filename}: writing failed ({exc.strerror or exc}); {state}"
        ) from None


def report_context(
    data: Results,
    specs: Sequence[ChartSpec],
    pngs: Sequence[bytes],
    published: Path | None = None,
) -> dict[str, Any]:
    """Everything report.html shows (and report.pdf reuses)."""
    scenario = data.meta.get("scenario") or {}
    folder = data.path.name if data.path is not None else ""
    return {
        "title": f"Backsourcing risk report: {scenario.get('name', folder)}",
        "description": scenario.get("description", ""),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "summary": executive_summary(data),
        "key_figures": key_figures(data, headline=True),
        "other_figures": key_figures(data, headline=False),
        "probabilities": probability_rows(data),
        "management": _management_context(data, specs),
        "figures": [
            {"name": s.name, "title": s.title, "caption": s.caption, "src": png_uri(png)}
            for s, png in zip(specs, pngs, strict=True)
        ],
        "drivers": driver_rows(data),
        "risks": risk_rows(data),
        "assumptions": assumption_rows(data),
        "metadata": metadata_rows(data, published),
        "warnings": list(data.warnings),
        "scenario_text": data.scenario_text,
        "currency": data.currency,
    }


def _management_context(data: Results, specs: Sequence[ChartSpec]) -> dict[str, Any] | None:
    """The section "What management had to do" (None for a folder without its outputs), with
    the title of its fan chart when the report has one."""
    section = management_section(data)
    if section is None:
        return None
    chart = next((s.title for s in specs if s.name == MANAGEMENT_FAN), "")
    return {**section, "chart": chart}


def render_html(context: Mapping[str, Any]) -> bytes:
    """report.html as UTF-8 bytes."""
    return template_environment().get_template("report.html").render(**context).encode("utf-8")


# PDF (matplotlib PdfPages: no dependency beyond matplotlib) ----------------------------------
