"""A sweep for people: its table as text (what ``simulate sweep`` prints) and the charts of its
folder, one ``charts/sweep_<output>.png`` per key output, from a
:class:`~simulation.analysis.sweep.SweepResults`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation.analysis.levers import grid, value_text
from simulation.analysis.sweep import SweepResults, chart_lines
from simulation.plotting.style import human
from simulation.plotting.sweep import sweep_chart
from simulation.report.output import CHARTS_DIR, save_chart
from simulation.scenario.outputs import KEY_OUTPUTS, metric_info

__all__ = ["table_text", "write_sweep_charts"]


def _target(res: SweepResults, metric: str) -> tuple[float, str] | None:
    for t in res.scenario.targets:
        if t.metric == metric:
            value = t.at_most if t.at_most is not None else t.at_least
            assert value is not None
            return value, f"Target {t.describe()}"
    return None


def write_sweep_charts(res: SweepResults, folder: Path) -> None:
    """Draw ``charts/sweep_<output>.png`` of each key output into ``folder`` (a staging folder
    the sweep publishes at once)."""
    (folder / CHARTS_DIR).mkdir(exist_ok=True)
    for metric in KEY_OUTPUTS:
        x, lines = chart_lines(res, metric)
        label, unit = metric_info(metric, res.scenario.currency)
        fig = sweep_chart(
            x,
            lines,
            label=label,
            unit=unit,
            x_label=res.levers[0].path,
            target=_target(res, metric),
        )
        save_chart(fig, folder / CHARTS_DIR / f"sweep_{metric}.png")


def table_text(res: SweepResults) -> str:
    """The printed table: per setting, P10/P50/P90 of the key outputs and each target's
    probability of being met."""
    cur = res.scenario.currency
    records = res.table.to_dict(orient="records")
    stats = {(tuple(r[lv.path] for lv in res.levers), str(r["metric"])): r for r in records}
    rows = []
    for setting in grid(res.levers):
        key = tuple(setting.values())
        row: dict[str, str] = {k: value_text(v) for k, v in setting.items()}
        for metric in KEY_OUTPUTS:
            _label, unit = metric_info(metric, cur)
            r = stats[(key, metric)]
            row[f"{metric} ({unit})"] = " / ".join(
                human(float(r[p]), unit).removesuffix(f" {unit}") for p in ("p10", "p50", "p90")
            )
        for tgt in res.scenario.targets:
            p_met = float(stats[(key, tgt.metric)]["p_within_target"])
            row[f"P({tgt.describe()})"] = human(p_met, "%")
        rows.append(row)
    body = pd.DataFrame(rows).to_string(index=False)
    head = f"P10 / P50 / P90, {res.meta['iterations']:,} iterations, seed {res.meta['seed']}"
    return f"{head}\n{body}"
