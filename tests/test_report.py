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
from report_fixture import write_results_folder

from simulation.errors import SimulationError
from simulation.report import (
    build_report,
    chart_specs,
    executive_summary,
    load_results,
    write_charts,
)

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
        **data.run,
        "convergence": {
            "mode": "auto",
            "converged": False,
            "message": "stopped at --max-iterations",
        },
    }
    summary = data.summary.copy()
    summary.loc["stabilised", "mean"] = 0.88
    sentences = executive_summary(dataclasses.replace(data, run=run, summary=summary))
    cautions = [s for s in sentences if s.startswith("Caution")]
    assert len(cautions) == 2
    assert "stopped at --max-iterations" in cautions[0]
    assert _number(r"in (\d+)% of the simulated futures the service never", cautions) == 12


def test_executive_summary_states_the_status_quo_and_both_paths_service(results: Path) -> None:
    """Staying outsourced is a distribution since issue 15: its range, the vendor's late
    tickets, and the last year's SLA compliance of both paths are quoted from summary.csv."""
    data = load_results(results)
    summary = data.summary.copy()
    rows = {
        "status_quo_npv": (5.2e6, 5.67e6, 6.26e6),
        "status_quo_disruption_cost": (3.75e5, 7.33e5, 1.32e6),
        "steady_sla_compliance": (0.989, 0.996, 1.0),
        "status_quo_sla_compliance": (0.851, 0.896, 0.937),
    }
    for metric, (p10, p50, p90) in rows.items():
        summary.loc[metric, ["p10", "p50", "p90"]] = (p10, p50, p90)
    sentences = executive_summary(dataclasses.replace(data, summary=summary))
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
    sentences = executive_summary(dataclasses.replace(data, summary=summary))
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
        data.run["scenario"]["sha256"],
        f">{data.run['seed']}<",
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
    html = (Path(__file__).parent.parent / "simulation" / "templates" / "page.html").read_text()
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
    from simulation.report import HEADLINE_METRICS, key_figures

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
    from simulation import report

    folder = write_results_folder(tmp_path / "run")
    monkeypatch.setattr(report, "_chart_jobs", lambda charts: 2)
    parallel = {p.name: p.read_bytes() for p in report.write_charts(folder)}
    monkeypatch.setattr(report, "_chart_jobs", lambda charts: 1)
    serial = {p.name: p.read_bytes() for p in report.write_charts(folder)}
    assert len(serial) >= 10 and parallel == serial
