"""Scenario inheritance: ``extends = "base.toml"``; merging, each key's file, cycles, limits."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from simulation.distributions.continuous import Uniform
from simulation.distributions.families import Fixed
from simulation.errors import ScenarioError
from simulation.scenario.extends import MAX_EXTENDS_DEPTH
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]

BASE = """
[scenario]
name = "base"
[vendor]
agents = 4
tickets_per_agent_day = 10
monthly_fee = 20000
[demand]
tickets_per_day = { dist = "uniform", low = 25, high = 35 }
[staffing]
target_agents = 4
tickets_per_agent_day = 10
salary_per_year = 50000
time_to_hire_days = { dist = "pert", min = 10, mode = 20, max = 40 }
[targets]
transition_months = { at_most = 12 }
npv_savings = { at_least = 0 }

[[risks]]
name = "walkout"
probability = 0.2
event = "vendor_walkout"
level = 0.3
[[risks]]
name = "slow_hiring"
probability = 0.3
scales = "staffing.time_to_hire_days"
impact = 1.5

[[correlations]]
between = ["staffing.time_to_hire_days", "demand.tickets_per_day"]
rank = 0.5
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.messages


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_child_overrides_one_key_and_inherits_the_rest(tmp_path: Path) -> None:
    base = write(tmp_path, "base.toml", BASE)
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[staffing]\ntarget_agents = 8\n')
    sc, ref = load_scenario(child), load_scenario(base)
    assert sc.inputs["staffing.target_agents"] == Fixed(8.0)
    changed = {k for k in ref.inputs if sc.inputs[k] != ref.inputs[k]}
    assert changed == {"staffing.target_agents"}
    assert sc.options == ref.options and sc.risks == ref.risks
    assert sc.correlations == ref.correlations and sc.targets == ref.targets
    assert sc.path == str(child) and sc.files == (str(child), str(base))
    # the chain's hash: SHA-256 of the per-file hex digests, child first, joined by newlines
    joined = f"{sha(child)}\n{sha(base)}".encode()
    assert sc.sha256 == hashlib.sha256(joined).hexdigest()
    assert ref.sha256 == sha(base) and ref.files == (str(base),)


def test_hash_changes_when_the_base_changes(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n')
    before = load_scenario(child).sha256
    write(tmp_path, "base.toml", BASE.replace("monthly_fee = 20000", "monthly_fee = 20001"))
    after = load_scenario(child)
    assert after.sha256 != before
    assert after.inputs["vendor.monthly_fee"] == Fixed(20001.0)


def test_a_distribution_table_replaces_the_base_value_whole(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        """
        extends = "base.toml"
        [staffing]
        time_to_hire_days = { dist = "uniform", low = 15, high = 30 }
        [vendor]
        tickets_per_agent_day = { dist = "uniform", low = 8, high = 12 }
        """,
    )
    sc = load_scenario(child)
    # no stray 'min'/'mode'/'max' inherited from the base's pert
    assert sc.inputs["staffing.time_to_hire_days"] == Uniform(low=15.0, high=30.0)
    assert sc.inputs["vendor.tickets_per_agent_day"] == Uniform(low=8.0, high=12.0)
    # a table without 'dist' does not patch the base's distribution: it is an error
    partial = write(
        tmp_path,
        "partial.toml",
        'extends = "base.toml"\n[staffing]\ntime_to_hire_days = { max = 50 }\n',
    )
    # (and the base's correlation on that input is not reported a second time)
    (msg,) = errors(partial)
    assert msg.startswith(f"{partial}: staffing.time_to_hire_days: missing 'dist'")


def test_fixed_input_in_child_breaks_a_base_correlation(tmp_path: Path) -> None:
    base = write(tmp_path, "base.toml", BASE)
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[demand]\ntickets_per_day = 31\n')
    assert errors(child) == [
        f"{base}: correlations[0].between: 'demand.tickets_per_day' is fixed: only uncertain "
        "inputs can correlate"
    ]


def test_targets_are_replaced_whole(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        'extends = "base.toml"\n[targets]\ntransition_months = { at_least = 3 }\n',
    )
    targets = {t.metric: t for t in load_scenario(child).targets}
    assert targets["transition_months"].at_least == 3.0
    assert targets["transition_months"].at_most is None
    assert targets["npv_savings"].at_least == 0.0  # kept from the base


def test_risks_merge_by_name(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        """
        extends = "base.toml"
        [[risks]]
        name = "new_one"
        probability = 0.1
        adds_to = "phases.negotiation_weeks"
        impact = 4
        [[risks]]
        name = "walkout"
        probability = 0.5
        event = "vendor_walkout"
        level = 0.1
        """,
    )
    sc = load_scenario(child)
    # replaced in place, new names appended
    assert [r.name for r in sc.risks] == ["walkout", "slow_hiring", "new_one"]
    assert sc.inputs["risks.walkout.occurs"].mean() == pytest.approx(0.5)
    assert sc.inputs["risks.walkout.level"] == Fixed(0.1)
    assert sc.inputs["risks.slow_hiring.occurs"].mean() == pytest.approx(0.3)


def test_remove_deletes_a_base_risk_and_correlation(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        """
        extends = "base.toml"
        [[risks]]
        name = "slow_hiring"
        remove = true
        [[correlations]]
        between = ["demand.tickets_per_day", "staffing.time_to_hire_days"]
        remove = true
        """,
    )
    sc = load_scenario(child)
    assert [r.name for r in sc.risks] == ["walkout"]
    assert not any(k.startswith("risks.slow_hiring.") for k in sc.inputs)
    assert sc.correlations == ()


def test_remove_of_an_unknown_entry_names_the_child(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        'extends = "base.toml"\n[[risks]]\nname = "nope"\nremove = true\n'
        '[[risks]]\nname = "walkout"\nremove = "yes"\n',
    )
    assert errors(child) == [
        f"{child}: risks.nope.remove: the base scenario has no such entry to remove",
        f"{child}: risks.walkout.remove: must be true or false",
    ]


def test_correlations_merge_by_pair_in_either_order(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", BASE)
    child = write(
        tmp_path,
        "child.toml",
        """
        extends = "base.toml"
        [vendor]
        tickets_per_agent_day = { dist = "uniform", low = 8, high = 12 }
        [[correlations]]
        between = ["demand.tickets_per_day", "staffing.time_to_hire_days"]
        rank = -0.3
        [[correlations]]
        between = ["vendor.tickets_per_agent_day", "demand.tickets_per_day"]
        rank = 0.2
        """,
    )
    pairs = [(c.a, c.b, c.rank) for c in load_scenario(child).correlations]
    assert pairs == [
        ("demand.tickets_per_day", "staffing.time_to_hire_days", -0.3),
        ("vendor.tickets_per_agent_day", "demand.tickets_per_day", 0.2),
    ]


def test_each_message_names_the_file_of_its_key(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "base.toml",
        BASE.replace("salary_per_year = 50000", "salary_per_year = 50000\nonboardin_days = 5")
        + '\n[[risks]]\nname = "bad"\nprobability = 2\nevent = "hiring_freeze"\n'
        "duration_days = 10\n",
    )
    child = write(
        tmp_path,
        "sub/child.toml",
        """
        extends = "../base.toml"
        [vendor]
        monthly_fe = 3
        [knowlege]
        domains = 3
        [[correlations]]
        between = ["staffing.time_to_hire_days", "vendor.agents"]
        rank = 0.1
        """,
    )
    assert errors(child) == [
        f"{child}: knowlege: unknown section (did you mean 'knowledge'?)",
        f"{child}: vendor.monthly_fe: unknown key (did you mean 'monthly_fee'?)",
        f"{base}: staffing.onboardin_days: unknown key (did you mean 'onboarding_days'?)",
        f"{base}: risks.bad.probability: must be a number within [0, 1], got 2",
        f"{child}: correlations[0].between: 'vendor.agents' is fixed: only uncertain inputs "
        "can correlate",
    ]


def test_a_chain_of_three(tmp_path: Path) -> None:
    c = write(tmp_path, "c.toml", BASE)
    b = write(tmp_path, "b.toml", 'extends = "c.toml"\n[vendor]\nmonthly_fee = 30000\n')
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n[scenario]\nname = "a"\n')
    sc = load_scenario(a)
    assert sc.files == (str(a), str(b), str(c))
    assert sc.name == "a"
    assert sc.inputs["vendor.monthly_fee"] == Fixed(30000.0)
    assert sc.inputs["vendor.agents"] == Fixed(4.0)


def test_extends_a_shipped_scenario(tmp_path: Path) -> None:
    shipped = ROOT / "scenarios" / "it_helpdesk.toml"
    child = write(
        tmp_path, "fixed.toml", f'extends = "{shipped.as_posix()}"\n[policy]\ncutover = "fixed"\n'
    )
    sc, ref = load_scenario(child), load_scenario(shipped)
    assert sc.options["policy.cutover"] == "fixed"
    assert sc.inputs == ref.inputs and sc.risks == ref.risks
    assert sc.seed == ref.seed and sc.iterations == ref.iterations


def test_cycle_is_an_error_naming_the_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    b = write(tmp_path, "b.toml", 'extends = "./a.toml"\n')
    assert errors(a) == [f"{b}: extends: cycle of scenario files: {a} -> {b} -> {a}"]
    me = write(tmp_path, "me.toml", 'extends = "me.toml"\n')
    assert errors(me) == [f"{me}: extends: cycle of scenario files: {me} -> {me}"]


def test_depth_limit(tmp_path: Path) -> None:
    write(tmp_path, "f0.toml", BASE)
    for i in range(1, MAX_EXTENDS_DEPTH + 1):
        write(tmp_path, f"f{i}.toml", f'extends = "f{i - 1}.toml"\n')
    assert len(load_scenario(tmp_path / f"f{MAX_EXTENDS_DEPTH - 1}.toml").files) == (
        MAX_EXTENDS_DEPTH
    )
    (msg,) = errors(tmp_path / f"f{MAX_EXTENDS_DEPTH}.toml")
    assert msg.startswith(
        f"{tmp_path / f'f{MAX_EXTENDS_DEPTH}.toml'}: extends: the chain is longer than "
        f"{MAX_EXTENDS_DEPTH} files"
    )


def test_missing_base_file(tmp_path: Path) -> None:
    child = write(tmp_path, "child.toml", 'extends = "nope/base.toml"\n')
    assert errors(child) == [f"{child}: extends: file not found: {tmp_path / 'nope/base.toml'}"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 'must be the file name of the base scenario, e.g. "it_helpdesk.toml", got int 3'),
        ('""', "must be the file name of the base scenario"),
        ('"base.txt"', "must name a .toml file, got 'base.txt'"),
        ('"/dev/zero.toml"', "file not found: /dev/zero.toml"),
    ],
)
def test_bad_extends_values(tmp_path: Path, value: str, expected: str) -> None:
    child = write(tmp_path, "child.toml", f"extends = {value}\n")
    (msg,) = errors(child)
    assert msg.startswith(f"{child}: extends: {expected}")


def test_folder_as_base(tmp_path: Path) -> None:
    (tmp_path / "dir.toml").mkdir()
    child = write(tmp_path, "child.toml", 'extends = "dir.toml"\n')
    assert errors(child) == [f"{child}: extends: not a regular file: {tmp_path / 'dir.toml'}"]


def test_syntax_error_in_the_base_names_the_base(tmp_path: Path) -> None:
    base = write(tmp_path, "base.toml", "[scenario\nname = 1\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n')
    (msg,) = errors(child)
    assert msg.startswith(f"{base}: TOML syntax error:")
    assert "line 1" in msg


def test_loading_does_not_change_the_base(tmp_path: Path) -> None:
    """Merging must not alter the parsed base: two children of one base stay independent."""
    write(tmp_path, "base.toml", BASE)
    one = write(tmp_path, "one.toml", 'extends = "base.toml"\n[staffing]\ntarget_agents = 9\n')
    two = write(tmp_path, "two.toml", 'extends = "base.toml"\n')
    assert load_scenario(one).inputs["staffing.target_agents"] == Fixed(9.0)
    assert load_scenario(two).inputs["staffing.target_agents"] == Fixed(4.0)


def test_extends_name_too_long(tmp_path: Path) -> None:
    child = write(tmp_path, "child.toml", f'extends = "{"x" * 5000}.toml"\n')
    (msg,) = errors(child)
    assert msg.startswith(f"{child}: extends: ")
