"""The comparison report (``compare.html``): its charts, its tables for people and its sentences for
a decision board, each built from a :class:`~simulation.analysis.compare.Comparison`'s numbers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from simulation.analysis.compare import STATS, Alternative, Comparison, Curve, ecdf
from simulation.analysis.differences import BETTER, p_better, paired_difference
from simulation.engine.run import KEY_OUTPUTS
from simulation.plotting import style
from simulation.plotting.compare import difference_histogram, overlaid_s_curves
from simulation.plotting.distribution import Percentiles
from simulation.plotting.style import human
from simulation.report.chart_specs import ChartSpec
from simulation.report.narrative import lower_label
from simulation.report.tables import signed
from simulation.scenario.outputs import metric_info

FloatArray = NDArray[np.float64]

__all__ = [
    "build_compare_report",
    "chart_specs",
    "compare_sentences",
    "difference_rows",
    "key_rows",
    "ranking_rows",
    "stat",
    "stay_rows",
]


def _colour(i: int) -> str:
    return style.SERIES_COLOURS[i % len(style.SERIES_COLOURS)]


def _p_savings(alt: Alternative) -> float:
    savings = alt.values("npv_savings")
    return float(np.mean(savings > 0.0)) if savings.size else math.nan


def chart_specs(comp: Comparison) -> list[Any]:
    """Every chart of a comparison (:class:`~simulation.report.chart_specs.ChartSpec`), in order."""
    cur = comp.currency
    specs: list[ChartSpec] = []
    for metric in KEY_OUTPUTS:
        label, unit = metric_info(metric, cur)
        curves = []
        for i, alt in enumerate(comp.alternatives):
            name = alt.name
            if metric == "npv_savings":
                name += f" (cheaper than staying: {human(_p_savings(alt), '%')})"
            curves.append(ecdf(alt.values(metric), name, _colour(i)))
        reference = (0.0, "Stay outsourced (no saving)") if metric == "npv_savings" else None
        specs.append(
            ChartSpec(
                f"s_curve_{metric}",
                f"{label}: S-curves of the alternatives",
                "One curve per alternative, from the same simulated futures (common random "
                "numbers). A curve further left reaches each chance at a lower value."
                + (
                    " Right of the red line backsourcing beats staying outsourced."
                    if reference
                    else ""
                ),
                _curves_drawer(curves, label, unit, f"{label}: alternatives", reference),
            )
        )
    specs.append(_npv_spec(comp))
    for alt in comp.alternatives[1:]:
        for metric in KEY_OUTPUTS:
            specs.append(_difference_spec(comp, alt, metric, lower_label))
    return specs


def _curves_drawer(
    curves: list[Curve],
    label: str,
    unit: str,
    title: str,
    reference: tuple[float, str] | None,
) -> Callable[[], Figure]:
    return lambda: overlaid_s_curves(
        curves, label=label, unit=unit, title=title, reference=reference
    )


def _npv_spec(comp: Comparison) -> Any:
    cur = comp.currency
    curves = [
        ecdf(a.values("backsourcing_npv"), a.name, _colour(i))
        for i, a in enumerate(comp.alternatives)
    ]
    quo = [a.values("status_quo_npv") for a in comp.alternatives]
    if all(np.array_equal(q, quo[0]) for q in quo[1:]):
        curves.append(ecdf(quo[0], "Stay outsourced", style.GREY, dashed=True))
    else:
        curves += [
            ecdf(q, f"Stay outsourced ({a.name})", _colour(i), dashed=True)
            for i, (a, q) in enumerate(zip(comp.alternatives, quo, strict=True))
        ]
    return ChartSpec(
        "s_curve_npv_vs_status_quo",
        "Cost of each alternative against staying outsourced",
        "Discounted cost over the horizon of each backsourcing alternative (solid) and of "
        "staying outsourced (dashed, the reference): an alternative whose curve lies left of "
        "the dashed one is cheaper in most futures.",
        _curves_drawer(
            curves,
            "Discounted cost over the horizon (NPV)",
            cur,
            "Backsourcing vs staying outsourced",
            None,
        ),
    )


def _difference_spec(
    comp: Comparison, alt: Alternative, metric: str, lower_label: Callable[[str], str]
) -> Any:
    ref = comp.reference
    label, unit = metric_info(metric, comp.currency)
    d = paired_difference(ref.values(metric), alt.values(metric))
    d = d[~np.isnan(d)]
    pct = np.percentile(d, (10, 50, 90)) if d.size else np.full(3, np.nan)
    better = BETTER[metric]
    share = p_better(ref.values(metric), alt.values(metric), better)
    words = f"{alt.name} {better}"
    title = f"{label}: {alt.name} − {ref.name}"

    def draw() -> Figure:
        return difference_histogram(
            d,
            Percentiles(*map(float, pct)),
            label=title,
            unit=unit,
            better_share=share,
            better_words=words,
        )

    return ChartSpec(
        f"difference_{alt.name}_{metric}",
        f"Paired difference in {lower_label(label)}: {alt.name} − {ref.name}",
        f"Each future's {lower_label(label)} under {alt.name} minus the same future's under "
        f"{ref.name}. {'Left' if better == 'lower' else 'Right'} of zero {alt.name} is better.",
        draw,
    )


def _range(values: FloatArray, unit: str) -> str:
    """``P10 – P90`` of a sample for a table cell (one value when they are equal)."""
    p10, p90 = np.nanpercentile(values, (10, 90)) if np.isfinite(values).any() else (np.nan,) * 2
    return human(float(p10), unit) if p10 == p90 else f"{human(p10, unit)} – {human(p90, unit)}"


def ranking_rows(comp: Comparison) -> list[dict[str, str]]:
    """Rows of the ranked-options table (``ranking.csv``, formatted for people)."""
    cur = comp.currency
    rows = []
    for _, r in comp.ranking.iterrows():
        rows.append(
            {
                "rank": str(int(r["rank"])),
                "option": str(r["option"]),
                "mean": human(float(r["npv_cost_mean"]), cur),
                "range": f"{human(float(r['npv_cost_p10']), cur)} – "
                f"{human(float(r['npv_cost_p90']), cur)}",
                "p_lowest": human(float(r["p_lowest_cost"]), "%"),
                "p_cheaper": human(float(r["p_cheaper_than_status_quo"]), "%"),
                "transition_cost": human(float(r["transition_cost_p80"]), cur),
                "transition_months": human(float(r["transition_months_p80"]), "months"),
                "sla": human(float(r["steady_sla_compliance_p50"]), "%"),
            }
        )
    return rows


def stay_rows(comp: Comparison) -> list[dict[str, str]]:
    """Each alternative against staying outsourced: P(NPV savings > 0), median saving, the
    P50 discounted cost of both paths and the P10 to P90 range of staying outsourced (a
    distribution: renewals, the vendor's late tickets, vendor failure)."""
    cur = comp.currency
    rows = []
    for alt in comp.alternatives:
        savings = alt.values("npv_savings")
        rows.append(
            {
                "alternative": alt.name,
                "p_cheaper": human(_p_savings(alt), "%"),
                "savings_p50": human(float(np.nanmedian(savings)), cur),
                "backsourcing_p50": human(float(np.nanmedian(alt.values("backsourcing_npv"))), cur),
                "status_quo_p50": human(float(np.nanmedian(alt.values("status_quo_npv"))), cur),
                "status_quo_range": _range(alt.values("status_quo_npv"), cur),
            }
        )
    return rows


def key_rows(comp: Comparison) -> list[dict[str, str]]:
    """Rows of the key-figures table: per key output and alternative, P10/P50/P80/P90/mean."""
    rows = []
    for metric in KEY_OUTPUTS:
        label, unit = metric_info(metric, comp.currency)
        for alt in comp.alternatives:
            rows.append(
                {"label": label, "alternative": alt.name}
                | {c: human(stat(comp, alt.name, metric, c), unit) for c in STATS}
            )
    return rows


def difference_rows(comp: Comparison) -> list[dict[str, str]]:
    """Rows of the paired-differences table (every metric of differences.csv)."""
    rows = []
    for _, r in comp.differences.iterrows():
        label, unit = metric_info(str(r["metric"]), comp.currency)
        rows.append(
            {
                "pair": f"{r['alternative']} − {r['reference']}",
                "label": label,
                "better": f"{r['better']} is better",
                **{c: signed(float(r[c]), unit) for c in ("mean", "p10", "p50", "p90")},
                "p_better": human(float(r["p_better"]), "%"),
                "p_equal": human(float(r["p_equal"]), "%"),
            }
        )
    return rows


def stat(comp: Comparison, alternative: str, metric: str, column: str) -> float:
    """One number of ``comparison.csv`` (NaN when missing)."""
    t = comp.table
    rows = t[(t["alternative"] == alternative) & (t["metric"] == metric)]
    return float(rows[column].iloc[0]) if len(rows) else math.nan


def _difference(comp: Comparison, alternative: str, metric: str) -> dict[str, Any] | None:
    d = comp.differences
    rows = d[(d["alternative"] == alternative) & (d["metric"] == metric)]
    return {str(k): v for k, v in rows.iloc[0].items()} if len(rows) else None


def compare_sentences(comp: Comparison) -> list[str]:
    """Plain sentences for a decision board, each built from the comparison's numbers: each
    alternative against staying outsourced, the lowest P80 transition cost and time, and each
    paired difference of the key outputs against the first alternative."""
    cur = comp.currency
    ref = comp.reference
    out = []
    if len(comp.ranking):
        top = comp.ranking.iloc[0]
        out.append(
            f"Lowest expected cost over the horizon: {top['option']} (mean NPV of cost "
            f"{human(float(top['npv_cost_mean']), cur)}; the cheapest option in "
            f"{human(float(top['p_lowest_cost']), '%')} of the paired futures)."
        )
    for alt in comp.alternatives:
        savings = alt.values("npv_savings")
        out.append(
            f"{alt.name}: cheaper than staying on today's contract in "
            f"{human(_p_savings(alt), '%')} of the simulated futures (median NPV saving "
            f"{human(float(np.nanmedian(savings)), cur)})."
        )
    for metric in ("transition_cost", "transition_months"):
        label, unit = metric_info(metric, cur)
        p80 = {a.name: stat(comp, a.name, metric, "p80") for a in comp.alternatives}
        best = min(p80, key=lambda k: p80[k])
        if len(set(p80.values())) == 1:
            out.append(
                f"All alternatives have the same P80 {lower_label(label)} "
                f"({human(p80[best], unit)})."
            )
            continue
        out.append(
            f"Lowest P80 {label.lower()}: {best} ({human(p80[best], unit)}; "
            + ", ".join(f"{k} {human(v, unit)}" for k, v in p80.items() if k != best)
            + ")."
        )
    for alt in comp.alternatives[1:]:
        for metric in KEY_OUTPUTS:
            r = _difference(comp, alt.name, metric)
            if r is None:
                continue
            label, unit = metric_info(metric, cur)
            word = "lower" if r["better"] == "lower" else "higher"
            if float(r["p_equal"]) == 1.0:
                out.append(
                    f"{alt.name} and {ref.name} give the same {lower_label(label)} in every "
                    "simulated future."
                )
                continue
            out.append(
                f"{alt.name} has a {word} {lower_label(label)} than {ref.name} in "
                f"{human(float(r['p_better']), '%')} of the paired futures; the median "
                f"difference is {signed(float(r['p50']), unit)} (P10 "
                f"{signed(float(r['p10']), unit)}, P90 {signed(float(r['p90']), unit)})."
            )
    return out


def build_compare_report(comp: Comparison, folder: Path) -> Path:
    """Draw the comparison's charts into ``folder/charts`` and render ``compare.html`` (charts
    embedded, CSS of the run report inline: one self-contained file)."""
    from simulation.report.output import CHARTS_DIR, data_uri, save_chart, template_environment

    specs = chart_specs(comp)
    (folder / CHARTS_DIR).mkdir(exist_ok=True)
    figures = []
    for spec in specs:
        png = folder / CHARTS_DIR / f"{spec.name}.png"
        save_chart(spec.draw(), png)
        figures.append(
            {"name": spec.name, "title": spec.title, "caption": spec.caption, "src": data_uri(png)}
        )
    meta = comp.meta
    context = {
        "title": "Backsourcing alternatives compared: "
        + " vs ".join(a.name for a in comp.alternatives),
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "currency": comp.currency,
        "reference": comp.reference.name,
        "summary": compare_sentences(comp),
        "stay": stay_rows(comp),
        "ranking": ranking_rows(comp),
        "key_figures": key_rows(comp),
        "differences": difference_rows(comp),
        "figures": figures,
        "alternatives": meta["alternatives"],
        "metadata": [
            ("Seed", str(meta["seed"])),
            ("Iterations", f"{meta['iterations']:,}"),
            ("Sampler", str(meta["sampler"])),
            ("Worker processes", str(meta["jobs"])),
            ("Versions", ", ".join(f"{k} {v}" for k, v in meta["versions"].items())),
            ("Started / finished", f"{meta['started']} / {meta['finished']}"),
            ("Wall time", f"{meta['wall_seconds']} s"),
        ],
        "warnings": list(meta.get("warnings", [])),
    }
    html = template_environment().get_template("compare.html").render(**context)
    out = folder / "compare.html"
    out.write_text(html, encoding="utf-8")
    return out
