"""Limits that hold after risks, sweeps and distributions (issue 13), through the real CLI.

Every count, calendar and duration key has one upper limit (``KeySpec.maximum``); a value, a
distribution's support, a risk's shocked value and a sweep value above it are refused when the
scenario is validated, with the offending value named. Risks may not shock structural keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simulation import schema
from simulation.cli import main
from simulation.params import build_inputs
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.mark.parametrize("spec", LIMITED, ids=lambda s: s.path)
def test_a_value_above_the_limit_is_refused(tmp_path: Path, spec: schema.KeySpec) -> None:
    assert spec.maximum is not None
    top = spec.maximum * 10 if spec.maximum >= 1 else spec.maximum + 1
    path = write(tmp_path, f"[{spec.section}]\n{spec.key} = {_value(spec, top)}\n")
    out = refused(validate(path), f"{spec.path}: must be at most {_shown(spec.maximum)}")
    assert spec.why in out
    # the limit itself is accepted
    path = write(tmp_path, f"[{spec.section}]\n{spec.key} = {_value(spec, spec.maximum)}\n")
    result = validate(path)
    assert result.exit_code == 0, result.output


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
