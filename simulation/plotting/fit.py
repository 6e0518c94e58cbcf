"""The chart of ``simulate fit``: the fitted families' densities and CDFs against the data or the
experts' pool (data in, figure out: :mod:`simulation.distributions.fitting` computes the curves)."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulation.distributions.fit_charts import FitChartData
from simulation.plotting.style import SERIES_COLOURS, plain_text

__all__ = ["fit_chart"]


def fit_chart(data: FitChartData) -> Figure:
    """Two panels: density (histogram or pooled density, fitted densities) and CDF (ECDF or
    pooled CDF vs fitted CDFs). Draws only what it is given; returns the figure (Agg canvas)."""
    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax_pdf, ax_cdf = fig.subplots(1, 2)
    if data.hist_edges is not None and data.hist_density is not None:
        ax_pdf.stairs(
            data.hist_density,
            data.hist_edges,
            fill=True,
            color="#bbbbbb",
            label="data",
            gid="histogram",
        )
    if data.reference_pdf is not None:
        ax_pdf.plot(
            data.reference_x,
            data.reference_pdf,
            color="black",
            lw=2,
            label=plain_text(data.reference_label, legend=True),
            gid="reference_pdf",
        )
    for i, c in enumerate(data.curves):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        label = plain_text(c.label, legend=True)
        ax_pdf.plot(data.grid, c.pdf, color=colour, label=label, gid=f"pdf:{c.label}")
        ax_cdf.plot(data.grid, c.cdf, color=colour, label=label, gid=f"cdf:{c.label}")
    ax_cdf.plot(
        data.reference_x,
        data.reference_cdf,
        color="black",
        lw=1.5,
        drawstyle="steps-post" if data.reference_steps else "default",
        label=plain_text(data.reference_label, legend=True),
        gid="reference_cdf",
    )
    x_label = plain_text(data.x_label)
    ax_pdf.set(xlabel=x_label, ylabel="density", title="density")
    ax_cdf.set(xlabel=x_label, ylabel="cumulative probability", title="CDF", ylim=(0, 1))
    ax_pdf.legend(fontsize="small")
    ax_cdf.legend(fontsize="small", loc="lower right")
    fig.suptitle(plain_text(data.title))
    return fig
