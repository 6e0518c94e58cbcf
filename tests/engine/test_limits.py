"""Limits that hold after risks, sweeps and distributions (issue 13), through the real CLI.

Every count, calendar and duration key has one upper limit (``KeySpec.maximum``); a value, a
distribution's support, a risk's shocked value and a sweep value above it are refused when the
scenario is validated, with the offending value named. Risks may not shock structural keys.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from simulation.analysis.risk_removal import risk_removal
from simulation.cli import main
from simulation.engine import memory
from simulation.engine.run import simulate
from simulation.model.inputs import build_inputs
from simulation.scenario import schema
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

#: Keys whose limit has a message of its own (the memory they would take).
SIZE_KEYS = {"simulation.iterations", "scenario.horizon_months"}
LIMITED = [s for s in schema.KEYS if s.maximum is not None and s.path not in SIZE_KEYS]


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'extends = "{MINIMAL}"\n{text}')
    return path


def validate(path: Path) -> Result:
    return CliRunner().invoke(main, ["validate", str(path)])


def refused(result: Result, *fragments: str) -> str:
    """The output of a command refused with exit 1, a one-line message per problem and no
    traceback; each fragment must appear in it."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    return result.output


def _value(spec: schema.KeySpec, value: float) -> str:
    return str(int(value)) if spec.kind == "integer" else repr(float(value))


# Count, calendar and duration keys ---------------------------------------------------------------


def test_every_count_and_calendar_key_has_a_limit() -> None:
    """Every integer key (counts, calendar, horizon, weeks, months) has a maximum with a reason;
    so do the durations and rates whose absurd size makes the model loop or overflow."""
    for spec in schema.KEYS:
        if spec.kind == "integer" and spec.path != "simulation.seed":
            assert spec.maximum is not None, spec.path
        if spec.maximum is not None:
            assert spec.why, spec.path
    for path in (
        "staffing.annual_attrition",
        "staffing.time_to_hire_days",
        "knowledge.transfer_cv",
        "demand.tickets_per_day",
        "phases.negotiation_weeks",
    ):
        assert schema.BY_PATH[path].maximum is not None, path
    for field in ("agents", "extra_tickets_per_day", "duration_days"):
        assert schema.RISK_FIELDS[field].maximum is not None


#: Numbers without a maximum of their own, beyond fractions, rates and money (whose size
#: changes no amount of work in the model): why none is needed.
UNLIMITED = {
    "simulation.seed": "any 64-bit seed is valid",
    "vendor.tickets_per_agent_day": "a productivity: no size makes the model loop or overflow",
    "staffing.tickets_per_agent_day": "a productivity: no size makes the model loop or overflow",
    "incoming.tickets_per_agent_day": "a productivity: no size makes the model loop or overflow",
    "vendor.extension_premium": "a price factor, like money",
    "policy.readiness_capacity": "a share of demand: above 1 asks for spare capacity",
}


def test_every_numeric_key_has_a_bound() -> None:
    """Every number a scenario may give (the response layer of issue 14 included) has a bound
    kind, and a maximum unless its bound already limits it, it is money or a rate, or
    :data:`UNLIMITED` says why not."""
    for spec in schema.KEYS:
        if not spec.numeric:
            continue
        assert spec.bound != "any", spec.path
        if spec.maximum is None:
            assert (
                spec.bound in ("fraction", "rate")
                or spec.unit.startswith("currency")
                or spec.path in UNLIMITED
            ), spec.path
    for path in ("response.review_days", "response.agency_max_agents", "vendor.backfill_days"):
        assert path in {s.path for s in LIMITED}


def test_an_agency_assignment_of_no_months_is_refused(tmp_path: Path) -> None:
    """At 0 every agency agent would leave on arrival, billed agency_min_days for no work."""
    path = write(tmp_path, "[response]\nagency_max_months = 0\n")
    refused(validate(path), "response.agency_max_months: must be > 0 (got 0 months)")


@pytest.mark.parametrize("spec", LIMITED, ids=lambda s: s.path)
def test_a_value_above_the_limit_is_refused(tmp_path: Path, spec: schema.KeySpec) -> None:
    assert spec.maximum is not None
    top = spec.maximum * 10 if spec.maximum >= 1 else spec.maximum + 1
    path = write(tmp_path, f"[{spec.section}]\n{spec.key} = {_value(spec, top)}\n")
    out = refused(validate(path), f"{spec.path}: must be at most {_shown(spec.maximum)}")
    assert spec.why in out
    # the limit itself is accepted (by the reader; the pre-run guards may still object to a
    # billion tickets a day for four agents), with the keys a rule across keys ties it to
    path = write(
        tmp_path,
        f"[{spec.section}]\n{spec.key} = {_value(spec, spec.maximum)}\n"
        + COMPANIONS.get(spec.path, INCOMING if spec.section == "incoming" else ""),
    )
    assert load_scenario(path).inputs.get(spec.path, None) is not None or spec.section == (
        "simulation"
    )


#: What a key at its limit needs beside it to pass the rules across keys: triage must close
#: only tickets older than the SLA (the longest SLA leaves no triage age above it), and the
#: team target cap of minimal.toml (6) must not be below the plan; only the vendor's agents can
#: be offered a transfer, each to a post in the team; the incoming team's keys are read only
#: for a new vendor (its ``[incoming]`` table gets ``kind = "vendor"``); the terms of staying
#: are read only under ``strategy = "stay"``.
COMPANIONS = {
    "demand.sla_days": "[response]\ntriage = false\n",
    "staffing.target_agents": "[response]\nmax_target_agents = 10000\n",
    "staffing.transfer_offers": (
        "target_agents = 10000\n[vendor]\nagents = 10000\n[response]\nmax_target_agents = 10000\n"
    ),
    "stay.from_month": '[policy]\nstrategy = "stay"\n',
}
INCOMING = 'kind = "vendor"\nmonthly_fee = 1000\n'


def _shown(value: float) -> str:
    if float(value).is_integer():
        value = int(value)
        return f"{value:,}" if value >= 10_000 else str(value)
    return f"{value:g}"


def test_a_distribution_reaching_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[knowledge]\ndomains = { dist = "uniform", low = 5, high = 20000 }\n'
        '[staffing]\nannual_attrition = { dist = "lognormal", mean = 0.4, sd = 2 }\n',
    )
    refused(
        validate(path),
        "knowledge.domains: must be at most 10,000 domains (its distribution reaches 20,000)",
        "staffing.annual_attrition: must be at most 12 per year (its distribution reaches",
    )


def test_a_risk_event_field_above_its_limit_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[risks]]\nname = "mass_exodus"\nprobability = 0.1\nevent = "staff_loss"\n'
        "agents = 50000\n"
        '[[risks]]\nname = "endless_freeze"\nprobability = 0.1\nevent = "hiring_freeze"\n'
        "duration_days = 1e9\n",
    )
    refused(
        validate(path),
        "risks.mass_exodus.agents: must be at most 10,000 agents (got 50,000)",
        "risks.endless_freeze.duration_days: must be at most 186,000 working days",
    )


def test_the_model_clamps_into_the_same_limit() -> None:
    """The parameter object's clamping (a numerical safety net) reads the same maximum."""
    scenario = load_scenario(MINIMAL)
    values = scenario.fixed_values()
    values["demand.working_days_per_month"] = 100.0
    values["staffing.parallel_hiring"] = 1e9
    inputs = build_inputs(values, scenario.options)
    assert inputs.working_days_per_month == 31
    assert inputs.parallel_hiring == schema.MAX_COUNT


# Risk shocks -------------------------------------------------------------------------------------

SHOCKABLE = [s for s in LIMITED if not s.structural and s.section != "simulation"]


@pytest.mark.parametrize("spec", SHOCKABLE, ids=lambda s: s.path)
def test_a_risk_shock_past_the_limit_is_refused(tmp_path: Path, spec: schema.KeySpec) -> None:
    """For every limited key: adding its whole limit to it, or scaling it by a factor that
    passes the limit, is refused on the risk's impact, naming the shocked value."""
    assert spec.maximum is not None
    value = spec.maximum / 2
    given = f"[{spec.section}]\n{spec.key} = {_value(spec, value)}\n"
    path = write(
        tmp_path,
        given
        + f'[[risks]]\nname = "grows"\nprobability = 0.3\nadds_to = "{spec.path}"\n'
        + f"impact = {_value(spec, spec.maximum)}\n"
        + f'[[risks]]\nname = "triples"\nprobability = 0.3\nscales = "{spec.path}"\n'
        + 'impact = { dist = "uniform", low = 1, high = 3 }\n',
    )
    limit = f"above its limit of {_shown(spec.maximum)}"
    refused(
        validate(path),
        f"risks.grows.impact: adds {_shown(spec.maximum)} to {spec.path}",
        f"risks.triples.impact: scales {spec.path}",
        "by up to 3, giving up to",
        limit,
    )


def test_shocks_on_one_key_add_up_in_register_order(tmp_path: Path) -> None:
    """Two risks each within the limit, together beyond it: the second is refused."""
    path = write(
        tmp_path,
        "[staffing]\ntarget_agents = 4000\n"
        '[[risks]]\nname = "a"\nprobability = 0.5\nadds_to = "staffing.target_agents"\n'
        "impact = 3000\n"
        '[[risks]]\nname = "b"\nprobability = 0.5\nscales = "staffing.target_agents"\n'
        "impact = 1.5\n",
    )
    out = refused(
        validate(path),
        "risks.b.impact: scales staffing.target_agents (4000 to 7000 after risks.a) by 1.5, "
        "giving up to 10,500, above its limit of 10,000 agents",
    )
    assert "risks.a" not in out.split("risks.b.impact")[0]


def test_a_shock_below_the_bound_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[risks]]\nname = "walkaway"\nprobability = 0.2\nadds_to = "staffing.target_agents"\n'
        "impact = -10\n"
        '[[risks]]\nname = "eager"\nprobability = 0.2\nscales = "vendor.cooperation"\n'
        'impact = { dist = "pert", min = 0.5, mode = 1, max = 1.5 }\n'
        '[[risks]]\nname = "refund"\nprobability = 0.2\nadds_to = "costs.one_off_tooling"\n'
        "impact = -5\n",
    )
    refused(
        validate(path),
        "risks.walkaway.impact: adds -10 to staffing.target_agents (4), giving -6, but "
        "staffing.target_agents must not be negative",
        "risks.eager.impact: scales vendor.cooperation (1) by up to 1.5, giving up to 1.5, but "
        "vendor.cooperation must be within [0, 1]",
        "risks.refund.impact: adds -5 to costs.one_off_tooling (0), giving -5",
    )


def test_a_shock_within_the_limits_is_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[risks]]\nname = "more_domains"\nprobability = 0.2\nadds_to = "knowledge.domains"\n'
        'impact = { dist = "uniform", low = 1, high = 9996 }\n'
        '[[risks]]\nname = "shy"\nprobability = 0.2\nscales = "vendor.cooperation"\n'
        "impact = 0.5\n",
    )
    result = validate(path)
    assert result.exit_code == 0, result.output


# Structural keys ---------------------------------------------------------------------------------

STRUCTURAL = [s for s in schema.KEYS if s.structural]


def test_the_structural_keys() -> None:
    assert {s.path for s in STRUCTURAL} == {
        "scenario.horizon_months",
        "demand.working_days_per_month",
        "demand.working_days_per_week",
    }


@pytest.mark.parametrize("spec", STRUCTURAL, ids=lambda s: s.path)
@pytest.mark.parametrize("mode", ["adds_to", "scales"])
def test_a_risk_on_a_structural_key_is_refused(
    tmp_path: Path, spec: schema.KeySpec, mode: str
) -> None:
    path = write(
        tmp_path,
        f'[[risks]]\nname = "shift"\nprobability = 0.5\n{mode} = "{spec.path}"\nimpact = 1\n',
    )
    verb = "add to" if mode == "adds_to" else "scale"
    out = refused(validate(path), f"risks.shift.{mode}: a risk cannot {verb} {spec.path}: ")
    assert spec.structural in out


def test_a_risk_scaling_the_horizon_is_refused_by_run_not_crashed(tmp_path: Path) -> None:
    """Before: the run crashed with a numpy broadcast error in the middle of the simulation."""
    path = write(
        tmp_path,
        '[[risks]]\nname = "longer"\nprobability = 0.5\nscales = "scenario.horizon_months"\n'
        "impact = 1.5\n",
    )
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(path),
            "-n",
            "8",
            "-j",
            "1",
            "--no-report",
            "-q",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    refused(result, "risks.longer.scales: a risk cannot scale scenario.horizon_months")
    assert "monthly series" in result.output
    assert not (tmp_path / "out").exists()


# Sweeps ------------------------------------------------------------------------------------------


def sweep(tmp_path: Path, scenario: Path, *sets: str, n: str = "8") -> Result:
    args = ["sweep", str(scenario), "-n", n, "-j", "1", "--seed", "1", "--no-chart", "-q"]
    for s in sets:
        args += ["--set", s]
    return CliRunner().invoke(main, [*args, "--out", str(tmp_path / "sweep")])


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "scenario.horizon_months=120:1200:1080",
            "--set scenario.horizon_months=1200: must be at most 600 months (got 1200): every "
            "iteration keeps 9 monthly series",
        ),
        (
            "staffing.parallel_hiring=2,1000000000",
            "--set staffing.parallel_hiring=1e+09: must be at most 10,000 requisitions "
            "(got 1,000,000,000)",
        ),
        (
            "demand.working_days_per_month=21,100",
            "--set demand.working_days_per_month=100: must be at most 31 days a month (got 100)",
        ),
        (
            "policy.stable_weeks=4,5000",
            "--set policy.stable_weeks=5000: must be at most 2600 weeks (got 5000)",
        ),
        (
            "knowledge.transfer_cv=0.3,50",
            "--set knowledge.transfer_cv=50: must be at most 10 (got 50)",
        ),
    ],
)
def test_sweep_values_pass_the_scenario_files_limits(
    tmp_path: Path, setting: str, message: str
) -> None:
    """Before: the sweep ran any value its key's bound kind allowed, past every limit."""
    result = sweep(tmp_path, MINIMAL, setting)
    out = refused(result, f"error: {message}")
    assert len(out.strip().splitlines()) == 1
    assert not (tmp_path / "sweep").exists()


RISKY = """
[response]
max_target_agents = 10000

[[risks]]
name = "reorg"
probability = 0.3
adds_to = "staffing.target_agents"
impact = 3000
"""


def test_a_setting_that_pushes_a_risk_shock_past_the_limit_is_refused(tmp_path: Path) -> None:
    """Each value alone is fine; with the risk's impact one setting passes the limit."""
    path = write(tmp_path, RISKY)
    assert validate(path).exit_code == 0
    out = refused(
        sweep(tmp_path, path, "staffing.target_agents=4000,8000"),
        "error: --set staffing.target_agents=8000: risks.reorg.impact: adds 3000 to "
        "staffing.target_agents (8000), giving 11,000, above its limit of 10,000 agents",
    )
    assert "=4000" not in out
    refused(
        sweep(tmp_path, path, "risks.reorg.impact=10,20000"),
        "error: --set risks.reorg.impact=20000: risks.reorg.impact: adds 20,000 to "
        "staffing.target_agents (4), giving 20,004, above its limit of 10,000 agents",
    )


def test_a_sweep_within_the_limits_runs(tmp_path: Path) -> None:
    result = sweep(tmp_path, write(tmp_path, RISKY), "staffing.target_agents=4,6")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sweep" / "sweep.csv").is_file()


# Memory ------------------------------------------------------------------------------------------


def machine_with(monkeypatch: pytest.MonkeyPatch, room: float) -> None:
    """Pretend the machine has ``room`` bytes available (the figure the OS would give)."""
    monkeypatch.setattr(memory, "available_bytes", lambda: (room, "available (test figure)"))


def need_of(path: Path, n: int, jobs: int = 1) -> memory.Need:
    return memory.scenario_need(load_scenario(path), n, jobs)


def run(tmp_path: Path, scenario: Path, *args: str) -> Result:
    out = tmp_path / "results"
    cmd = ["run", str(scenario), "-j", "1", "--no-report", "-q", "--out", str(out), *args]
    return CliRunner().invoke(main, cmd)


def test_the_formula_counts_what_the_engine_holds() -> None:
    """The per-iteration terms are the engine's arrays: monthly float32 series × horizon,
    float64 scalars and input rows, a uint8 flag per risk."""
    scenario = load_scenario(ROOT / "scenarios" / "it_helpdesk.toml")
    raw = simulate(scenario, RunOptions(10, seed=1, jobs=1))
    assert raw.monthly.nbytes / 10 == 4 * len(schema.SERIES_NAMES) * 60
    row = raw.scalars.nbytes + raw.inputs.values.nbytes + raw.risks.nbytes
    table = memory.TABLE_COPIES * (row / 10 + 1)
    risks = len(scenario.risks)
    assert memory.per_iteration_bytes(60, len(scenario.uncertain), risks) == pytest.approx(
        raw.monthly.nbytes / 10 + table
    )


def test_a_run_larger_than_the_machine_is_refused_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need = need_of(MINIMAL, 200_000)
    machine_with(monkeypatch, 0.9 * need.bytes)
    out = refused(
        run(tmp_path, MINIMAL, "-n", "200000"),
        f"error: {MINIMAL}: 200,000 iterations over a 24-month horizon would need about "
        f"{memory.size_text(need.bytes)} of memory ({memory.size_text(need.per_iteration)} an "
        f"iteration), but this machine has {memory.size_text(0.9 * need.bytes)} available "
        "(test figure); use at most ",
    )
    assert len(out.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()
    assert not any(tmp_path.iterdir())  # no hidden staging folder left either
    # the advised count fits
    advised = int(out.split("use at most ")[1].split(" ")[0].replace(",", ""))
    assert need_of(MINIMAL, advised).bytes <= 0.9 * need.bytes < need_of(MINIMAL, advised * 2).bytes
    # a run that fits goes ahead
    machine_with(monkeypatch, need_of(MINIMAL, 8).bytes * 1.01)
    assert run(tmp_path, MINIMAL, "-n", "8").exit_code == 0


def test_the_check_counts_the_iterations_actually_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap of --iterations auto, and the scenario's own simulation.iterations."""
    machine_with(monkeypatch, 2e9)
    refused(
        run(tmp_path, MINIMAL, "--iterations", "auto", "--max-iterations", "2000000"),
        "2,000,000 iterations over a 24-month horizon would need about",
        "but this machine has 2.0 GB available (test figure)",
    )
    long = write(tmp_path, "[scenario]\nhorizon_months = 600\n[simulation]\niterations = 2000000\n")
    assert validate(long).exit_code == 0  # a big machine could run it
    need = need_of(long, 2_000_000)
    assert need.bytes > 40 * 2**30  # about 40 GiB of monthly series alone
    refused(
        run(tmp_path, long),
        f"{long}: 2,000,000 iterations over a 600-month horizon would need about "
        f"{memory.size_text(need.bytes)}",
    )


def test_compare_needs_every_alternative_in_memory_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write(tmp_path, "[staffing]\ntarget_agents = 5\n", "other.toml")
    one = need_of(MINIMAL, 100_000)
    machine_with(monkeypatch, 1.3 * one.bytes)  # each alone fits, both together do not
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(MINIMAL),
            str(other),
            "-n",
            "100000",
            "-j",
            "1",
            "-q",
            "--out",
            str(tmp_path / "cmp"),
        ],
    )
    refused(
        result,
        "error: compare: 100,000 iterations of each of the 2 alternatives would need about",
        f"together ({MINIMAL}: ",
        "available (test figure); use at most",
    )
    assert not (tmp_path / "cmp").exists()


def test_sweep_checks_every_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short = need_of(MINIMAL, 20_000)
    long = need_of(write(tmp_path, "[scenario]\nhorizon_months = 600\n"), 20_000)
    machine_with(monkeypatch, (short.bytes + long.bytes) / 2)
    refused(
        sweep(tmp_path, MINIMAL, "scenario.horizon_months=24,600", n="20000"),
        "error: --set scenario.horizon_months=600: 20,000 iterations over a 600-month horizon "
        f"would need about {memory.size_text(long.bytes)}",
    )


def test_the_machine_memory_comes_from_the_os(tmp_path: Path) -> None:
    room, source = memory.available_bytes() or (0.0, "")
    assert 0 < room <= os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert source
    # cgroup v2: the limit of the process's own group, less what it uses
    (tmp_path / "v2" / "job").mkdir(parents=True)
    (tmp_path / "v2" / "job" / "memory.max").write_text("4000000000\n")
    (tmp_path / "v2" / "job" / "memory.current").write_text("1000000000\n")
    (tmp_path / "self-v2").write_text("0::/job\n")
    assert memory._cgroup_room(tmp_path / "v2", tmp_path / "self-v2") == 3e9
    # cgroup v1 without a limit ("no limit" is reported as about 2**63)
    (tmp_path / "v1" / "memory" / "job").mkdir(parents=True)
    (tmp_path / "v1" / "memory" / "job" / "memory.limit_in_bytes").write_text(f"{2**63 - 4096}")
    (tmp_path / "self-v1").write_text("4:memory:/job\n1:cpu:/\n")
    assert memory._cgroup_room(tmp_path / "v1", tmp_path / "self-v1") is None
    (tmp_path / "v1" / "memory" / "job" / "memory.limit_in_bytes").write_text("2000000000")
    (tmp_path / "v1" / "memory" / "job" / "memory.usage_in_bytes").write_text("500000000")
    assert memory._cgroup_room(tmp_path / "v1", tmp_path / "self-v1") == 1.5e9


# Struck risks ------------------------------------------------------------------------------------

LATE = """
[[risks]]
name = "late_exodus"
probability = 0.5
event = "staff_loss"
agents = 2
window_start_month = 30
window_end_month = 40

[[risks]]
name = "at_the_end"
probability = 1
event = "hiring_freeze"
duration_days = 20
window_start_month = 24
window_end_month = 24

[[risks]]
name = "straddle"
probability = 0.5
event = "ticket_surge"
extra_tickets_per_day = 20
duration_days = 10
window_start_month = 12
window_end_month = 36
"""


def test_a_risk_beyond_the_horizon_is_never_struck(tmp_path: Path) -> None:
    """minimal.toml's horizon is 24 months: an event at or after month 24 does not happen.
    Before: risks.csv reported late_exodus struck in 50% of the futures."""
    path = write(tmp_path, LATE)
    result = validate(path)
    assert result.exit_code == 0, result.output
    assert (
        f"warning: {path}: risks.late_exodus: its window (months 30 to 40) lies beyond the "
        "24-month horizon, so it can never strike" in result.output
    )
    assert "risks.at_the_end: its window (month 24) lies beyond the 24-month horizon" in (
        result.output
    )
    assert (
        "risks.straddle: its window (months 12 to 36) reaches past the 24-month horizon: it "
        "strikes within the horizon in only 50% of the futures it occurs in" in result.output
    )
    run_result = run(tmp_path, path, "-n", "200", "--seed", "4")
    assert run_result.exit_code == 0, run_result.output
    assert "can never strike" in run_result.output  # the run warns too
    samples = pd.read_csv(tmp_path / "results" / "samples.csv")
    risks = pd.read_csv(tmp_path / "results" / "risks.csv").set_index("risk")
    assert samples["risk.late_exodus"].sum() == 0
    assert samples["risk.at_the_end"].sum() == 0
    assert risks.loc["late_exodus", "occurrence_rate"] == 0
    assert risks.loc["at_the_end", "occurrence_rate"] == 0
    assert risks.loc["late_exodus", "p80_transition_cost_change"] == 0
    # the one definition: occurred, and the month falls before the horizon
    occurred = samples["in.risks.straddle.occurs"] >= 0.5
    within = samples["in.risks.straddle.at_month"] < 24
    assert (samples["risk.straddle"] == (occurred & within).astype(int)).all()
    assert 0 < samples["risk.straddle"].sum() < occurred.sum()
    assert risks.loc["straddle", "occurrence_rate"] == samples["risk.straddle"].mean()


def test_the_ranking_reruns_exactly_the_struck_iterations(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, LATE))
    base = simulate(scenario, RunOptions(60, seed=2, jobs=1))
    totals: list[int] = []

    def progress(total: int):  # type: ignore[no-untyped-def]
        totals.append(total)
        return lambda n: None

    risk_removal(scenario, base, jobs=1, progress=progress)
    assert totals == [int(base.risks.sum())]


def test_a_risk_adding_to_an_unlisted_cost_item_runs(tmp_path: Path) -> None:
    """Before: every iteration the risk did not strike failed ('costs.one_off_licence')."""
    path = write(
        tmp_path,
        '[[risks]]\nname = "licence"\nprobability = 0.3\nadds_to = "costs.one_off_licence"\n'
        "impact = 5000\n",
    )
    result = run(tmp_path, path, "-n", "40", "--seed", "1")
    assert result.exit_code == 0, result.output
    samples = pd.read_csv(tmp_path / "results" / "samples.csv")
    struck = samples["risk.licence"] == 1
    assert 0 < struck.sum() < 40
    assert (samples.loc[struck, "out.one_off_cost"] == 5000).all()
    assert (samples.loc[~struck, "out.one_off_cost"] == 0).all()


# Inputs that make the model loop -----------------------------------------------------------------


def test_recruiting_that_never_ends_is_refused(tmp_path: Path) -> None:
    """Before: the model looped for ever at day 0 (every candidate declines in no time)."""
    path = write(tmp_path, "[staffing]\noffer_acceptance = 0\ntime_to_hire_days = 0\n")
    refused(
        run(tmp_path, path, "-n", "2"),
        f"error: {path}: staffing.time_to_hire_days: with a time to hire as short as 0 working "
        "days and offers accepted as rarely as 0 (staffing.offer_acceptance), the model would "
        "try candidates for ever in one iteration",
    )
    assert not (tmp_path / "results").exists()
    refused(validate(path), "would try candidates for ever")
    # a time to hire of 0 alone, or no acceptance alone, is finite and runs
    fine = write(tmp_path, "[staffing]\noffer_acceptance = 0\n", "fine.toml")
    assert validate(fine).exit_code == 0


def test_demand_growing_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[scenario]\nhorizon_months = 600\n[demand]\ntickets_per_day = 30\ngrowth_per_year = 1\n",
    )
    refused(
        validate(path),
        "demand.growth_per_year: demand of up to 30 tickets a day growing by up to 100% a year "
        "reaches 3.38e+16 tickets a day within the 600-month horizon, above the limit of "
        "1,000,000,000 tickets a day",
    )


def test_a_sweep_warns_when_a_setting_puts_a_risk_window_beyond_the_horizon(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        '[[risks]]\nname = "late"\nprobability = 0.5\nevent = "staff_loss"\nagents = 1\n'
        "window_start_month = 18\nwindow_end_month = 22\n",
    )
    result = sweep(tmp_path, path, "scenario.horizon_months=12,24")
    assert result.exit_code == 0, result.output
    assert (
        f"warning: --set scenario.horizon_months=12: {path}: risks.late: its window (months 18 "
        "to 22) lies beyond the 12-month horizon, so it can never strike" in result.output
    )
    assert "horizon_months=24: " not in result.output
