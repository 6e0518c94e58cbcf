"""``simulate new``: starter scenarios that validate, list every key, and never escape --dir."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simulation.cli.group import LazyGroup
from simulation.cli.new import new
from simulation.errors import SimulationError
from simulation.scenario import schema
from simulation.scenario.reader import load_scenario
from simulation.scenario.starter import MARKER, PLACEHOLDERS, check_name, starter_text

ROOT = Path(__file__).resolve().parents[2]

# The command as the `simulate` group runs it (errors become messages and exit code 1).
_cli = LazyGroup(name="simulate", commands={"new": new})


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(_cli, ["new", *args])


def test_starter_validates_and_sets_every_schema_key(tmp_path: Path) -> None:
    result = _invoke("my_case", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "my_case.toml"
    sc = load_scenario(path)
    assert sc.name == "my_case"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for spec in schema.KEYS:
        if spec.default is None and not spec.required and spec.path not in PLACEHOLDERS:
            continue  # optional keys without a default are shown commented out
        assert spec.key in data[spec.section], spec.path
        expected = PLACEHOLDERS.get(spec.path, spec.default)
        if spec.path == "scenario.name":
            expected = "my_case"
        assert data[spec.section][spec.key] == expected, spec.path
    # the model reads the defaults: every fixed input equals the schema default or placeholder
    for path_, dist in sc.inputs.items():
        key = schema.BY_PATH.get(path_)
        if key is not None and key.numeric and key.default is not None:
            assert dist.mean() == pytest.approx(float(key.default)), path_


def test_starter_comments_units_and_markers() -> None:
    text = starter_text("x")
    lines = text.splitlines()
    for spec in schema.KEYS:
        if not spec.numeric or spec.section == "simulation" or spec.default is None:
            continue
        start = lines.index(f"[{spec.section}]")
        i = next(n for n in range(start, len(lines)) if lines[n].startswith(f"{spec.key} = "))
        assert MARKER in lines[i], spec.path
        assert spec.doc.split(";")[0] in lines[i - 1] and f"[{spec.unit}]" in lines[i - 1]


def test_commented_examples_validate_when_uncommented(tmp_path: Path) -> None:
    """The risk, correlation and target examples are valid TOML and valid scenario entries."""
    text = starter_text("x")
    head, _, examples = text.partition("# [[risks]]")
    block = [
        line[2:]
        for line in ("# [[risks]]" + examples).splitlines()
        if line.startswith("# ") and re.match(r"\[|[a-z_]+ = ", line[2:])
    ]
    # the correlation example needs both inputs uncertain
    head = head.replace(
        "time_to_hire_days = 40 ",
        'time_to_hire_days = { dist = "pert", min = 20, mode = 40, max = 80 } ',
    ).replace(
        "salary_per_year = 50000 ",
        'salary_per_year = { dist = "pert", min = 45000, mode = 50000, max = 60000 } ',
    )
    text = head + "\n".join(block) + "\n"
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path)
    assert [r.name for r in sc.risks] == ["negotiation_delay", "key_staff_loss"]
    assert len(sc.correlations) == 1 and len(sc.targets) == 3


def test_like_extends_the_base(tmp_path: Path) -> None:
    shutil.copy(ROOT / "scenarios" / "it_helpdesk.toml", tmp_path / "it_helpdesk.toml")
    result = _invoke("cheaper", "--like", "it_helpdesk", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "cheaper.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["extends"] == "it_helpdesk.toml"
    assert set(data) == {"extends", "scenario"}  # only the name changes; the rest are comments
    child = load_scenario(path)
    base = load_scenario(tmp_path / "it_helpdesk.toml")
    assert child.name == "cheaper"
    assert set(child.inputs) == set(base.inputs)
    assert [r.name for r in child.risks] == [r.name for r in base.risks]
    # an uncommented example override takes effect
    text = path.read_text(encoding="utf-8").replace("# [staffing]", "[staffing]")
    text = text.replace("# target_agents = 14", "target_agents = 20")
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).inputs["staffing.target_agents"].mean() == 20


@pytest.mark.parametrize(
    "name", ["../evil", "a/b", "a\\b", "..", "", "x y", "/abs", "é", "a" * 101, "a.b"]
)
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    result = _invoke(name, "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "must be a plain file name" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_name_may_end_in_toml() -> None:
    assert check_name("case-2_b.toml") == "case-2_b"
    with pytest.raises(SimulationError, match="plain file name"):
        check_name("case.2")


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "case.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = _invoke("case", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "exists already" in result.output and "--force" in result.output
    assert path.read_text(encoding="utf-8") == "# mine\n"
    result = _invoke("case", "--dir", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert load_scenario(path).name == "case"


def test_like_unknown_scenario(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(starter_text("base"), encoding="utf-8")
    result = _invoke("alt", "--like", "nope", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "no scenario" in result.output and "base" in result.output
    assert not (tmp_path / "alt.toml").exists()
    result = _invoke("base", "--like", "base", "--dir", str(tmp_path), "--force")
    assert result.exit_code == 1 and "cannot extend itself" in result.output
