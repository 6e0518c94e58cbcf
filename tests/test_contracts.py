"""The outputs contract, with one home, tied to every place that reads it.

``simulation.outputs.OUTPUTS`` is the one table of every scalar output (unit, label, better
direction, meaning); ``SCALAR_NAMES``, the report's ``METRICS``, compare's ``BETTER`` and the
management section and docs/model.md's outputs table are views of it, checked here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from simulation import compare, management_report, outputs, report, schema
from simulation.params import build_inputs
from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "minimal.toml"

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
        "append new outputs at the end of simulation/outputs.py's OUTPUTS instead"
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
    assert list(report.METRICS) == [o.name for o in outputs.in_order(report.REPORT_ORDER)]
    for o in outputs.OUTPUTS:
        info = report.METRICS[o.name]
        assert (info.label, info.unit, info.more_is_worse) == (o.label, o.unit, worse[o.better])
    assert len(set(report.REPORT_ORDER)) == len(report.REPORT_ORDER)


def test_compare_better_is_the_table() -> None:
    expected = {o.name: o.better for o in outputs.OUTPUTS if o.compared}
    assert expected == compare.BETTER
    assert list(compare.BETTER)[: len(compare.COMPARE_ORDER)] == list(compare.COMPARE_ORDER)
    assert compare.BETTER["breakeven_month"] == "lower"  # a missing value counts as latest
    assert "status_quo_npv" not in compare.BETTER
    assert "final_target_agents" not in compare.BETTER


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
        "docs/model.md's outputs table differs from simulation/outputs.py: "
        "run .venv/bin/python scripts/docs_outputs.py"
    )
