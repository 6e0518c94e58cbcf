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
    "ASSUMPTIONS",
    "DRIVERS",
    "KEY_FIGURES",
    "MANAGEMENT",
    "PdfTable",
    "RISKS",
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


#: A column of a table drawn from report rows: its header, the key of its cell in each row (a row
#: of report.html's context) and its width (share of the page's width).
Column = tuple[str, str, float]

#: The columns of each table drawn from report rows.
KEY_FIGURES: tuple[Column, ...] = (
    ("Output", "label", 0.34),
    ("P10", "p10", 0.12),
    ("P50", "p50", 0.12),
    ("P90", "p90", 0.12),
    ("Target", "target", 0.12),
    ("P(target met)", "p_target", 0.18),
)
MANAGEMENT: tuple[Column, ...] = (
    ("Output", "label", 0.22),
    ("What it counts", "meaning", 0.54),
    ("P50", "p50", 0.12),
    ("P90", "p90", 0.12),
)
DRIVERS: tuple[Column, ...] = (
    ("Output", "output", 0.25),
    ("#", "rank", 0.05),
    ("Input", "input", 0.46),
    ("Spearman", "spearman", 0.12),
    ("Share", "contribution", 0.12),
)
RISKS: tuple[Column, ...] = (
    ("Risk", "risk", 0.4),
    ("Occurs", "rate", 0.15),
    ("Effect on cost", "cost", 0.25),
    ("Effect on time", "months", 0.2),
)
ASSUMPTIONS: tuple[Column, ...] = (
    ("Input", "input", 0.35),
    ("Distribution", "distribution", 0.4),
    ("Mean", "mean", 0.1),
    ("Unit", "unit", 0.15),
)


def _table(
    title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], note: str = ""
) -> PdfTable:
    """The PDF table of report rows, one cell per column."""
    return PdfTable(
        title,
        [header for header, _key, _width in columns],
        [[row[key] for _header, key, _width in columns] for row in rows],
        [width for _header, _key, width in columns],
        note,
    )


def tables_before_charts(context: Mapping[str, Any]) -> list[PdfTable]:
    """The key figures (with the probabilities) and, when the run has its outputs, what
    management had to do."""
    key = _table("Key figures", [*context["key_figures"], *context["other_figures"]], KEY_FIGURES)
    key.rows.extend([r["label"], "", r["value"], "", "", ""] for r in context["probabilities"])
    tables = [key]
    management = context.get("management")
    if management:
        note = management["sentence"] or ""
        tables.append(_table("What management had to do", management["rows"], MANAGEMENT, note))
    return tables


def tables_after_charts(context: Mapping[str, Any]) -> list[PdfTable]:
    """The top drivers, the risk register (when the scenario has risks), the assumptions and
    the run details."""
    tables = [_table("Top drivers", context["drivers"], DRIVERS)]
    if context["risks"]:
        tables.append(_table("Risk register", context["risks"], RISKS))
    tables.append(_table("Assumptions", context["assumptions"], ASSUMPTIONS))
    metadata = [[k, v] for k, v in context["metadata"]]
    tables.append(PdfTable("Run details", ["Item", "Value"], metadata, [0.25, 0.75]))
    return tables


A4 = (8.27, 11.69)
