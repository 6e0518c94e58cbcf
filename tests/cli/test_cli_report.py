"""`simulate run` writes every chart and the report; `simulate report` rebuilds them (and a PDF)
from the results folder alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from simulation.cli import main
from simulation.plotting.style import human
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def test_run_writes_charts_and_report_then_report_rebuilds_them(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(ROOT / "scenarios" / "it_helpdesk.toml"),
            "-n",
            "120",
            "--seed",
            "2",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    charts = sorted((out / "charts").glob("*.png"))
    names = {p.stem for p in charts}
    assert {
        "s_curve_transition_months",
        "fan_backlog",
        "cost_paths",
        "tornado_transition_cost",
        "risk_register",
    } <= names
    for png in charts:
        assert png.read_bytes()[:8] == PNG and png.stat().st_size > 1000, png
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "http://" not in html
    # the run details name the published folder, not the staging folder it was written in
    assert f"<th>Results folder</th><td>{out}</td>" in html and ".tmp<" not in html
    # the sentence on the 80% chance quotes the P80 of summary.csv
    p80 = pd.read_csv(out / "summary.csv").set_index("metric").loc["transition_months", "p80"]
    assert f"{p80:.1f} months" in html

    # the risk-removal ranking is in risks.csv and in the report's risk register
    risks = pd.read_csv(out / "risks.csv")
    assert len(risks) == len(load_scenario(ROOT / "scenarios" / "it_helpdesk.toml").risks)
    assert {"p80_transition_cost_change", "p80_transition_months_change"} <= set(risks.columns)
    change = risks["p80_transition_cost_without"] - risks["p80_transition_cost_base"]
    assert np.allclose(change, risks["p80_transition_cost_change"], rtol=0, atol=0.01)  # a cent
    assert "Removing it changes P80 cost by" in html
    # the first table holds the deciding outputs; the others (e.g. hires) follow further down
    assert html.index("Key figures") < html.index("Transition cost") < html.index("All outputs")
    assert html.index("All outputs") < html.index(">Hires<")
    # what management had to do: its section quotes summary.csv, its fan chart is drawn
    assert "fan_management" in names
    summary = pd.read_csv(out / "summary.csv").set_index("metric")
    section = html[html.index("<h2>What management had to do</h2>") : html.index('id="charts"')]
    for metric, unit in (("overtime_weeks", "weeks"), ("final_target_agents", "agents")):
        assert f'<td class="num">{human(summary.loc[metric, "p90"], unit)}</td>' in section
    assert human(summary.loc["response_cost", "p90"], "EUR") in section

    for png in charts:
        png.unlink()
    (out / "report.html").unlink()
    again = CliRunner().invoke(main, ["report", str(out), "--pdf"])
    assert again.exit_code == 0, again.output
    assert len(list((out / "charts").glob("*.png"))) == len(charts)
    assert (out / "report.html").exists()
    assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"


def test_report_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}: not a results folder (no summary.csv)" in result.output
