"""Text from users is drawn literally by every chart, the report's PDF pages and the compare,
sweep and fit charts: matplotlib must never read a ``$`` in a scenario name, currency, input,
risk, alternative or column name as the start of mathtext (``US$ $100 k`` used to crash
``simulate report --pdf``; ``$x$`` came out as an italic x)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure
from matplotlib.text import Text

from simulation.cli import main
from simulation.plotting import distribution, drivers, fans, style
from simulation.plotting.distribution import Percentiles, TargetLine
from simulation.plotting.fans import FanSeries
from simulation.plotting.style import plain_text

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

#: Names a user may well type: the first crashes the mathtext parser, the second is valid
#: mathtext (it would come out as italic x, a fraction) until its unbalanced brace, the third
#: starts with ``_`` (hidden in a legend), holds an escaped ``\$`` and a lone ``$``.
NAMES = [
    "Budget in US$ $100 k",
    r"Cost $x$ \frac{a}{b} ${$",
    r"_a\b_c^d {e} 50% \$ $",
]


def _shown(text: Text) -> tuple[str, bool]:
    """What matplotlib draws for ``text``: the string, and whether it is parsed as mathtext."""
    return text._preprocess_math(text.get_text())  # type: ignore[attr-defined]


def _assert_literal(fig: Figure, *expected: str) -> None:
    """Draw the figure (mathtext is parsed here), then check that no text is mathtext and that
    each expected string is shown, character for character, inside some text."""
    fig.canvas.draw()
    shown = []
    for text in fig.findobj(Text):
        string, is_math = _shown(text)
        assert not is_math, text.get_text()
        shown.append(string)
    for want in expected:
        assert any(want in s for s in shown), (want, shown)


@pytest.mark.parametrize("name", NAMES)
def test_plain_text_survives_matplotlib(name: str) -> None:
    fig = style.new_figure()
    fig.text(0.1, 0.5, plain_text(name))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label=plain_text(name, legend=True))
    ax.legend()
    _assert_literal(fig, name)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [plain_text(name, legend=True)]


def _series(label: str) -> FanSeries:
    months = np.arange(1.0, 13.0)
    return FanSeries(label, months, months, 2 * months, 3 * months)


def _report_charts(name: str) -> list[tuple[Figure, tuple[str, ...]]]:
    values = np.linspace(1.0, 10.0, 50)
    pct = Percentiles(2.0, 5.0, 8.0)
    target = TargetLine(6.0, "<=", 0.5)
    return [
        (
            distribution.s_curve(values, values / 10, pct, label=name, unit=name, target=target),
            (f"{name}: S-curve", f"P50\n{style.human(5.0, name)}"),
        ),
        (distribution.histogram(values, pct, label=name, unit="EUR"), (f"{name}: distribution",)),
        (
            fans.fan_chart([_series(name)], title=name, unit="tickets", y_label=name),
            (name, f"{name} P50"),
        ),
        (
            fans.cost_paths_chart(_series("a"), _series("b"), currency=name),
            (f"({name})",),
        ),
        (drivers.tornado([name, "b"], [0.5, -0.2], output_label=name), (name, f"of {name}")),
        (
            drivers.risk_register_chart([name], [0.3], [1e4], [2.0], currency=name),
            (name, f"({name})"),
        ),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_the_report_charts_draw_user_text_literally(name: str) -> None:
    for fig, expected in _report_charts(name):
        _assert_literal(fig, *expected)


@pytest.mark.parametrize("name", NAMES)
def test_compare_sweep_and_fit_charts_draw_user_text_literally(name: str) -> None:
    from simulation.analysis.compare import ecdf
    from simulation.analysis.sweep import SweepLine
    from simulation.distributions.fit_charts import Curve, FitChartData
    from simulation.plotting.compare import difference_histogram, overlaid_s_curves
    from simulation.plotting.fit import fit_chart
    from simulation.plotting.sweep import sweep_chart

    values = np.linspace(-5.0, 5.0, 40)
    drawn: list[tuple[Figure, tuple[str, ...]]] = [
        (
            overlaid_s_curves(
                [ecdf(values, name, style.BLUE), ecdf(values + 1, "other", style.ORANGE)],
                label=name,
                unit=name,
                title=name,
                reference=(0.0, name),
            ),
            (name,),
        ),
        (
            difference_histogram(
                values,
                Percentiles(-4.0, 0.0, 4.0),
                label=name,
                unit="EUR",
                better_share=0.5,
                better_words=name,
            ),
            (f"{name}: paired difference", f"No difference; {name} in 50%"),
        ),
        (
            sweep_chart(
                [name, "other"],
                [SweepLine(name, np.array([1.0, 2.0]), np.array([2.0, 3.0]), np.array([3.0, 4.0]))],
                label=name,
                unit=name,
                x_label=name,
                target=(2.5, name),
            ),
            (name, f"{name} P50 (P10–P90)", f"{name} against {name}"),
        ),
    ]
    grid = np.linspace(0.0, 1.0, 20)
    data = FitChartData(
        title=name,
        x_label=name,
        grid=grid,
        curves=(Curve(name, grid, grid),),
        reference_label=name,
        reference_x=grid,
        reference_cdf=grid,
        reference_steps=True,
    )
    drawn.append((fit_chart(data), (name,)))
    for fig, expected in drawn:
        _assert_literal(fig, *expected)


def _pdf_texts(pdf: bytes) -> list[str]:
    """Each text drawn in a PDF written by matplotlib: the literal strings of every ``TJ``
    array of the (deflated) content streams, joined (a text drawn as mathtext is not there:
    its glyphs are placed one by one and its ``$`` are gone)."""
    view = memoryview(pdf)
    texts = []
    for start in re.finditer(rb"/FlateDecode\s*>>\s*stream\r?\n", pdf):
        try:
            content = zlib.decompressobj().decompress(view[start.end() :])
        except zlib.error:
            continue
        for array in re.findall(rb"\[(.*?)\]\s*TJ", content, re.S):
            parts = re.findall(rb"\(((?:\\.|[^\\)])*)\)", array)
            joined = b"".join(re.sub(rb"\\(.)", rb"\1", part) for part in parts)
            texts.append(joined.decode("latin-1"))
    return texts


def _odd_scenario(folder: Path, name: str, currency: str, stem: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        'name = "Minimal example"',
        f"name = '{name}'\ndescription = 'Paid in {currency}: $5 or $6'\ncurrency = '{currency}'",
    )
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.output


def test_run_and_report_pdf_with_odd_names(tmp_path: Path) -> None:
    """Scenario name, description, currency and file name full of ``$ \\ _ ^ {}``: the run
    records them, ``report --pdf`` draws its charts and PDF with every text as typed."""
    name = r"Budget in US$ $100 k: $x$ a_b^c {d} \e"
    scenario = _odd_scenario(tmp_path, name, "US$ $", "odd $x$ {a}_b^c")
    out = tmp_path / "run"
    _invoke(
        "run", str(scenario), "-n", "30", "--seed", "3", "--jobs", "1", "--out", str(out), "-q",
        "--no-report",
    )  # fmt: skip
    _invoke("report", str(out), "--pdf")
    texts = _pdf_texts((out / "report.pdf").read_bytes())
    assert f"Backsourcing risk report: {name}" in texts  # the title, character for character
    assert "US$ $/month" in texts  # a unit in the assumptions table
    assert any("Paid in US$ $: $5 or $6" in t for t in texts)  # the description
    assert "US$ $ / 24 months" in texts  # currency and horizon in the run details
    assert any(t.endswith(" US$ $") for t in texts)  # amounts in the key figures


def test_compare_and_sweep_with_an_odd_currency(tmp_path: Path) -> None:
    first = _odd_scenario(tmp_path, "First $x$", "US$ $", "first")
    second = _odd_scenario(tmp_path, "Second ${$", "US$ $", "second")
    _invoke(
        "compare", str(first), str(second), "-n", "20", "--seed", "2", "--jobs", "1",
        "--out", str(tmp_path / "cmp"), "-q",
    )  # fmt: skip
    assert len(list((tmp_path / "cmp" / "charts").glob("*.png"))) > 4
    _invoke(
        "sweep", str(first), "--set", "staffing.target_agents=3,5", "-n", "20", "--seed", "2",
        "--jobs", "1", "--out", str(tmp_path / "sweep"), "-q",
    )  # fmt: skip
    assert len(list((tmp_path / "sweep" / "charts").glob("*.png"))) == 3


def test_fit_chart_of_an_odd_column(tmp_path: Path) -> None:
    column = "Budget in US$ $100 k"
    data = tmp_path / "data.csv"
    values = np.random.default_rng(4).gamma(3.0, 10.0, 80)
    data.write_text(f'"{column}"\n' + "\n".join(f"{v:.3f}" for v in values) + "\n")
    chart = tmp_path / "fit.png"
    _invoke("fit", str(data), "--column", column, "--chart", str(chart))
    assert chart.read_bytes()[:4] == b"\x89PNG"


_ESCAPES: list[tuple[str, Callable[[str], str]]] = [
    ("plain", plain_text),
    ("legend", lambda s: plain_text(s, legend=True)),
]


@pytest.mark.parametrize(("kind", "escape"), _ESCAPES)
def test_plain_text_changes_nothing_without_dollars(
    kind: str, escape: Callable[[str], str]
) -> None:
    """Genuine texts (no ``$``, no leading ``_``) reach matplotlib unchanged, so charts of
    ordinary names stay byte for byte what they were."""
    for text in ("Transition cost (M EUR)", r"a\b_c^d {e} 50%", "P50\n1.2 M EUR"):
        assert escape(text) == text
