"""The two contracts of the model, each with one home, tied to every place that reads it.

**Inputs.** Each scenario key is listed in ``schema.KEYS``; a number reaches the model through
``params.FIELDS`` (or the incoming team's maps, or a response switch) into a field of
``ModelInputs``. A key added to the schema but to none of these would validate and then be
silently ignored: these tests fail instead, and also when a map names a key the schema lacks or
a field ``ModelInputs`` lacks, or when a field is fed by nothing.

**Outputs.** ``simulation.scenario.outputs.OUTPUTS`` is the one table of every scalar output (unit,
label, better direction, meaning); ``SCALAR_NAMES``, the report's ``METRICS``, compare's
``BETTER``, the management section and docs/model.md are views of it, checked here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pytest

from simulation.analysis.compare import BETTER, COMPARE_ORDER
from simulation.model import parameter_table as params
from simulation.model.choices import SWITCHES
from simulation.model.inputs import ModelInputs, build_inputs
from simulation.report import management as management_report
from simulation.results import metrics
from simulation.scenario import outputs, schema
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"

# Inputs ---------------------------------------------------------------------------------------

#: ModelInputs fields fed by a non-numeric key, which build_inputs reads from ``options``.
OPTION_FIELDS: dict[str, str] = {
    "variability": "simulation.variability",
    "cutover_policy": "policy.cutover",
    "strategy": "policy.strategy",
    "fee_model": "vendor.fee_model",
    "response": "response.enabled",  # and every switch of SWITCHES with it
    "incoming_vendor": "incoming.kind",  # and the incoming maps are read only under "vendor"
}

#: ModelInputs fields that no single key feeds, each with what build_inputs derives it from.
DERIVED_FIELDS: dict[str, str] = {
    "one_off_costs": "the open-ended costs.one_off_* keys (schema.PREFIX_KEYS)",
    "monthly_costs": "the open-ended costs.monthly_* keys (schema.PREFIX_KEYS)",
    "events": "the [[risks]] register: the timed events that strike in this iteration",
    "risk_flags": "the [[risks]] register: which risks struck in this iteration",
    "waves": "policy.strategy, policy.retained_share and the [[waves]] array",
}

#: Keys that feed no ModelInputs field on purpose, each with what reads it. Keep this short: a
#: key that changes the model belongs in params.FIELDS (a number) or OPTION_FIELDS (a choice).
READ_ELSEWHERE: dict[str, str] = {
    "scenario.name": "Scenario.name (scenario.py): run.json, the report's title",
    "scenario.description": "run.json and compare.json (api.py, compare.py), the subtitle",
    "scenario.currency": "Scenario.currency: money labels, run.json",
    "simulation.iterations": "the run size (scenario.py)",
    "simulation.seed": "the root seed (scenario.py)",
    "simulation.sampler": "the input design (scenario.py)",
}

#: Keys the reader validates that nothing reads yet (a known gap, not an allowance): the file
#: keeps them, as documentation, in the scenario.toml copied into every results folder.
NOT_READ_YET: dict[str, str] = {
    "scenario.start_date": "no output is dated: every duration counts months from the start",
}


def _mapped_keys() -> set[str]:
    """Every key the maps of parameter_table.py and choices.py turn into a ModelInputs field."""
    return (
        set(params.FIELDS)
        | set(params.INCOMING_STAFFING)
        | set(params.INCOMING_COSTS)
        | set(SWITCHES.values())
    )


def _field_names() -> set[str]:
    return {f.name for f in dataclasses.fields(ModelInputs)}


def test_every_model_key_feeds_a_field_or_is_read_elsewhere() -> None:
    known = _mapped_keys() | set(OPTION_FIELDS.values()) | set(READ_ELSEWHERE) | set(NOT_READ_YET)
    # every key of every section: the model sections (schema.MODEL_SECTIONS) and [simulation]
    ignored = [k.path for k in schema.KEYS if k.path not in known]
    assert not ignored, (
        f"schema keys that reach no ModelInputs field and are read nowhere else: {ignored}; "
        "map each in simulation/model/parameter_table.py (FIELDS for a number) or, if something "
        "else reads it, list it in READ_ELSEWHERE with what reads it"
    )


def test_every_map_names_a_schema_key_and_a_field() -> None:
    fields = _field_names()
    for path, name in {
        **params.FIELDS,
        **params.INCOMING_STAFFING,
        **params.INCOMING_COSTS,
    }.items():
        spec = schema.BY_PATH.get(path)
        assert spec is not None, f"params maps {path}, which the schema does not have"
        assert spec.numeric, f"params reads {path} as a number, but it is a {spec.kind}"
        assert name in fields, f"params maps {path} to {name}, which ModelInputs lacks"
    for name, path in SWITCHES.items():
        assert schema.BY_PATH[path].kind == "boolean", path
        assert name in fields, name
    for name, path in OPTION_FIELDS.items():
        spec = schema.BY_PATH[path]
        assert spec.kind in ("choice", "boolean"), path
        assert name in fields, name
    for path in (*READ_ELSEWHERE, *NOT_READ_YET):
        assert path in schema.BY_PATH, f"{path} is listed here but not in the schema"
    assert set(DERIVED_FIELDS) <= fields


def test_every_field_is_fed_by_a_key_or_derived() -> None:
    fed = (
        set(params.FIELDS.values())
        | set(params.INCOMING_COSTS.values())
        | set(SWITCHES)
        | set(OPTION_FIELDS)
        | set(DERIVED_FIELDS)
    )
    orphans = sorted(_field_names() - fed)
    assert not orphans, f"ModelInputs fields no key feeds and nothing derives: {orphans}"


def test_keys_read_elsewhere_are_read() -> None:
    """Each key said to be read elsewhere is named in a module other than the schema (and the
    starter file, which only prints examples); a key nothing names belongs in NOT_READ_YET."""
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "simulation").rglob("*.py")
        if p.name not in ("schema.py", "starter.py")
    )
    unread = [k for k in READ_ELSEWHERE if f'"{k}"' not in sources]
    assert not unread, f"listed as read elsewhere, but no module names them: {unread}"
    # the known gap stays listed only while it is one
    read_now = [k for k in NOT_READ_YET if f'"{k}"' in sources]
    assert not read_now, f"now read: move them to READ_ELSEWHERE: {read_now}"


@pytest.mark.parametrize("field_name", sorted(OPTION_FIELDS))
def test_each_option_reaches_its_field(field_name: str) -> None:
    """Each choice of an option key gives its field a value of its own: the key is read."""
    path = OPTION_FIELDS[field_name]
    spec = schema.BY_PATH[path]
    scenario = load_scenario(MINIMAL)
    values = {p: d.mean() for p, d in scenario.inputs.items()}
    values["vendor.price_per_ticket"] = 1.0  # the per_ticket fee model needs a price
    choices = spec.choices or (True, False)
    seen = {
        getattr(build_inputs(values, {**scenario.options, path: c}), field_name) for c in choices
    }
    assert len(seen) == len(choices), f"{path}: {choices} gave {field_name} = {seen}"


# Outputs --------------------------------------------------------------------------------------

#: SHA-256 of the first 38 names of SCALAR_NAMES joined by commas: their order is the column
#: order of results files already written, so a new output is appended and this stays.
_PINNED = 38
_PINNED_SHA = "bdc9e684963ee6e97064544e1a3b64aa80b98e5551bef856bebc3e00db27ba3d"


def test_outputs_table_is_complete() -> None:
    names = [o.name for o in outputs.OUTPUTS]
    assert len(names) == len(set(names))
    for o in outputs.OUTPUTS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", o.name), o.name
        assert o.unit.strip() and o.label.strip() and o.meaning.strip(), o.name
        assert len(o.meaning) <= outputs.MAX_MEANING, f"{o.name}: meaning too long for the PDF"
        assert o.better in ("lower", "higher", None), o.name
        # compare scores an output only in a direction; one with no direction says why not
        assert o.not_compared or o.better is not None, o.name


def test_scalar_names_are_the_table_in_order() -> None:
    from simulation import model

    assert schema.SCALAR_NAMES == outputs.SCALAR_NAMES == model.SCALAR_NAMES
    assert tuple(o.name for o in outputs.OUTPUTS) == outputs.SCALAR_NAMES
    head = ",".join(outputs.SCALAR_NAMES[:_PINNED]).encode()
    assert hashlib.sha256(head).hexdigest() == _PINNED_SHA, (
        "the order of the existing outputs changed: it is the results files' column order, "
        "append new outputs at the end of simulation/scenario/outputs.py's OUTPUTS instead"
    )


def test_model_writes_every_output_of_the_table() -> None:
    from simulation.model import run_transition

    scenario = load_scenario(MINIMAL)
    values = {p: d.mean() for p, d in scenario.inputs.items()}
    options = {**scenario.options, "simulation.variability": "none"}
    result = run_transition(build_inputs(values, options), None)
    assert tuple(result.scalars) == outputs.SCALAR_NAMES


def test_report_metrics_are_the_table() -> None:
    worse = {"lower": True, "higher": False, None: None}
    assert list(metrics.METRICS) == [o.name for o in outputs.in_order(metrics.REPORT_ORDER)]
    for o in outputs.OUTPUTS:
        info = metrics.METRICS[o.name]
        assert (info.label, info.unit, info.more_is_worse) == (o.label, o.unit, worse[o.better])
    assert len(set(metrics.REPORT_ORDER)) == len(metrics.REPORT_ORDER)


def test_metric_info_is_the_table() -> None:
    """compare, sweep and the report name an output alike: label and unit from the table, the
    currency filled in, a name from another table (an indicator row) made readable."""
    for o in outputs.OUTPUTS:
        info = metrics.METRICS[o.name]
        unit = "CHF" if info.unit == "currency" else info.unit
        assert outputs.metric_info(o.name, "CHF") == (info.label, unit)
    assert outputs.metric_info("p_npv_savings_positive", "EUR") == ("P npv savings positive", "")


def test_compare_better_is_the_table() -> None:
    expected = {o.name: o.better for o in outputs.OUTPUTS if o.compared}
    assert expected == BETTER
    assert list(BETTER)[: len(COMPARE_ORDER)] == list(COMPARE_ORDER)
    assert BETTER["breakeven_month"] == "lower"  # a missing value counts as latest
    assert "status_quo_npv" not in BETTER
    assert "final_target_agents" not in BETTER


def test_management_section_reads_the_table() -> None:
    assert set(management_report.MANAGEMENT_METRICS) <= set(outputs.BY_NAME)


def test_in_order_refuses_an_unknown_output() -> None:
    with pytest.raises(KeyError):
        outputs.in_order(("no_such_output",))


def _outputs_section() -> str:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    start = text.index("\n## Outputs\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_docs_list_every_output() -> None:
    section = _outputs_section()
    missing = [n for n in outputs.SCALAR_NAMES if f"`{n}`" not in section]
    assert not missing, f"docs/model.md's Outputs section does not name {missing}"
    begin, end = "<!-- outputs table -->\n", "<!-- end outputs table -->\n"
    table = section.partition(begin)[2].partition(end)[0]
    assert table == outputs.markdown_table(), (
        "docs/model.md's outputs table differs from simulation/scenario/outputs.py: "
        "run .venv/bin/python scripts/docs_outputs.py"
    )
