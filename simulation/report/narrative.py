"""The run report's executive summary: plain sentences, each built from the run's numbers
(transition time and cost, money against staying outsourced, targets, drivers, warnings)."""

from __future__ import annotations

import math

from simulation.plotting.style import human
from simulation.report.chart_data import describe_input, drivers, target_line
from simulation.report.management import management_sentence
from simulation.results.types import Results

__all__ = [
    "executive_summary",
    "lower_label",
]


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


def _transition_sentences(data: Results) -> list[str]:
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


def _money_sentences(data: Results) -> list[str]:
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


def _status_quo_sentences(data: Results, horizon: str) -> list[str]:
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


def _target_sentences(data: Results) -> list[str]:
    out = []
    for metric in data.summary["metric"]:
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


def _driver_sentences(data: Results) -> list[str]:
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


def _warning_sentences(data: Results) -> list[str]:
    out = []
    convergence = data.meta.get("convergence") or {}
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
    warnings = list(data.warnings)
    if warnings:
        out.append(
            f"The run recorded {len(warnings)} warning"
            + ("s" if len(warnings) != 1 else "")
            + " (listed under Run details)."
        )
    return out


def executive_summary(data: Results) -> list[str]:
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
