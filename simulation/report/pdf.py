"""``report.pdf``: the run report as pages of text, tables and charts (matplotlib's ``PdfPages``,
no dependency beyond matplotlib)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.image import imread

from simulation.plotting import style
from simulation.plotting.style import plain_text
from simulation.report.chart_specs import ChartSpec

__all__ = [
    "A4",
    "PdfTable",
    "render_pdf",
    "tables_after_charts",
    "tables_before_charts",
]


def _text_page(pdf: PdfPages, title: str, paragraphs: list[str], subtitle: str = "") -> None:
    fig = style.new_figure(*A4)
    fig.set_layout_engine(None)
    fig.text(0.08, 0.95, plain_text(title), fontsize=15, weight="bold", va="top")
    y = 0.91
    if subtitle:
        fig.text(0.08, y, plain_text(subtitle), fontsize=9, color="#555555", va="top")
        y -= 0.03
    for paragraph in paragraphs:
        wrapped = textwrap.fill(paragraph, 95)
        fig.text(0.08, y, plain_text(wrapped), fontsize=9.5, va="top")
        y -= 0.018 * (wrapped.count("\n") + 1) + 0.012
    pdf.savefig(fig)


@dataclass(frozen=True)
class PdfTable:
    """One table of the PDF: its title, column headers, rows of cell texts, column widths
    (shares of the page's width) and an optional ``note``, a paragraph under the title of its
    first page (drawn literally)."""

    title: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    note: str = ""


def _table_pages(pdf: PdfPages, table: PdfTable) -> None:
    """A table over as many A4 pages as it needs."""
    per_page = 38
    rows = table.rows
    for start in range(0, max(len(rows), 1), per_page):
        fig = style.new_figure(*A4)
        fig.set_layout_engine(None)
        fig.text(
            0.06,
            0.96,
            table.title + (" (continued)" if start else ""),
            fontsize=13,
            weight="bold",
            va="top",
        )
        height = 0.88  # of the table's axes, from 0.04 up
        if table.note and not start:
            wrapped = textwrap.fill(table.note, 100)
            fig.text(0.06, 0.93, plain_text(wrapped), fontsize=9.5, va="top")
            height -= 0.018 * (wrapped.count("\n") + 1) + 0.012
        ax = fig.add_axes((0.04, 0.04, 0.92, height))
        ax.axis("off")
        chunk = [
            [plain_text(textwrap.shorten(c, 70)) for c in row]
            for row in rows[start : start + per_page]
        ]
        if chunk:
            drawn = ax.table(
                cellText=chunk,
                colLabels=table.header,
                colWidths=table.widths,
                loc="upper center",
                cellLoc="left",
            )
            drawn.auto_set_font_size(False)
            drawn.set_fontsize(7)
            drawn.scale(1, 1.25)
        pdf.savefig(fig)


def _chart_pages(pdf: PdfPages, specs: Sequence[ChartSpec], pngs: Sequence[bytes]) -> None:
    for start in range(0, len(specs), 2):
        fig = style.new_figure(*A4)
        fig.set_layout_engine(None)
        for slot, (spec, png) in enumerate(
            zip(specs[start : start + 2], pngs[start : start + 2], strict=True)
        ):
            top = 0.97 - slot * 0.48
            fig.text(0.06, top, plain_text(spec.title), fontsize=11, weight="bold", va="top")
            ax = fig.add_axes((0.05, top - 0.39, 0.9, 0.36))
            ax.imshow(imread(io.BytesIO(png), format="png"))
            ax.axis("off")
            fig.text(
                0.06,
                top - 0.405,
                plain_text(textwrap.fill(spec.caption, 110)),
                fontsize=7.5,
                va="top",
                color="#444444",
            )
        pdf.savefig(fig)


def render_pdf(
    specs: Sequence[ChartSpec], pngs: Sequence[bytes], context: Mapping[str, Any]
) -> bytes:
    """The report as an A4 PDF (matplotlib's PdfPages, charts as embedded PNGs), as bytes: the
    executive summary, the tables of :func:`tables_before_charts`, two charts a page, then the
    tables of :func:`tables_after_charts`.

    Every text from the results folder is drawn literally (:func:`style.plain_text`): a
    scenario called ``Cost in $`` or ``$x$`` is not read as mathtext."""
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": str(context["title"]), "CreationDate": None}) as pdf:
        _text_page(
            pdf,
            str(context["title"]),
            ["Executive summary"] + list(context["summary"]),
            subtitle=str(context["description"]),
        )
        for table in tables_before_charts(context):
            _table_pages(pdf, table)
        _chart_pages(pdf, specs, pngs)
        for table in tables_after_charts(context):
            _table_pages(pdf, table)
    return out.getvalue()


def _cells(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[list[str]]:
    """The cells ``keys`` of each row of a report table (a row of report.html's context)."""
    return [[row[key] for key in keys] for row in rows]


def tables_before_charts(context: Mapping[str, Any]) -> list[PdfTable]:
    """The key figures (with the probabilities) and, when the run has its outputs, what
    management had to do."""
    key = list(context["key_figures"]) + list(context["other_figures"])
    tables = [
        PdfTable(
            "Key figures",
            ["Output", "P10", "P50", "P90", "Target", "P(target met)"],
            _cells(key, ("label", "p10", "p50", "p90", "target", "p_target"))
            + [[r["label"], "", r["value"], "", "", ""] for r in context["probabilities"]],
            [0.34, 0.12, 0.12, 0.12, 0.12, 0.18],
        )
    ]
    management = context.get("management")
    if management:
        tables.append(
            PdfTable(
                "What management had to do",
                ["Output", "What it counts", "P50", "P90"],
                _cells(management["rows"], ("label", "meaning", "p50", "p90")),
                [0.22, 0.54, 0.12, 0.12],
                note=management["sentence"] or "",
            )
        )
    return tables


def tables_after_charts(context: Mapping[str, Any]) -> list[PdfTable]:
    """The top drivers, the risk register (when the scenario has risks), the assumptions and
    the run details."""
    drivers = ("output", "rank", "input", "spearman", "contribution")
    tables = [
        PdfTable(
            "Top drivers",
            ["Output", "#", "Input", "Spearman", "Share"],
            _cells(context["drivers"], drivers),
            [0.25, 0.05, 0.46, 0.12, 0.12],
        )
    ]
    if context["risks"]:
        tables.append(
            PdfTable(
                "Risk register",
                ["Risk", "Occurs", "Effect on cost", "Effect on time"],
                _cells(context["risks"], ("risk", "rate", "cost", "months")),
                [0.4, 0.15, 0.25, 0.2],
            )
        )
    assumptions = ("input", "distribution", "mean", "unit")
    return [
        *tables,
        PdfTable(
            "Assumptions",
            ["Input", "Distribution", "Mean", "Unit"],
            _cells(context["assumptions"], assumptions),
            [0.35, 0.4, 0.1, 0.15],
        ),
        PdfTable(
            "Run details",
            ["Item", "Value"],
            [[k, v] for k, v in context["metadata"]],
            [0.25, 0.75],
        ),
    ]


A4 = (8.27, 11.69)
