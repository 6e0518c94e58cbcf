"""The report layer on a synthetic results folder: charts, sentences, HTML, PDF, real browser."""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from PIL import Image
from report_fixture import MANAGEMENT_OUTPUTS, PLANNED_TEAM, write_results_folder

from simulation.errors import SimulationError
from simulation.report.chart_specs import chart_specs
from simulation.report.drawing import write_charts
from simulation.report.management import management_section, management_sentence
from simulation.report.narrative import executive_summary
from simulation.report.run_report import build_report
from simulation.results.reader import load_results
from simulation.results.types import Results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXPECTED_CHARTS = {
    *(
        f"{kind}_{m}"
        for kind in ("s_curve", "histogram")
        for m in (
            "transition_months",
            "transition_cost",
            "npv_savings",
            "cutover_month",
            "breakeven_month",
            "peak_backlog",
        )
    ),
    "fan_backlog",
    "fan_sla_compliance",
    "fan_agents",
    "fan_management",
    "fan_capacity_demand",
    "fan_knowledge_transferred",
    "cost_paths",
    "tornado_transition_cost",
    "tornado_transition_months",
    "tornado_npv_savings",
    "risk_register",
}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder with charts (PNG + SVG), report.html and report.pdf, built once."""
    folder = write_results_folder(tmp_path_factory.mktemp("run") / "results")
    written = write_charts(folder, svg=True)
    build_report(folder, pdf=True)
    (folder / "written.txt").write_text("\n".join(str(p) for p in written))
    return folder


@pytest.fixture(scope="module")
def samples(results: Path) -> pd.DataFrame:
    return pd.read_csv(results / "samples.csv")


def test_write_charts_writes_every_chart_as_a_valid_image(results: Path) -> None:
    written = [Path(p) for p in (results / "written.txt").read_text().splitlines()]
    pngs = [p for p in written if p.suffix == ".png"]
    assert {p.stem for p in pngs} == EXPECTED_CHARTS
    assert {p.stem for p in written if p.suffix == ".svg"} == EXPECTED_CHARTS
    for png in pngs:
        assert png.read_bytes()[:8] == PNG_SIGNATURE
        with Image.open(png) as image:
            image.verify()
        with Image.open(png) as image:
            assert min(image.size) > 200
    for svg in (p for p in written if p.suffix == ".svg"):
        assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


def _number(pattern: str, sentences: list[str]) -> float:
    for sentence in sentences:
        match = re.search(pattern, sentence)
        if match:
            return float(match.group(1).replace(",", ""))
    raise AssertionError(f"no sentence matches {pattern!r}:\n" + "\n".join(sentences))


def test_executive_sentences_quote_the_summary(results: Path, samples: pd.DataFrame) -> None:
    data = load_results(results)
    sentences = executive_summary(data)
    months = samples["out.transition_months"]
    # numbers checked against the summary and, independently, against the raw samples
    p80 = _number(r"80% chance that the transition is complete within ([\d.]+) months", sentences)
    assert p80 == round(data.stat("transition_months", "p80"), 1)
    assert p80 == pytest.approx(np.percentile(months, 80), abs=0.05)
    p50 = _number(r"it takes ([\d.]+) months or less", sentences)
    assert p50 == pytest.approx(np.median(months), abs=0.05)
    cost = samples["out.transition_cost"]
    assert _number(r"costs ([\d.]+) M EUR in the median", sentences) == pytest.approx(
        np.median(cost) / 1e6, abs=0.05
    )
    assert _number(r"at or below ([\d.]+) M EUR in 90%", sentences) == pytest.approx(
        np.percentile(cost, 90) / 1e6, abs=0.05
    )
    cheaper = _number(r"cheaper over 5 years in (\d+)% of the simulated futures", sentences)
    assert cheaper == round(100 * float(np.mean(samples["out.npv_savings"] > 0)))
    assert cheaper == round(100 * data.stat("p_npv_savings_positive", "mean"))
    pays = _number(r"5-year horizon in (\d+)% of the futures", sentences)
    assert pays == round(100 * float(samples["out.breakeven_month"].notna().mean()))
    target = _number(r"'transition time <= 12\.0 months' is met in (\d+)%", sentences)
    assert target == round(100 * float(np.mean(months <= 12)))
    sens = pd.read_csv(results / "sensitivity.csv")
    top = sens[(sens["output"] == "transition_cost") & (sens["rank"] == 1)].iloc[0]
    driver = next(s for s in sentences if "largest driver of the transition cost" in s)
    assert f"({top['input']})" in driver
    assert _number(r"rank correlation ([+-][\d.]+)", [driver]) == round(top["spearman"], 2)
    assert _number(r", (\d+)% of the explained", [driver]) == round(100 * top["contribution"])
    assert not any(s.startswith("Caution") for s in sentences)


def test_executive_summary_warns_when_not_converged_or_not_stabilised(results: Path) -> None:
    data = load_results(results)
    run = {
        **data.meta,
        "convergence": {
            "mode": "auto",
            "converged": False,
            "message": "stopped at --max-iterations",
        },
    }
    summary = data.by_metric.copy()
    summary.loc["stabilised", "mean"] = 0.88
    changed = dataclasses.replace(data, meta=run, summary=summary.reset_index())
    sentences = executive_summary(changed)
    cautions = [s for s in sentences if s.startswith("Caution")]
    assert len(cautions) == 2
    assert "stopped at --max-iterations" in cautions[0]
    assert _number(r"in (\d+)% of the simulated futures the service never", cautions) == 12


def test_executive_summary_states_the_status_quo_and_both_paths_service(results: Path) -> None:
    """Staying outsourced is a distribution since issue 15: its range, the vendor's late
    tickets, and the last year's SLA compliance of both paths are quoted from summary.csv."""
    data = load_results(results)
    summary = data.by_metric.copy()
    rows = {
        "status_quo_npv": (5.2e6, 5.67e6, 6.26e6),
        "status_quo_disruption_cost": (3.75e5, 7.33e5, 1.32e6),
        "steady_sla_compliance": (0.989, 0.996, 1.0),
        "status_quo_sla_compliance": (0.851, 0.896, 0.937),
    }
    for metric, (p10, p50, p90) in rows.items():
        summary.loc[metric, ["p10", "p50", "p90"]] = (p10, p50, p90)
    sentences = executive_summary(dataclasses.replace(data, summary=summary.reset_index()))
    assert (
        "Staying outsourced costs 5.7 M EUR over 5 years (discounted) in the median future "
        "(P10 5.2 M EUR, P90 6.3 M EUR), of which the vendor's late tickets cause 733 k EUR "
        "(median)." in sentences
    )
    assert (
        "In the last year of the horizon 100% of tickets are resolved within the SLA after "
        "backsourcing, against 90% with the vendor (medians)." in sentences
    )
    # a status quo without uncertainty (the fixed annuity of a scenario without its keys)
    summary.loc["status_quo_npv", ["p10", "p50", "p90"]] = (4.72e6,) * 3
    summary.loc["status_quo_disruption_cost", ["p10", "p50", "p90"]] = (0.0,) * 3
    sentences = executive_summary(dataclasses.replace(data, summary=summary.reset_index()))
    assert (
        "Staying outsourced costs 4.7 M EUR over 5 years (discounted) in every simulated future."
        in sentences
    )


def test_report_html_is_self_contained(results: Path) -> None:
    html = (results / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert refs and all(r.startswith("data:image/png;base64,") for r in refs)
    assert len(refs) == len(EXPECTED_CHARTS)
    for ref in refs:
        assert base64.b64decode(ref.split(",", 1)[1])[:8] == PNG_SIGNATURE
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "@page" in html and "@media print" in html


def test_report_html_holds_every_section(results: Path) -> None:
    html = (results / "report.html").read_text(encoding="utf-8")
    data = load_results(results)
    for sentence in executive_summary(data):
        assert str(escape(sentence)) in html
    for name in pd.read_csv(results / "inputs.csv")["input"]:
        assert name in html
    for risk in pd.read_csv(results / "risks.csv")["risk"]:
        assert risk in html
    for text in (
        "Key figures",
        "Top drivers",
        "Risk register",
        "Assumptions",
        "Run details",
        data.meta["scenario"]["sha256"],
        f">{data.meta['seed']}<",
        "converged",
    ):
        assert text in html


def test_report_pdf(results: Path) -> None:
    pdf = (results / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 2 + len(EXPECTED_CHARTS) // 2


def test_build_report_draws_missing_charts(tmp_path: Path) -> None:
    folder = write_results_folder(tmp_path / "r", n=120)
    (folder / "risks.csv").unlink()
    out = build_report(folder)
    names = {s.name for s in chart_specs(load_results(folder))}
    assert "risk_register" not in names
    assert {p.stem for p in (folder / "charts").glob("*.png")} == names
    assert "has no risk register" in out.read_text()


def test_load_results_rejects_a_folder_without_run_json(tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="not a results folder"):
        load_results(tmp_path)


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("chromium is required in CI (install it with apt-get install chromium)")
    if found is None:
        pytest.skip("chromium is not installed")
    return found


def _browse(browser: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_report_renders_in_headless_chromium(results: Path, tmp_path: Path) -> None:
    browser = _chromium()
    assert browser is not None
    page = results / "report.html"
    dom = _browse(browser, page, tmp_path / "profile1", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    # every console message (uncaught errors, CSP-blocked requests) is a failure
    assert _console_lines(dom.stderr) == []
    ok = re.search(r'data-images-ok="(\d+)/(\d+)"', dom.stdout)
    assert ok, "the page's load script did not run"
    assert ok.group(1) == ok.group(2) == str(len(EXPECTED_CHARTS))
    sizes = re.search(r'data-image-sizes="([^"]*)"', dom.stdout)
    assert sizes
    for size in sizes.group(1).split():
        width, height = map(int, size.split("x"))
        assert width > 0 and height > 0
    shot = tmp_path / "screenshot.png"
    run = _browse(
        browser, page, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        # the page is not blank: the first screen holds text and coloured chart pixels
        assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50


def test_browser_check_catches_errors_and_network_requests(tmp_path: Path) -> None:
    """The console check above can fail: a page with a remote image and a JS error trips it."""
    browser = _chromium()
    assert browser is not None
    templates = Path(__file__).parents[2] / "simulation" / "report" / "templates"
    html = (templates / "page.html").read_text()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', html)
    assert csp
    bad = tmp_path / "bad.html"
    bad.write_text(
        f"<html><head>{csp.group(0)}</head><body><img src='https://example.invalid/x.png'>"
        "<script>notDefined();</script></body></html>"
    )
    lines = _console_lines(_browse(browser, bad, tmp_path / "profile", "--dump-dom").stderr)
    assert any("Uncaught" in line for line in lines)
    assert any("example.invalid" in line for line in lines)


def test_key_figures_lead_with_the_deciding_outputs(results: Path) -> None:
    """The first table holds the headline outputs and every output with a target; the rest
    follow under "All outputs", so nothing is dropped and the board reads the few first."""
    from simulation.report.tables import HEADLINE_METRICS, key_figures

    data = load_results(results)
    first = [r["metric"] for r in key_figures(data, headline=True)]
    rest = [r["metric"] for r in key_figures(data, headline=False)]
    everything = [r["metric"] for r in key_figures(data)]
    assert sorted(first + rest) == sorted(everything)
    assert "transition_months" in first and "transition_cost" in first
    assert all(m in HEADLINE_METRICS or data.stat(m, "p_within_target") >= 0 for m in first)


def test_charts_drawn_in_worker_processes_equal_charts_drawn_serially(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulation.report import drawing as report

    folder = write_results_folder(tmp_path / "run")
    monkeypatch.setattr(report, "_chart_jobs", lambda charts: 2)
    parallel = {p.name: p.read_bytes() for p in report.write_charts(folder)}
    monkeypatch.setattr(report, "_chart_jobs", lambda charts: 1)
    serial = {p.name: p.read_bytes() for p in report.write_charts(folder)}
    assert len(serial) >= 10 and parallel == serial


# What management had to do (issue 14) ---------------------------------------------------------


def _with_p90(data: Results, values: dict[str, float]) -> Results:
    """``data`` with the P90 of some outputs replaced (the summary as another run wrote it)."""
    summary = data.by_metric.copy()
    for metric, value in values.items():
        summary.loc[metric, "p90"] = value
    return dataclasses.replace(data, summary=summary.reset_index())


def test_management_section_and_sentence_quote_the_summary(
    results: Path, samples: pd.DataFrame
) -> None:
    data = load_results(results)
    section = management_section(data)
    assert section is not None
    rows = {r["metric"]: r for r in section["rows"]}
    assert list(rows) == [
        "agency_agent_days",
        "overtime_weeks",
        "hypercare_agent_days",
        "abandoned_tickets",
        "final_target_agents",
        "response_cost",
    ]
    # every figure is the summary's, checked independently against the raw samples
    agency = samples["out.agency_agent_days"]
    assert rows["agency_agent_days"]["p90"] == f"{np.percentile(agency, 90):,.0f} agent-days"
    assert rows["agency_agent_days"]["p50"] == f"{np.median(agency):.1f} agent-days"
    overtime = samples["out.overtime_weeks"]
    assert rows["overtime_weeks"]["p90"] == f"{np.percentile(overtime, 90):.1f} weeks"
    assert rows["hypercare_agent_days"]["p90"] == "0 agent-days"
    team = samples["out.final_target_agents"]
    assert rows["final_target_agents"]["p50"] == f"{np.median(team):.0f} agents"
    assert rows["final_target_agents"]["p90"] == f"{np.percentile(team, 90):.0f} agents"
    assert f"(the plan: {PLANNED_TEAM} agents)" in rows["final_target_agents"]["meaning"]
    cost = np.percentile(samples["out.response_cost"], 90)
    assert rows["response_cost"]["p90"] == f"{cost / 1e3:.1f} k EUR"
    expected = (
        "In the 10% of futures that needed the most of each kind of help, management brought in "
        f"at least {np.percentile(agency, 90):,.0f} agency agent-days, ran overtime for at least "
        f"{np.percentile(overtime, 90):.1f} weeks and raised the team target from "
        f"{PLANNED_TEAM} to at least {np.percentile(team, 90):.0f} agents, at a response cost "
        f"of at least {cost / 1e3:.1f} k EUR; in nine futures in ten it used no hypercare "
        "from the outgoing vendor and no stale-ticket triage."
    )
    assert section["sentence"] == expected
    assert expected in executive_summary(data)
    html = (results / "report.html").read_text(encoding="utf-8")
    section_html = html[html.index('id="management"') : html.index('id="charts"')]
    assert "<h2>What management had to do</h2>" in section_html
    assert str(escape(expected)) in section_html
    for r in rows.values():
        assert f"<td>{escape(r['label'])}</td>" in section_html
        assert f'<td class="num">{r["p50"]}</td><td class="num">{r["p90"]}</td>' in section_html
    assert 'data-chart="fan_management"' in html


@pytest.mark.parametrize(
    ("p90", "sentence"),
    [
        (
            {"agency_agent_days": 0, "overtime_weeks": 0, "final_target_agents": PLANNED_TEAM}
            | {"response_cost": 0},
            "In nine futures in ten management used no agency staff, no overtime, no hypercare "
            "from the outgoing vendor, no stale-ticket triage and no larger team, and the "
            "response cost nothing.",
        ),
        (
            {"agency_agent_days": 0, "overtime_weeks": 0, "final_target_agents": PLANNED_TEAM}
            | {"response_cost": 12_000},
            "In nine futures in ten management used no agency staff, no overtime, no hypercare "
            "from the outgoing vendor, no stale-ticket triage and no larger team; the costliest "
            "10% of responses still cost at least 12.0 k EUR (each lever was used in at most one "
            "future in ten).",
        ),
        (
            {"agency_agent_days": 0, "overtime_weeks": 2.5, "final_target_agents": PLANNED_TEAM}
            | {"hypercare_agent_days": 120, "abandoned_tickets": 1234.4, "response_cost": 2.5e6},
            "In the 10% of futures that needed the most of each kind of help, management ran "
            "overtime for at least 2.5 weeks, called the outgoing vendor back for at least 120 "
            "agent-days of hypercare and closed at least 1,234 stale tickets unworked, at a "
            "response cost of at least 2.5 M EUR; in nine futures in ten it used no agency "
            "staff and no larger team.",
        ),
        (
            {"agency_agent_days": 0.01, "overtime_weeks": 0.04, "hypercare_agent_days": 0.02}
            | {"final_target_agents": PLANNED_TEAM, "response_cost": 0.3},
            "In nine futures in ten management used no agency staff, no overtime, no hypercare "
            "from the outgoing vendor, no stale-ticket triage and no larger team, and the "
            "response cost nothing.",
        ),
    ],
    ids=["no-help", "no-lever-but-cost", "some-levers", "help-that-rounds-to-nothing"],
)
def test_management_sentence_wording(results: Path, p90: dict[str, float], sentence: str) -> None:
    data = _with_p90(load_results(results), p90)
    assert management_sentence(data) == sentence
    assert sentence in executive_summary(data)


def test_management_sentence_leaves_out_what_it_cannot_know(results: Path) -> None:
    data = load_results(results)
    # outputs missing from summary.csv, and a plan that is uncertain (no single team size)
    summary = data.by_metric.drop(index=["agency_agent_days", "hypercare_agent_days"]).reset_index()
    inputs = data.inputs.copy()
    inputs.loc[inputs["input"] == "staffing.target_agents", "uncertain"] = True
    partial = dataclasses.replace(data, summary=summary, inputs=inputs)
    sentence = management_sentence(partial)
    assert sentence is not None
    assert "agency" not in sentence and "hypercare" not in sentence and "team" not in sentence
    assert sentence.startswith("In the 10% of futures that needed the most of each kind of help")
    assert "ran overtime for at least" in sentence
    assert sentence.endswith("; in nine futures in ten it used no stale-ticket triage.")
    # without inputs.csv there is no plan either; the table keeps the team size
    no_inputs = dataclasses.replace(data, inputs=pd.DataFrame())
    assert "team" not in (management_sentence(no_inputs) or "")
    section = management_section(no_inputs)
    assert section is not None
    assert "final_target_agents" in [r["metric"] for r in section["rows"]]
    # nothing of the management layer: no sentence, no section
    without = data.by_metric.drop(index=list(MANAGEMENT_OUTPUTS)).reset_index()
    none = dataclasses.replace(data, summary=without)
    assert management_sentence(none) is None and management_section(none) is None


def test_a_folder_from_before_the_management_layer_renders_without_the_section(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered without drawing the charts (report_context with no figures): the section, its
    PDF page and its chart are left out, and nothing else changes around them."""
    from simulation.report import pdf
    from simulation.report import run_report as report

    pdf_tables: list[tuple[str, str]] = []
    real = pdf._table_pages

    def spy(pages, table):  # type: ignore[no-untyped-def]
        pdf_tables.append((table.title, table.note))
        real(pages, table)

    monkeypatch.setattr(pdf, "_table_pages", spy)
    old = write_results_folder(tmp_path / "old", n=120, management=False)
    data = load_results(old)  # the contract accepts it: the new outputs are optional
    assert not any(data.has(m) for m in MANAGEMENT_OUTPUTS)
    assert {s.name for s in chart_specs(data)} == EXPECTED_CHARTS - {"fan_management"}
    context = report.report_context(data, [], [])
    assert context["management"] is None
    html = report.render_html(context).decode("utf-8")
    assert "What management had to do" not in html and 'id="management"' not in html
    # the key figures are followed by the charts exactly as before the section existed
    assert '</section>\n\n<section class="charts" id="charts">' in html
    assert not any("management" in s for s in executive_summary(data))
    pdf.render_pdf([], [], context)
    assert "What management had to do" not in [t for t, _ in pdf_tables]

    # the folder with the management layer gets the section in the PDF too, after the key figures
    pdf_tables.clear()
    data = load_results(results)
    pdf.render_pdf([], [], report.report_context(data, [], []))
    notes = dict(pdf_tables)
    assert notes["What management had to do"] == management_sentence(data)
    titles = [t for t, _ in pdf_tables]
    assert titles.index("Key figures") + 1 == titles.index("What management had to do")
