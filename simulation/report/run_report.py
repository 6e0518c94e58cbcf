"""Charts, decision-board report (self-contained HTML) and PDF from a results folder.

The statistics come from the results tables the engine wrote (``summary.csv``,
``timeseries.csv``, ``sensitivity.csv``, ``risks.csv``); this module only reads them, prepares
what each chart needs (the ECDF of an output is the sorted column of ``samples.csv``), writes the
charts to ``charts/`` and renders ``report.html`` (and ``report.pdf``) with Jinja2.

A results folder is untrusted input (people send them around): :func:`load_results` reads every
file without following symbolic links (:mod:`simulation.results.folder_io`) and checks it against
the folder's contract (:mod:`simulation.results.contract`) before anything uses it; charts are drawn
in memory, and every file is written at once at the end (temporary names, then renames), so a
refused folder or a failed write leaves the folder byte for byte as it was.

Public API: :func:`load_results`, :class:`ResultsData`, the ``*_data`` chart-data helpers,
:func:`chart_specs`, :func:`draw_charts`, :func:`write_charts`, :func:`executive_summary`,
:func:`build_report`, :func:`rebuild_report` (``simulate report``).
"""

from __future__ import annotations

import functools
import io
import math
import multiprocessing
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread

from simulation.engine.cores import available_cores, fork_is_safe
from simulation.engine.interrupts import as_completed_polling, deferred_interrupts, ignore_in_worker
from simulation.errors import SimulationError
from simulation.plotting import charts
from simulation.plotting.charts import FanSeries, Percentiles, TargetLine, human, plain_text
from simulation.report.management import management_section, management_sentence
from simulation.report.output import CHARTS_DIR, chart_bytes, png_uri, template_environment
from simulation.results.folder_io import (
    Folder,
    WriteFailed,
    check_targets,
    check_writable,
    write_files,
)
from simulation.results.reader import (
    METRICS,
    MetricInfo,
    ResultsData,
    as_float,
    load_results,
)
from simulation.scenario.schema import BY_PATH

#: Most points drawn on an S-curve (evenly spaced ranks of the sorted sample): layout only.
MAX_CURVE_POINTS = 2000


#: Outputs that get an S-curve and a histogram, when present.
DISTRIBUTION_METRICS = (
    "transition_months",
    "transition_cost",
    "npv_savings",
    "cutover_month",
    "breakeven_month",
    "peak_backlog",
)

#: Outputs that get a tornado chart.
TORNADO_OUTPUTS = ("transition_cost", "transition_months", "npv_savings")

#: Summary rows whose ``mean`` is a probability (0..1), with their wording.
PROBABILITY_ROWS = {
    "p_npv_savings_positive": (
        "Chance that backsourcing is cheaper over the horizon (NPV savings > 0)"
    ),
    "p_breakeven_within_horizon": "Chance of breaking even within the horizon",
    "stabilised": "Chance that the service stabilises within the horizon",
}

SUMMARY_COLUMNS = ("p10", "p50", "p80", "p90", "mean")


# Loading --------------------------------------------------------------------------------------


# Chart data -----------------------------------------------------------------------------------

_TARGET_RE = re.compile(r"^\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$")


def parse_target(text: str) -> tuple[str, float] | None:
    """``"<= 12"`` → ``("<=", 12.0)``; empty or unreadable text → ``None``."""
    match = _TARGET_RE.match(text or "")
    return (match.group(1), float(match.group(2))) if match else None


def target_line(data: ResultsData, metric: str) -> TargetLine | None:
    """The target on ``metric`` with its probability of being met, from summary.csv."""
    if not data.has(metric) or "target" not in data.summary.columns:
        return None
    parsed = parse_target(str(data.summary.at[metric, "target"]))
    if parsed is None:
        return None
    return TargetLine(parsed[1], parsed[0], data.stat(metric, "p_within_target"))


def percentiles(data: ResultsData, metric: str) -> Percentiles:
    """P10 / P50 / P90 of an output from summary.csv."""
    return Percentiles(data.stat(metric, "p10"), data.stat(metric, "p50"), data.stat(metric, "p90"))


@dataclass(frozen=True)
class DistributionData:
    """What the S-curve and histogram of one output need.

    ``values`` are the non-missing simulated values (ascending); ``curve_values`` /
    ``curve_probability`` the ECDF points drawn (at most :data:`MAX_CURVE_POINTS` evenly spaced
    ranks), ``n_missing`` the futures without a value (e.g. no break-even within the horizon).
    """

    metric: str
    info: MetricInfo
    values: np.ndarray
    curve_values: np.ndarray
    curve_probability: np.ndarray
    percentiles: Percentiles
    target: TargetLine | None
    n_missing: int


def distribution_data(data: ResultsData, metric: str) -> DistributionData:
    """Sorted sample of ``out.<metric>`` and its empirical cumulative probabilities."""
    column = data.samples[f"out.{metric}"]
    values = np.sort(pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype=float))
    n = len(values)
    probability = np.arange(1, n + 1, dtype=float) / max(n, 1)
    keep = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).round().astype(int))
    return DistributionData(
        metric=metric,
        info=data.info(metric),
        values=values,
        curve_values=values[keep],
        curve_probability=probability[keep],
        percentiles=percentiles(data, metric),
        target=target_line(data, metric),
        n_missing=int(column.isna().sum()),
    )


def fan_data(data: ResultsData, series: str, label: str | None = None) -> FanSeries:
    """P10 / P50 / P90 band of one monthly series from timeseries.csv."""
    rows = data.timeseries[data.timeseries["series"] == series].sort_values("month")
    return FanSeries(
        label=label or series.replace("_", " ").capitalize(),
        months=rows["month"].to_numpy(dtype=float),
        p10=rows["p10"].to_numpy(dtype=float),
        p50=rows["p50"].to_numpy(dtype=float),
        p90=rows["p90"].to_numpy(dtype=float),
    )


def has_series(data: ResultsData, *names: str) -> bool:
    if data.timeseries.empty or "series" not in data.timeseries.columns:
        return False
    present = set(data.timeseries["series"].unique())
    return all(name in present for name in names)


@dataclass(frozen=True)
class Drivers:
    """Top drivers of one output, in rank order (from sensitivity.csv)."""

    output: str
    inputs: tuple[str, ...]
    spearman: np.ndarray
    contribution: np.ndarray


def drivers(data: ResultsData, output: str, top: int = 8) -> Drivers:
    """The ``top`` highest-ranked inputs of ``output`` (rank 1 = strongest driver)."""
    table = data.sensitivity
    rows = table[table["output"] == output] if not table.empty else table
    rows = rows.sort_values("rank").head(top) if not rows.empty else rows
    return Drivers(
        output=output,
        inputs=tuple(str(x) for x in rows.get("input", [])),
        spearman=rows["spearman"].to_numpy(dtype=float) if len(rows) else np.array([]),
        contribution=rows["contribution"].to_numpy(dtype=float) if len(rows) else np.array([]),
    )


def describe_input(path: str) -> str:
    """Plain-language meaning of a dotted input path (the schema's doc), else the path."""
    spec = BY_PATH.get(path)
    if spec is not None:
        return spec.doc
    if path.startswith("risks."):
        parts = path.split(".")
        return f"Risk '{parts[1]}': {'.'.join(parts[2:])}" if len(parts) > 2 else path
    return path


# Chart specifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the report: file stem, title, how to read it, and how to draw it."""

    name: str
    title: str
    caption: str
    draw: Callable[[], Figure]


def _distribution_specs(data: ResultsData, metric: str) -> list[ChartSpec]:
    d = distribution_data(data, metric)
    label, unit = d.info.label, d.info.unit
    missing = (
        f" {d.n_missing} of {d.n_missing + len(d.values)} futures have no value "
        "(e.g. no break-even within the horizon) and are left out."
        if d.n_missing
        else ""
    )
    return [
        ChartSpec(
            f"s_curve_{metric}",
            f"{label}: S-curve",
            f"Read across from a chance on the left to the value on the bottom: the P80 is the "
            f"value that 80% of the simulated futures stay at or below.{missing}",
            lambda: charts.s_curve(
                d.curve_values,
                d.curve_probability,
                d.percentiles,
                label=label,
                unit=unit,
                target=d.target,
            ),
        ),
        ChartSpec(
            f"histogram_{metric}",
            f"{label}: distribution",
            "Share of simulated futures in each range, with the same P10/P50/P90 markers."
            + missing,
            lambda: charts.histogram(
                d.values, d.percentiles, label=label, unit=unit, target=d.target
            ),
        ),
    ]


#: The fan chart of the management layer's monthly series (agency, hypercare, team target).
MANAGEMENT_FAN = "fan_management"


#: The monthly fan charts: name, caption, extra caption text, (series, legend label) pairs,
#: title, unit and axis label.
_FANS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...], str, str, str], ...] = (
    (
        "fan_backlog",
        "Ticket backlog over time",
        "",
        (("backlog", "Backlog"),),
        "Ticket backlog",
        "tickets",
        "Open tickets",
    ),
    (
        "fan_sla_compliance",
        "SLA compliance over time",
        "",
        (("sla_compliance", "SLA compliance"),),
        "Share of tickets resolved within SLA",
        "%",
        "SLA compliance",
    ),
    (
        "fan_agents",
        "Internal and vendor agents over time",
        "",
        (("internal_agents", "Internal agents"), ("vendor_agents", "Vendor agents")),
        "Agents: internal build-up and vendor ramp-down",
        "agents",
        "Agents",
    ),
    (
        MANAGEMENT_FAN,
        "Agency staff, vendor hypercare and team target over time",
        " Agency and hypercare agents are the temporary help management brought in; the team "
        "target is the head count it was hiring towards (the plan, raised when the reviews found "
        "too few heads). Values at month end.",
        (
            ("agency_agents", "Agency agents"),
            ("hypercare_agents", "Vendor agents on hypercare"),
            ("target_agents", "Team target"),
        ),
        "What management added: temporary help and the team target",
        "agents",
        "Agents",
    ),
    (
        "fan_capacity_demand",
        "Effective capacity vs demand",
        " Where capacity falls below demand the backlog grows.",
        (("effective_capacity", "Effective capacity"), ("demand", "Demand")),
        "Effective capacity vs demand",
        "tickets/day",
        "Tickets per working day (monthly mean)",
    ),
    (
        "fan_knowledge_transferred",
        "Knowledge transferred over time",
        "",
        (("knowledge_transferred", "Knowledge transferred"),),
        "Share of knowledge domains handed over",
        "%",
        "Knowledge transferred",
    ),
)


def _draw_fan(
    data: ResultsData,
    series: tuple[tuple[str, str], ...],
    title: str,
    unit: str,
    y_label: str,
) -> Figure:
    return charts.fan_chart(
        [fan_data(data, key, text) for key, text in series], title=title, unit=unit, y_label=y_label
    )


def _fan_specs(data: ResultsData) -> list[ChartSpec]:
    band = (
        "The shaded band holds 80% of the simulated futures (P10 to P90); the line is the median."
    )
    specs: list[ChartSpec] = []
    for name, caption, extra, series, title, unit, y_label in _FANS:
        if not has_series(data, *(key for key, _ in series)):
            continue
        specs.append(
            ChartSpec(
                name,
                caption,
                band + extra,
                functools.partial(_draw_fan, data, series, title, unit, y_label),
            )
        )
    if has_series(data, "cost_backsourcing", "cost_status_quo"):
        breakeven = percentiles(data, "breakeven_month") if data.has("breakeven_month") else None
        p_break = data.stat("p_breakeven_within_horizon", "mean")
        specs.append(
            ChartSpec(
                "cost_paths",
                "Cumulative cost of both paths",
                band
                + " Backsourcing pays off where its line falls below the status quo; the green "
                "region spans the P10 to P90 break-even month of the futures that break even.",
                lambda: charts.cost_paths_chart(
                    fan_data(data, "cost_backsourcing", "Backsourcing"),
                    fan_data(data, "cost_status_quo", "Stay outsourced"),
                    currency=data.currency,
                    breakeven=breakeven,
                    breakeven_probability=None if math.isnan(p_break) else p_break,
                ),
            )
        )
    return specs


def _tornado_drawer(d: Drivers, label: str) -> Callable[[], Figure]:
    def draw() -> Figure:
        names = [f"{describe_input(i)}\n({i})" for i in d.inputs]
        return charts.tornado(
            names, d.spearman, output_label=lower_label(label), contributions=d.contribution
        )

    return draw


def chart_specs(data: ResultsData) -> list[ChartSpec]:
    """Every chart a results folder supports, in report order."""
    specs: list[ChartSpec] = []
    for metric in DISTRIBUTION_METRICS:
        if data.has(metric) and f"out.{metric}" in data.samples.columns:
            specs.extend(_distribution_specs(data, metric))
    specs.extend(_fan_specs(data))
    for output in TORNADO_OUTPUTS:
        d = drivers(data, output)
        if d.inputs:
            label = data.info(output).label
            specs.append(
                ChartSpec(
                    f"tornado_{output}",
                    f"Top drivers of {lower_label(label)}",
                    "Bars show how strongly each uncertain input moves the output (Spearman rank "
                    "correlation; right = higher input, higher output). The percentage is its "
                    "share of the explained variance.",
                    _tornado_drawer(d, label),
                )
            )
    if not data.risks.empty:
        r = data.risks
        specs.append(
            ChartSpec(
                "risk_register",
                "Risk register",
                "How often each risk struck in the simulation, and the mean difference in "
                "transition cost and time between futures with and without it.",
                lambda: charts.risk_register_chart(
                    list(r["risk"].astype(str)),
                    r["occurrence_rate"].to_numpy(float),
                    r["transition_cost_effect"].to_numpy(float),
                    r["transition_months_effect"].to_numpy(float),
                    currency=data.currency,
                ),
            )
        )
    return specs


def _chart_names(specs: Sequence[ChartSpec], suffix: str) -> list[str]:
    """Names of the chart files inside the results folder (``charts/<name>.<suffix>``)."""
    return [f"{CHARTS_DIR}/{spec.name}.{suffix}" for spec in specs]


#: One chart as image files: (PNG bytes, SVG bytes or None).
Rendered = tuple[bytes, bytes | None]


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
    names = _chart_names(specs, "png") + (_chart_names(specs, "svg") if svg else [])
    with Folder(folder) as files:
        check_targets(files, names)
        check_writable(files, names)
        return write_files(files, _chart_files(specs, draw_charts(specs, svg)))


def _chart_files(specs: Sequence[ChartSpec], drawn: Sequence[Rendered]) -> dict[str, bytes]:
    """Relative file name → bytes of drawn charts: PNGs first, then SVGs."""
    files = dict(zip(_chart_names(specs, "png"), (png for png, _ in drawn), strict=True))
    if drawn and drawn[0][1] is not None:
        svgs = (svg or b"" for _, svg in drawn)
        files.update(zip(_chart_names(specs, "svg"), svgs, strict=True))
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


# Executive summary ----------------------------------------------------------------------------


def _horizon_words(months: int, adjective: bool = False) -> str:
    """``60`` → ``"5 years"`` (``"5-year"`` as an adjective); ``18`` → ``"18 months"``."""
    if months % 12 == 0:
        number, unit = f"{months // 12}", "year"
    elif months % 6 == 0 and months > 12:
        number, unit = f"{months / 12:.1f}", "year"
    else:
        number, unit = f"{months}", "month"
    if adjective:
        return f"{number}-{unit}"
    return f"{number} {unit}" + ("" if number == "1" else "s")


def lower_label(label: str) -> str:
    """Lower-case a label for use inside a sentence, keeping acronyms (``NPV savings``)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _months(value: float) -> str:
    return human(value, "months")


def _transition_sentences(data: ResultsData) -> list[str]:
    out = []
    if data.has("transition_months"):
        p80 = data.stat("transition_months", "p80")
        p50 = data.stat("transition_months", "p50")
        out.append(
            f"There is an 80% chance that the transition is complete within {_months(p80)} "
            f"of programme start; in half of the simulated futures it takes {_months(p50)} "
            "or less."
        )
    if data.has("transition_cost"):
        cur = data.currency
        out.append(
            f"The transition costs {human(data.stat('transition_cost', 'p50'), cur)} in the "
            "median future, and stays at or below "
            f"{human(data.stat('transition_cost', 'p90'), cur)} in 90% of the futures (P90)."
        )
    return out


def _money_sentences(data: ResultsData) -> list[str]:
    out = []
    horizon = _horizon_words(data.horizon_months)
    p_cheaper = data.stat("p_npv_savings_positive", "mean")
    if not math.isnan(p_cheaper):
        sentence = (
            f"Backsourcing is cheaper over {horizon} in {human(p_cheaper, '%')} of the "
            "simulated futures"
        )
        if data.has("npv_savings"):
            cur = data.currency
            sentence += (
                f"; the median NPV saving is {human(data.stat('npv_savings', 'p50'), cur)} "
                f"(P10 {human(data.stat('npv_savings', 'p10'), cur)}, "
                f"P90 {human(data.stat('npv_savings', 'p90'), cur)})"
            )
        out.append(sentence + ".")
    out += _status_quo_sentences(data, horizon)
    p_break = data.stat("p_breakeven_within_horizon", "mean")
    horizon_adj = _horizon_words(data.horizon_months, adjective=True)
    if not math.isnan(p_break):
        sentence = (
            f"Backsourcing pays for itself within the {horizon_adj} horizon in "
            f"{human(p_break, '%')} of the futures"
        )
        median = data.stat("breakeven_month", "p50")
        if not math.isnan(median) and p_break > 0:
            sentence += f"; where it does, the median break-even is month {median:.0f}"
        out.append(sentence + ".")
    return out


def _status_quo_sentences(data: ResultsData, horizon: str) -> list[str]:
    """What staying outsourced costs (a distribution since issue 15: renewals, the vendor's late
    tickets, vendor failure) and the service of both paths in the last year."""
    out = []
    cur = data.currency
    if data.has("status_quo_npv"):
        p10, p50, p90 = (data.stat("status_quo_npv", q) for q in ("p10", "p50", "p90"))
        if p10 == p90:
            sentence = (
                f"Staying outsourced costs {human(p50, cur)} over {horizon} (discounted) in "
                "every simulated future"
            )
        else:
            sentence = (
                f"Staying outsourced costs {human(p50, cur)} over {horizon} (discounted) in the "
                f"median future (P10 {human(p10, cur)}, P90 {human(p90, cur)})"
            )
        late = data.stat("status_quo_disruption_cost", "p50")
        if data.has("status_quo_disruption_cost") and late > 0:
            sentence += f", of which the vendor's late tickets cause {human(late, cur)} (median)"
        out.append(sentence + ".")
    if data.has("steady_sla_compliance") and data.has("status_quo_sla_compliance"):
        ours = human(data.stat("steady_sla_compliance", "p50"), "%")
        theirs = human(data.stat("status_quo_sla_compliance", "p50"), "%")
        out.append(
            f"In the last year of the horizon {ours} of tickets are resolved within the SLA "
            f"after backsourcing, against {theirs} with the vendor (medians)."
        )
    return out


def _target_sentences(data: ResultsData) -> list[str]:
    out = []
    for metric in data.summary.index:
        target = target_line(data, str(metric))
        if target is None or math.isnan(target.probability):
            continue
        info = data.info(str(metric))
        out.append(
            f"The target '{lower_label(info.label)} {target.direction} "
            f"{human(target.value, info.unit)}' is met in {human(target.probability, '%')} "
            "of the simulated futures."
        )
    return out


def _driver_sentences(data: ResultsData) -> list[str]:
    out = []
    seen: set[str] = set()
    for output in ("transition_cost", "transition_months"):
        d = drivers(data, output, top=1)
        if not d.inputs or d.inputs[0] in seen:
            continue
        seen.add(d.inputs[0])
        info = data.info(output)
        rho = float(d.spearman[0])
        direction = "higher" if rho >= 0 else "lower"
        out.append(
            f"The largest driver of the {lower_label(info.label)} is "
            f"{describe_input(d.inputs[0]).lower()} ({d.inputs[0]}): a higher value gives a "
            f"{direction} {lower_label(info.label)} (rank correlation {rho:+.2f}, "
            f"{human(float(d.contribution[0]), '%')} of the explained variance)."
        )
    return out


def _warning_sentences(data: ResultsData) -> list[str]:
    out = []
    convergence = data.run.get("convergence") or {}
    if convergence.get("converged") is False:
        message = str(convergence.get("message", "")).strip()
        out.append(
            "Caution: the run stopped before its percentiles settled"
            + (f" ({message})" if message else "")
            + "; treat the figures as approximate and rerun with more iterations."
        )
    stabilised = data.stat("stabilised", "mean")
    if not math.isnan(stabilised) and stabilised < 0.95:
        out.append(
            f"Caution: in {human(1.0 - stabilised, '%')} of the simulated futures the service "
            f"never stabilised within the {data.horizon_months}-month horizon; their transition "
            "time is counted at the horizon."
        )
    warnings = list(data.run.get("warnings") or [])
    if warnings:
        out.append(
            f"The run recorded {len(warnings)} warning"
            + ("s" if len(warnings) != 1 else "")
            + " (listed under Run details)."
        )
    return out


def executive_summary(data: ResultsData) -> list[str]:
    """Plain sentences for a decision board, each built from numbers of summary.csv.

    Covers: the P80 / P50 transition time, the P50 / P90 transition cost, what management had
    to do in the futures that needed the most help (P90 of each lever and of the response cost,
    :func:`~simulation.report.management.management_sentence`), the chance that backsourcing is
    cheaper over the horizon, what staying outsourced costs and the last year's SLA compliance
    of both paths, the chance that it breaks even, each target's probability, the top driver
    of cost and time, and cautions (no convergence, futures that never stabilised, run
    warnings). Sentences whose numbers are missing are left out.
    """
    management = management_sentence(data)
    return (
        _transition_sentences(data)
        + ([management] if management else [])
        + _money_sentences(data)
        + _target_sentences(data)
        + _driver_sentences(data)
        + _warning_sentences(data)
    )


# Report tables --------------------------------------------------------------------------------


#: Outputs of the first-screen key-figures table; every other output is listed under
#: "All outputs" further down, so a board reads the few figures that decide first.
HEADLINE_METRICS = (
    *DISTRIBUTION_METRICS,
    "disruption_cost",
    "backsourcing_npv",
    "status_quo_npv",
    "steady_sla_compliance",
    "status_quo_sla_compliance",
)


def key_figures(data: ResultsData, headline: bool | None = None) -> list[dict[str, str]]:
    """Rows of the key-figures table: label, P10, P50, P90, mean, target, P(target met).

    ``headline`` True: only :data:`HEADLINE_METRICS` and outputs with a target; False: every
    other output; None: all outputs.
    """
    ordered = [m for m in METRICS if data.has(m)] + [
        str(m) for m in data.summary.index if str(m) not in METRICS
    ]
    if headline is not None:
        ordered = [
            m
            for m in ordered
            if (m in HEADLINE_METRICS or target_line(data, m) is not None) == headline
        ]
    rows = []
    for metric in ordered:
        if metric in PROBABILITY_ROWS:
            continue
        info = data.info(metric)
        target = target_line(data, metric)
        se = data.stat(metric, "p_within_target_se")
        rows.append(
            {
                "metric": metric,
                "label": info.label,
                **{c: human(data.stat(metric, c), info.unit) for c in SUMMARY_COLUMNS},
                "target": f"{target.direction} {human(target.value, info.unit)}" if target else "",
                "p_target": (
                    human(target.probability, "%")
                    + ("" if math.isnan(se) else f" ± {100 * se:.1f} pts")
                    if target
                    else ""
                ),
            }
        )
    return rows


def probability_rows(data: ResultsData) -> list[dict[str, str]]:
    """Rows of the probability table: wording and percentage."""
    return [
        {"label": label, "value": human(data.stat(name, "mean"), "%")}
        for name, label in PROBABILITY_ROWS.items()
        if data.has(name)
    ]


def driver_rows(data: ResultsData, top: int = 5) -> list[dict[str, str]]:
    rows = []
    for output in TORNADO_OUTPUTS:
        d = drivers(data, output, top)
        for rank, (name, rho, share) in enumerate(
            zip(d.inputs, d.spearman, d.contribution, strict=True), start=1
        ):
            rows.append(
                {
                    "output": data.info(output).label,
                    "rank": str(rank),
                    "input": name,
                    "meaning": describe_input(name),
                    "spearman": f"{rho:+.2f}",
                    "contribution": human(float(share), "%"),
                }
            )
    return rows


def risk_rows(data: ResultsData) -> list[dict[str, str]]:
    rows = []
    for _, r in data.risks.iterrows():
        rows.append(
            {
                "risk": str(r["risk"]),
                "rate": human(float(r["occurrence_rate"]), "%"),
                "cost": _signed(float(r["transition_cost_effect"]), data.currency),
                "months": _signed(float(r["transition_months_effect"]), "months"),
                "p80_cost": _signed(as_float(r.get("p80_transition_cost_change")), data.currency),
                "p80_months": _signed(as_float(r.get("p80_transition_months_change")), "months"),
            }
        )
    return rows


def _signed(value: float, unit: str) -> str:
    text = human(value, unit)
    return f"+{text}" if math.isfinite(value) and value > 0 else text


def assumption_rows(data: ResultsData) -> list[dict[str, str]]:
    rows = []
    for _, r in data.inputs.iterrows():
        unit = str(r.get("unit", "") or "")
        if unit in {"nan", "currency"} or unit.startswith("currency"):
            unit = unit.replace("currency", data.currency) if unit != "nan" else ""
        mean = as_float(r.get("mean"))
        rows.append(
            {
                "input": str(r["input"]),
                "meaning": describe_input(str(r["input"])),
                "distribution": str(r.get("distribution", "")),
                "mean": "" if math.isnan(mean) else f"{mean:,.4g}",
                "unit": unit,
                "uncertain": "yes" if str(r.get("uncertain")).lower() in {"true", "1"} else "no",
            }
        )
    return rows


def metadata_rows(data: ResultsData, published: Path | None = None) -> list[tuple[str, str]]:
    """The run-details table; ``published`` is the folder the results end up in (default: the
    folder they were read from)."""
    run = data.run
    scenario = run.get("scenario") or {}
    convergence = run.get("convergence") or {}
    versions = run.get("versions") or {}
    verdict = {True: "converged", False: "NOT converged", None: "fixed iteration count"}.get(
        convergence.get("converged"), str(convergence.get("converged"))
    )
    return [
        ("Scenario file", str(scenario.get("path", ""))),
        ("Scenario SHA-256", str(scenario.get("sha256", ""))),
        ("Seed", str(run.get("seed", ""))),
        ("Iterations", str(run.get("iterations", ""))),
        ("Sampler", str(run.get("sampler", ""))),
        ("Worker processes", str(run.get("jobs", ""))),
        (
            "Convergence",
            f"{convergence.get('mode', '')}: {verdict}. {convergence.get('message', '')}",
        ),
        ("Versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
        ("Started / finished", f"{run.get('started', '')} / {run.get('finished', '')}"),
        ("Wall time", f"{run.get('wall_seconds', '')} s"),
        ("Currency / horizon", f"{data.currency} / {data.horizon_months} months"),
        ("Results folder", str(data.path if published is None else published)),
    ]


# HTML and PDF ---------------------------------------------------------------------------------


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
        pngs = _chart_names(specs, "png")
        targets = [*outputs, *pngs, *(_chart_names(specs, "svg") if svg else [])]
        check_targets(files, targets)
        check_writable(files, targets)
        redraw = rebuild_charts or svg or not all(files.kind(name) == "file" for name in pngs)
        if redraw:
            charts_out = _chart_files(specs, draw_charts(specs, svg))
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
    data: ResultsData,
    specs: Sequence[ChartSpec],
    pngs: Sequence[bytes],
    published: Path | None = None,
) -> dict[str, Any]:
    """Everything report.html shows (and report.pdf reuses)."""
    scenario = data.run.get("scenario") or {}
    return {
        "title": f"Backsourcing risk report: {scenario.get('name', data.path.name)}",
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
        "warnings": [str(w) for w in data.run.get("warnings") or []],
        "scenario_text": data.scenario_text,
        "currency": data.currency,
    }


def _management_context(data: ResultsData, specs: Sequence[ChartSpec]) -> dict[str, Any] | None:
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

A4 = (8.27, 11.69)


def _text_page(pdf: PdfPages, title: str, paragraphs: list[str], subtitle: str = "") -> None:
    fig = charts.new_figure(*A4)
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


def _table_pages(
    pdf: PdfPages,
    title: str,
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    note: str = "",
) -> None:
    """A table over as many A4 pages as it needs; ``note``: a paragraph under the title of the
    first page (drawn literally)."""
    per_page = 38
    for start in range(0, max(len(rows), 1), per_page):
        fig = charts.new_figure(*A4)
        fig.set_layout_engine(None)
        fig.text(
            0.06,
            0.96,
            title + (" (continued)" if start else ""),
            fontsize=13,
            weight="bold",
            va="top",
        )
        height = 0.88  # of the table's axes, from 0.04 up
        if note and not start:
            wrapped = textwrap.fill(note, 100)
            fig.text(0.06, 0.93, plain_text(wrapped), fontsize=9.5, va="top")
            height -= 0.018 * (wrapped.count("\n") + 1) + 0.012
        ax = fig.add_axes((0.04, 0.04, 0.92, height))
        ax.axis("off")
        chunk = [
            [plain_text(textwrap.shorten(c, 70)) for c in row]
            for row in rows[start : start + per_page]
        ]
        if chunk:
            table = ax.table(
                cellText=chunk,
                colLabels=header,
                colWidths=widths,
                loc="upper center",
                cellLoc="left",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(7)
            table.scale(1, 1.25)
        pdf.savefig(fig)


def _chart_pages(pdf: PdfPages, specs: Sequence[ChartSpec], pngs: Sequence[bytes]) -> None:
    for start in range(0, len(specs), 2):
        fig = charts.new_figure(*A4)
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
    """The report as an A4 PDF (matplotlib's PdfPages, charts as embedded PNGs), as bytes.

    Every text from the results folder is drawn literally (:func:`charts.plain_text`): a
    scenario called ``Cost in $`` or ``$x$`` is not read as mathtext."""
    key = list(context["key_figures"]) + list(context["other_figures"])
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": str(context["title"]), "CreationDate": None}) as pdf:
        _text_page(
            pdf,
            str(context["title"]),
            ["Executive summary"] + list(context["summary"]),
            subtitle=str(context["description"]),
        )
        _table_pages(
            pdf,
            "Key figures",
            ["Output", "P10", "P50", "P90", "Target", "P(target met)"],
            [[r["label"], r["p10"], r["p50"], r["p90"], r["target"], r["p_target"]] for r in key]
            + [[r["label"], "", r["value"], "", "", ""] for r in context["probabilities"]],
            [0.34, 0.12, 0.12, 0.12, 0.12, 0.18],
        )
        management = context.get("management")
        if management:
            _table_pages(
                pdf,
                "What management had to do",
                ["Output", "What it counts", "P50", "P90"],
                [[r["label"], r["meaning"], r["p50"], r["p90"]] for r in management["rows"]],
                [0.22, 0.54, 0.12, 0.12],
                note=management["sentence"] or "",
            )
        _chart_pages(pdf, specs, pngs)
        _table_pages(
            pdf,
            "Top drivers",
            ["Output", "#", "Input", "Spearman", "Share"],
            [
                [r["output"], r["rank"], r["input"], r["spearman"], r["contribution"]]
                for r in context["drivers"]
            ],
            [0.25, 0.05, 0.46, 0.12, 0.12],
        )
        if context["risks"]:
            _table_pages(
                pdf,
                "Risk register",
                ["Risk", "Occurs", "Effect on cost", "Effect on time"],
                [[r["risk"], r["rate"], r["cost"], r["months"]] for r in context["risks"]],
                [0.4, 0.15, 0.25, 0.2],
            )
        _table_pages(
            pdf,
            "Assumptions",
            ["Input", "Distribution", "Mean", "Unit"],
            [[r["input"], r["distribution"], r["mean"], r["unit"]] for r in context["assumptions"]],
            [0.35, 0.4, 0.1, 0.15],
        )
        _table_pages(
            pdf,
            "Run details",
            ["Item", "Value"],
            [[k, v] for k, v in context["metadata"]],
            [0.25, 0.75],
        )
    return out.getvalue()
