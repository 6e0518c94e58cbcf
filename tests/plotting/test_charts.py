"""Plot functions on known data: markers, bands and bars sit exactly where the data says."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulation.plotting import distribution, drivers, fans, style
from simulation.plotting.distribution import Percentiles, TargetLine
from simulation.plotting.fans import FanSeries
from simulation.plotting.style import human


def _by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def _line(fig: Figure, gid: str) -> Line2D:
    (line,) = [a for a in _by_gid(fig, gid) if isinstance(a, Line2D)]
    return line


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return np.random.default_rng(7).lognormal(2.3, 0.3, 1001)


def _ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.sort(values)
    return x, np.arange(1, len(x) + 1) / len(x)


def test_s_curve_p50_marker_sits_at_the_median_on_the_curve(sample: np.ndarray) -> None:
    x, y = _ecdf(sample)
    p10, p50, p90 = np.percentile(sample, [10, 50, 90])
    target = TargetLine(12.0, "<=", float(np.mean(sample <= 12.0)))
    fig = distribution.s_curve(
        x, y, Percentiles(p10, p50, p90), label="Transition time", unit="months", target=target
    )
    assert isinstance(fig.canvas, FigureCanvasAgg)
    median_line = _line(fig, "p50")
    assert list(median_line.get_xdata()) == [p50, p50]
    assert median_line.get_ydata()[1] == 0.5
    # the marker lies on the curve: the ECDF at the median is 1/2 (odd n, exact median sample)
    assert np.interp(p50, x, y) == pytest.approx(0.5, abs=1 / len(x))
    curve = _line(fig, "ecdf")
    np.testing.assert_array_equal(curve.get_xdata(), x)
    for gid, value in (("p10", p10), ("p90", p90)):
        assert _line(fig, gid).get_xdata()[0] == value
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"P50\n{human(p50, 'months')}" in texts
    assert _line(fig, "target").get_xdata()[0] == 12.0
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(f"met in {round(100 * target.probability)}%" in t for t in legend)
    assert "months" in fig.axes[0].get_xlabel()


def test_histogram_bars_are_shares_and_markers_at_percentiles(sample: np.ndarray) -> None:
    p10, p50, p90 = np.percentile(sample, [10, 50, 90])
    fig = distribution.histogram(
        sample, Percentiles(p10, p50, p90), label="Cost", unit="EUR", bins=20
    )
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    heights = np.array([b.get_height() for b in bars])
    counts, _ = np.histogram(sample, bins=20)
    np.testing.assert_allclose(heights, counts / len(sample))
    assert _line(fig, "p50").get_xdata()[0] == p50
    assert _line(fig, "p90").get_xdata()[0] == p90


def _band_edges(band: PolyCollection, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vertices = band.get_paths()[0].vertices
    low = np.array([vertices[np.isclose(vertices[:, 0], m), 1].min() for m in months])
    high = np.array([vertices[np.isclose(vertices[:, 0], m), 1].max() for m in months])
    return low, high


def _series(seed: int, scale: float = 1.0, label: str = "Backlog") -> FanSeries:
    rng = np.random.default_rng(seed)
    paths = rng.gamma(3.0, 50.0, (400, 24)).cumsum(axis=1) * scale
    p10, p50, p90 = np.percentile(paths, [10, 50, 90], axis=0)
    return FanSeries(label, np.arange(1, 25, dtype=float), p10, p50, p90)


def test_fan_chart_band_edges_equal_p10_p90() -> None:
    s = _series(1)
    demand = _series(2, label="Demand")
    fig = fans.fan_chart([s, demand], title="Backlog", unit="tickets", y_label="Open tickets")
    (band,) = _by_gid(fig, "band:Backlog")
    assert isinstance(band, PolyCollection)
    low, high = _band_edges(band, s.months)
    np.testing.assert_allclose(low, s.p10)
    np.testing.assert_allclose(high, s.p90)
    np.testing.assert_array_equal(_line(fig, "median:Backlog").get_ydata(), s.p50)
    np.testing.assert_array_equal(_line(fig, "median:Demand").get_ydata(), demand.p50)
    assert "tickets" in fig.axes[0].get_ylabel()


def test_fan_chart_on_given_axes_returns_its_figure() -> None:
    fig = style.new_figure()
    ax = fig.add_subplot()
    assert fans.fan_chart([_series(3)], title="t", unit="%", y_label="SLA", ax=ax) is fig


def test_cost_paths_scales_currency_and_shows_breakeven_region() -> None:
    back, stay = _series(4, 1e4, "Backsourcing"), _series(5, 1.1e4, "Stay outsourced")
    fig = fans.cost_paths_chart(
        back,
        stay,
        currency="EUR",
        breakeven=Percentiles(9.0, 14.0, 20.0),
        breakeven_probability=0.7,
    )
    ax = fig.axes[0]
    assert "M EUR" in ax.get_ylabel()
    (band,) = _by_gid(fig, "band:Backsourcing")
    low, high = _band_edges(band, back.months)
    np.testing.assert_allclose(low * 1e6, back.p10)
    np.testing.assert_allclose(high * 1e6, back.p90)
    (region,) = _by_gid(fig, "breakeven")
    xs = region.get_path().transformed(region.get_patch_transform()).vertices[:, 0]
    assert (xs.min(), xs.max()) == (9.0, 20.0)
    assert _line(fig, "breakeven_p50").get_xdata()[0] == 14.0
    assert any("70%" in t.get_text() for t in ax.get_legend().get_texts())


def test_tornado_bars_follow_rank_order() -> None:
    rho = np.array([0.62, -0.41, 0.2])
    fig = drivers.tornado(
        ["a", "b", "c"], rho, output_label="cost", contributions=rho**2 / np.sum(rho**2)
    )
    bars = sorted(_by_gid(fig, "tornado"), key=lambda b: -b.get_y())  # top bar first
    np.testing.assert_allclose([b.get_width() for b in bars], rho)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b", "c"]


def test_tornado_wraps_long_input_descriptions() -> None:
    """A long description (a schema doc) is wrapped, so the axes keep their room: unwrapped,
    eight such labels squeezed the bars to nothing (matplotlib's constrained layout gave up)."""
    import warnings

    doc = "Share of tickets the vendor resolves within the SLA; its late tickets cost disruption"
    names = [f"{doc} {i}\n(vendor.sla_compliance)" for i in range(8)]
    rho = np.linspace(0.6, -0.2, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = drivers.tornado(names, rho, output_label="cost")
        fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(max(len(line) for line in label.split("\n")) <= 45 for label in labels)
    assert labels[0].replace("\n", " ") == names[0].replace("\n", " ")


def test_risk_register_chart_panels() -> None:
    fig = drivers.risk_register_chart(
        ["delay", "walkout"], [0.25, 0.1], [80_000.0, 1.2e6], [1.5, 3.0], currency="EUR"
    )
    assert len(fig.axes) == 3
    cost = sorted(_by_gid(fig, "Effect on transition cost (M EUR)"), key=lambda b: -b.get_y())
    np.testing.assert_allclose([b.get_width() for b in cost], [0.08, 1.2])
    months = sorted(_by_gid(fig, "Effect on transition time (months)"), key=lambda b: -b.get_y())
    np.testing.assert_allclose([b.get_width() for b in months], [1.5, 3.0])


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1_234_567.0, "EUR", "1.2 M EUR"),
        (-2_500_000.0, "USD", "-2.5 M USD"),
        (850_000.0, "EUR", "850 k EUR"),
        (12_345.0, "EUR", "12.3 k EUR"),
        (999.0, "EUR", "999 EUR"),
        (3.2e9, "EUR", "3.2 bn EUR"),
        (11.46, "months", "11.5 months"),
        (12.0, "months", "12.0 months"),
        (0.85, "%", "85%"),
        (0.004, "%", "0.4%"),
        (1.0, "fraction", "100%"),
        (1234.4, "tickets", "1,234 tickets"),
        (7.0, "agents", "7 agents"),
        (0.0, "", "0"),
        (float("nan"), "EUR", "n/a"),
        (None, "months", "n/a"),
    ],
)
def test_human(value: float | None, unit: str, text: str) -> None:
    assert human(value, unit) == text


def _tick_labels(fig: Figure) -> tuple[np.ndarray, list[str]]:
    """The y ticks matplotlib picked inside the view, and their labels, after a full draw."""
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    ticks = ax.get_yticks()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    inside = (ticks >= low) & (ticks <= high)
    return ticks[inside], [label for label, keep in zip(labels, inside, strict=True) if keep]


def test_histogram_percent_ticks_keep_the_decimals_of_a_2_5_percent_step() -> None:
    """200 futures whose tallest bar holds 17.5%: matplotlib ticks the y axis every 2.5%,
    which used to read 0%, 2%, 5%, 8%, 10%, 12% (12.5 rounded to even), 15%, 18%."""
    counts = [2, 19, 23, 33, 35, 26, 21, 17, 13, 7, 2, 2]
    edges = np.linspace(20.0, 62.0, len(counts) + 1)
    values = np.repeat((edges[:-1] + edges[1:]) / 2, counts)
    fig = distribution.histogram(
        values, Percentiles(28.0, 37.0, 49.0), label="Cost", unit="k", bins=edges.tolist()
    )
    ticks, labels = _tick_labels(fig)
    assert np.allclose(np.diff(ticks), 0.025)  # the spacing this test is about
    assert labels[:8] == ["0.0%", "2.5%", "5.0%", "7.5%", "10.0%", "12.5%", "15.0%", "17.5%"]
    for tick, label in zip(ticks, labels, strict=True):
        assert float(label.removesuffix("%")) == pytest.approx(100 * tick, abs=1e-9)


def test_percent_ticks_on_whole_steps_have_no_decimals(sample: np.ndarray) -> None:
    x, y = _ecdf(sample)
    fig = distribution.s_curve(
        x, y, Percentiles(*np.percentile(sample, [10, 50, 90])), label="T", unit=""
    )
    _, labels = _tick_labels(fig)
    assert labels == ["0%", "20%", "40%", "60%", "80%", "100%"]


@pytest.mark.parametrize(
    ("shares", "decimals"),
    [
        ([0.0, 0.2, 0.4], 0),
        ([0.0, 0.025, 0.05, 0.075], 1),
        ([0.0, 0.05, 0.1], 0),
        ([0.001, 0.002, 0.003], 1),
        ([0.0, 0.00125, 0.0025], 3),
        ([0.1 + 0.2, 0.6], 0),  # 30.000000000000004%: floating-point noise is not a decimal
        ([], 0),
    ],
)
def test_percent_decimals(shares: list[float], decimals: int) -> None:
    assert style.percent_decimals(shares) == decimals
