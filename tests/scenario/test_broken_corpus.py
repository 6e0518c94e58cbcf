"""End to end on a corpus of broken scenario files (``tests/data/broken/``).

Each file's first line is ``# expect: TEXT``: ``simulate validate FILE`` must exit with code 1,
print no traceback, and print TEXT (the key the message must name, or for file-level problems
the phrase that says what is wrong) in one line naming the file (two for the files of
:data:`LINES`). For the files of :data:`EXACT`, TEXT is the whole message after the file's path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulation.cli import main
from simulation.errors import ScenarioError
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken"
CORPUS = sorted(BROKEN.glob("*.toml"))


#: Files with more than one problem, and how many lines they print.
LINES = {"extends_base_typo": 2, "extends_base_typo_base": 2}
#: Files whose ``# expect:`` line is the whole message (after ``<file>: ``).
EXACT = {
    # the response layer of issue 14: each key's own bound or type, and the rules across keys
    "response_agency_lead_negative",
    "response_triage_share_above_one",
    "response_review_days_zero",
    "response_enabled_string",
    "response_unknown_key_typo",
    "risk_walkout_timed_from_cutover",
    "risk_window_relative_to_month",
    "risk_adds_to_with_window",
    "triage_age_not_above_sla",
    "max_target_below_target",
    "vendor_min_staffing_above_one",
}


def expected(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ").strip()


def test_corpus_is_complete() -> None:
    assert len(CORPUS) >= 15
    kinds = {p.stem for p in CORPUS}
    for kind in (
        "syntax_error",
        "unknown_section",
        "unknown_key_typo",
        "wrong_type",
        "negative_duration",
        "probability_above_one",
        "min_above_mode",
        "unknown_distribution",
        "correlation_fixed_input",
        "correlation_rank_above_one",
        "risk_unknown_event",
        "target_unknown_metric",
        "huge_iterations",
        "horizon_10000_months",
        "million_domains",
        "nan_value",
        "extends_cycle_a",
        "non_utf8",
        *EXACT,
    ):
        assert kind in kinds
    assert set(LINES) <= kinds


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_validate_reports_the_key(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rel = path.relative_to(ROOT)
    monkeypatch.chdir(ROOT)  # messages show the path as given, relative to the project
    result = CliRunner().invoke(main, ["validate", str(rel)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert expected(path) in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and all(line.startswith(str(rel.parent)) for line in lines), result.output
    assert len(lines) == LINES.get(path.stem, 1), result.output
    if path.stem in EXACT:
        assert lines == [f"{rel}: {expected(path)}"]


def test_limits_state_the_limit_and_the_cost() -> None:
    """Absurd sizes name the limit and what they would cost, not just 'too large'."""
    messages = {}
    for name in ("million_domains", "huge_iterations", "horizon_10000_months"):
        with pytest.raises(ScenarioError) as exc:
            load_scenario(BROKEN / f"{name}.toml")
        (messages[name],) = exc.value.messages
    assert "at most 10,000 domains (got 1,000,000)" in messages["million_domains"]
    # 1e6 domains x 2 kB each, the documented per-process estimate
    assert "2.0 GB of memory" in messages["million_domains"]
    assert "at most 2,000,000 (got 1,000,000,000,000)" in messages["huge_iterations"]
    assert " PB of memory" in messages["huge_iterations"]
    assert "at most 600 months" in messages["horizon_10000_months"]
    # 12 series x 10,000 months x 4 bytes (float32, as the engine keeps them) = 480 kB
    assert "480.0 kB per iteration" in messages["horizon_10000_months"]


def test_extends_errors_name_the_file_of_the_key() -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(BROKEN / "extends_base_typo.toml")
    typo, missing = exc.value.messages
    assert typo.startswith(f"{BROKEN / 'extends_base_typo_base.toml'}: staffing.salary_per_yaer")
    # a key nobody gave is reported on the extending file
    assert missing.startswith(f"{BROKEN / 'extends_base_typo.toml'}: staffing.salary_per_year")


HOSTILE_NAME = """
[scenario]
name = "../../etc/passwd"
horizon_months = 12
[simulation]
iterations = 8
seed = 3
[vendor]
agents = 2
tickets_per_agent_day = 10
monthly_fee = 10000
[demand]
tickets_per_day = 15
[staffing]
target_agents = 2
tickets_per_agent_day = 10
salary_per_year = 50000
time_to_hire_days = { dist = "uniform", low = 10, high = 20 }
[knowledge]
domains = 2
"""


def test_path_traversal_in_the_name_stays_a_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision: a scenario name is display text; it is accepted and never becomes a path.
    The results folder is built from the file's stem."""
    work = tmp_path / "a" / "b"
    (work / "sub").mkdir(parents=True)
    (work / "sub" / "case.toml").write_text(HOSTILE_NAME)
    monkeypatch.chdir(work)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "sub/case.toml"])
    assert result.exit_code == 0, result.output
    assert load_scenario("sub/case.toml").name == "../../etc/passwd"
    result = runner.invoke(
        main, ["run", "sub/case.toml", "-n", "8", "-j", "1", "--no-report", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    folders = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir()}
    runs = {p for p in folders if p.startswith("a/b/results/case/") and p.count("/") == 4}
    assert len(runs) == 1, folders
    # nothing but the scenario's folder and results/case/<run> (and what is inside the run)
    expected = {"a", "a/b", "a/b/sub", "a/b/results", "a/b/results/case"} | runs
    assert {p for p in folders if not any(p.startswith(r + "/") for r in runs)} == expected


def test_a_misspelt_milestone_gets_a_suggestion(tmp_path: Path) -> None:
    text = (BROKEN / "risk_window_relative_to_month.toml").read_text()
    path = tmp_path / "typo.toml"
    path.write_text(text.replace('"month"', '"cutovr"'))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert exc.value.messages == [
        f"{path}: risks.late_leavers.window_relative_to: must be one of start, notice, cutover "
        "(the milestone the window's months count from), got string 'cutovr' (did you mean "
        "'cutover'?)"
    ]
