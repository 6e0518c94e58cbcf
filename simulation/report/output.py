"""How the tool's report files are made: chart images, PNG data URIs and the HTML templates.

Shared by the run report (:mod:`simulation.report.run_report`), the comparison report
(:mod:`simulation.analysis.compare`) and the sweep charts (:mod:`simulation.analysis.sweep`), so
that every chart is encoded alike: PNG at :data:`PNG_DPI` dots per inch without a software stamp,
SVG without a date, so the same chart always gives the same bytes.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The charts' folder inside a results, comparison or sweep folder.
CHARTS_DIR = "charts"

#: Resolution of every PNG chart (dots per inch; the figures are sized in inches).
PNG_DPI = 110

__all__ = [
    "CHARTS_DIR",
    "PNG_DPI",
    "chart_bytes",
    "data_uri",
    "png_uri",
    "save_chart",
    "template_environment",
]


def save_chart(fig: Figure, png: Path, svg: Path | None = None) -> None:
    """Save ``fig`` as ``png`` (and ``svg``) in a folder this process just created."""
    fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None})
    if svg is not None:
        fig.savefig(svg, metadata={"Date": None})


def chart_bytes(fig: Figure, svg: bool = False) -> tuple[bytes, bytes | None]:
    """``fig`` encoded as PNG (and SVG) bytes, exactly as :func:`save_chart` writes them."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    if not svg:
        return png.getvalue(), None
    vector = io.BytesIO()
    fig.savefig(vector, format="svg", metadata={"Date": None})
    return png.getvalue(), vector.getvalue()


def png_uri(png: bytes) -> str:
    """PNG bytes as a ``data:`` URI, to embed a chart in a self-contained HTML file."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def data_uri(png: Path) -> str:
    """The PNG file ``png`` (one this process wrote) as a ``data:`` URI."""
    return png_uri(png.read_bytes())


def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of the package's HTML templates (``simulation/report/templates``):
    HTML autoescaped, an undefined name an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("simulation.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
