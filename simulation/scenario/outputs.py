"""The outputs contract: every scalar output one model run writes, in one table.

The rows are data, one module per group of outputs (:mod:`simulation.scenario.output_groups`),
each an :class:`~simulation.scenario.outputspec.Output`; this module joins them in the results
files' column order and holds the views of the table. Each row of :data:`OUTPUTS` says what an
output is called for people (``label``), in which ``unit`` (``"currency"``: the run's
currency), which way is better, whether ``simulate compare`` scores it, and what it means in
one line. Everything else is a view of this table:

* :data:`SCALAR_NAMES`: the names in the table's order, which is the fixed column order of the
  results files (``samples.csv`` ``out.*``, the model's scalar matrix): a contract, so a new
  output is appended at the end, never inserted;
* ``simulation.report.run_report.METRICS`` (label, unit, ``more_is_worse``) and
  ``simulation.analysis.compare.BETTER`` (what "B better than A" means), which only choose the order
  in which they list outputs;
* the management section's second column (``simulation.report.management``);
* the outputs table of docs/model.md, which ``scripts/docs_outputs.py`` writes from
  :func:`markdown_table` and a test keeps equal to it.

Why a table of its own rather than more rows in :mod:`simulation.scenario.schema`: the schema is
the contract of what a scenario may *say* (some 1,600 lines of keys), this is the contract of what
the model *writes*; the two change for different reasons and are read by different layers (the
report reads this table but no scenario key). :mod:`simulation.scenario.schema` re-exports
:data:`SCALAR_NAMES` for the modules that read it from there. Like the schema, this module
imports nothing heavy: the light commands (``simulate report``, ``--help``) load it.
"""

from __future__ import annotations

from simulation.scenario.output_groups.breakdown import BREAKDOWN_OUTPUTS
from simulation.scenario.output_groups.response import RESPONSE_OUTPUTS
from simulation.scenario.output_groups.service import SERVICE_OUTPUTS
from simulation.scenario.output_groups.status_quo import STATUS_QUO_OUTPUTS
from simulation.scenario.output_groups.transition import TRANSITION_OUTPUTS
from simulation.scenario.outputspec import MAX_MEANING, Better, Output

#: Every scalar output, in the results files' column order: the groups of
#: :mod:`simulation.scenario.output_groups` one after another (append new outputs at the end).
OUTPUTS: tuple[Output, ...] = (
    *TRANSITION_OUTPUTS,
    *SERVICE_OUTPUTS,
    *BREAKDOWN_OUTPUTS,
    *RESPONSE_OUTPUTS,
    *STATUS_QUO_OUTPUTS,
)

#: Each output by name.
BY_NAME: dict[str, Output] = {o.name: o for o in OUTPUTS}

#: Scalar outputs of one run (durations in months from programme start, money in the scenario's
#: currency), in the fixed order of the results table; the names are a contract.
SCALAR_NAMES: tuple[str, ...] = tuple(o.name for o in OUTPUTS)


def in_order(first: tuple[str, ...]) -> tuple[Output, ...]:
    """Every output, those named in ``first`` first (in that order), then the rest in the
    table's order: how a view lists outputs in its own reading order without a list of its own
    that a new output would have to be added to. ``KeyError`` for a name not in the table."""
    head = tuple(BY_NAME[name] for name in first)
    return head + tuple(o for o in OUTPUTS if o.name not in first)


def markdown_table() -> str:
    """The outputs table of docs/model.md (name, unit, better, meaning), one row an output."""
    rows = [
        "| Output | Unit | Better | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    for o in OUTPUTS:
        better: str = o.better or "neither"
        if o.not_compared:
            better += f" (not compared: {o.not_compared})"
        rows.append(f"| `{o.name}` | {o.unit} | {better} | {o.meaning} |")
    return "\n".join(rows) + "\n"


#: The key outputs: whose P10/P50/P90 decide convergence in ``--iterations auto``, and which
#: the sensitivity, the sweep and the command line's summary lead with.
KEY_OUTPUTS: tuple[str, ...] = ("transition_months", "transition_cost", "npv_savings")


def metric_info(metric: str, currency: str) -> tuple[str, str]:
    """(label, unit) of an output for people, ``"currency"`` filled with ``currency``; a name that
    is no output of the table (an indicator row) gets a label made from the name and no unit."""
    output = BY_NAME.get(metric)
    if output is None:
        return metric.replace("_", " ").capitalize(), ""
    return output.label, currency if output.unit == "currency" else output.unit


__all__ = [
    "KEY_OUTPUTS",
    "metric_info",
    "BY_NAME",
    "MAX_MEANING",
    "OUTPUTS",
    "SCALAR_NAMES",
    "Better",
    "Output",
    "in_order",
    "markdown_table",
]
