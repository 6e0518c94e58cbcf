"""The run report's tables for people: key figures, probabilities, drivers, risks, assumptions
and the run's metadata, each number formatted with its unit."""

from __future__ import annotations

import math
from pathlib import Path

from simulation.plotting.style import human
from simulation.report.chart_data import describe_input, drivers, target_line
from simulation.report.chart_specs import DISTRIBUTION_METRICS, TORNADO_OUTPUTS
from simulation.results.metrics import METRICS, as_float
from simulation.results.types import Results

__all__ = [
    "signed",
    "HEADLINE_METRICS",
    "PROBABILITY_ROWS",
    "SUMMARY_COLUMNS",
    "assumption_rows",
    "driver_rows",
    "key_figures",
    "metadata_rows",
    "probability_rows",
    "risk_rows",
]


#: Summary rows whose ``mean`` is a probability (0..1), with their wording.
PROBABILITY_ROWS = {
    "p_npv_savings_positive": (
        "Chance that backsourcing is cheaper over the horizon (NPV savings > 0)"
    ),
    "p_breakeven_within_horizon": "Chance of breaking even within the horizon",
    "stabilised": "Chance that the service stabilises within the horizon",
}


SUMMARY_COLUMNS = ("p10", "p50", "p80", "p90", "mean")


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


def key_figures(data: Results, headline: bool | None = None) -> list[dict[str, str]]:
    """Rows of the key-figures table: label, P10, P50, P90, mean, target, P(target met).

    ``headline`` True: only :data:`HEADLINE_METRICS` and outputs with a target; False: every
    other output; None: all outputs.
    """
    ordered = [m for m in METRICS if data.has(m)] + [
        str(m) for m in data.summary["metric"] if str(m) not in METRICS
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


def probability_rows(data: Results) -> list[dict[str, str]]:
    """Rows of the probability table: wording and percentage."""
    return [
        {"label": label, "value": human(data.stat(name, "mean"), "%")}
        for name, label in PROBABILITY_ROWS.items()
        if data.has(name)
    ]


def driver_rows(data: Results, top: int = 5) -> list[dict[str, str]]:
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


def risk_rows(data: Results) -> list[dict[str, str]]:
    rows = []
    for _, r in data.risks.iterrows():
        rows.append(
            {
                "risk": str(r["risk"]),
                "rate": human(float(r["occurrence_rate"]), "%"),
                "cost": signed(float(r["transition_cost_effect"]), data.currency),
                "months": signed(float(r["transition_months_effect"]), "months"),
                "p80_cost": signed(as_float(r.get("p80_transition_cost_change")), data.currency),
                "p80_months": signed(as_float(r.get("p80_transition_months_change")), "months"),
            }
        )
    return rows


def signed(value: float, unit: str) -> str:
    text = human(value, unit)
    return f"+{text}" if math.isfinite(value) and value > 0 else text


def assumption_rows(data: Results) -> list[dict[str, str]]:
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


def metadata_rows(data: Results, published: Path | None = None) -> list[tuple[str, str]]:
    """The run-details table; ``published`` is the folder the results end up in (default: the
    folder they were read from)."""
    run = data.meta
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
        ("Results folder", str(published or data.path or "")),
    ]
