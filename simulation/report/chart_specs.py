"""The charts of the run report as :class:`ChartSpec` (name, title, caption and a function that
draws the figure), in report order: distributions, fans, tornadoes, the risk register."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from simulation.plotting import distribution, fans
from simulation.plotting import drivers as driver_charts
from simulation.report.chart_data import (
    Drivers,
    describe_input,
    distribution_data,
    drivers,
    fan_data,
    has_series,
    percentiles,
)
from simulation.report.narrative import lower_label
from simulation.results.types import Results

__all__ = [
    "ChartSpec",
    "DISTRIBUTION_METRICS",
    "MANAGEMENT_FAN",
    "TORNADO_OUTPUTS",
    "chart_specs",
]


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


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the report: file stem, title, how to read it, and how to draw it."""

    name: str
    title: str
    caption: str
    draw: Callable[[], Figure]


def _distribution_specs(data: Results, metric: str) -> list[ChartSpec]:
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
            lambda: distribution.s_curve(
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
            lambda: distribution.histogram(
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
    data: Results,
    series: tuple[tuple[str, str], ...],
    title: str,
    unit: str,
    y_label: str,
) -> Figure:
    return fans.fan_chart(
        [fan_data(data, key, text) for key, text in series], title=title, unit=unit, y_label=y_label
    )


def _fan_specs(data: Results) -> list[ChartSpec]:
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
                lambda: fans.cost_paths_chart(
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
        return driver_charts.tornado(
            names, d.spearman, output_label=lower_label(label), contributions=d.contribution
        )

    return draw


def chart_specs(data: Results) -> list[ChartSpec]:
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
                lambda: driver_charts.risk_register_chart(
                    list(r["risk"].astype(str)),
                    r["occurrence_rate"].to_numpy(float),
                    r["transition_cost_effect"].to_numpy(float),
                    r["transition_months_effect"].to_numpy(float),
                    currency=data.currency,
                ),
            )
        )
    return specs
