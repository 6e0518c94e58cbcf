"""The outputs contract: every scalar output one model run writes, in one table.

Each row of :data:`OUTPUTS` says what an output is called for people (``label``), in which
``unit`` (``"currency"``: the run's currency), which way is better, whether ``simulate compare``
scores it, and what it means in one line. Everything else is a view of this table:

* :data:`SCALAR_NAMES`: the names in the table's order, which is the fixed column order of the
  results files (``samples.csv`` ``out.*``, the model's scalar matrix): a contract, so a new
  output is appended at the end, never inserted;
* ``simulation.report.run_report.METRICS`` (label, unit, ``more_is_worse``) and
  ``simulation.analysis.compare.BETTER`` (what "B better than A" means), which only choose the order
  in which they list outputs;
* the management section's second column (``simulation.report.management``);
* the outputs table of docs/model.md, which ``scripts/docs_outputs.py`` writes from
  :func:`markdown_table` and a test keeps equal to it.

Why a module of its own rather than more rows in :mod:`simulation.scenario.schema`: the schema is
the contract of what a scenario may *say* (some 1,600 lines of keys), this is the contract of what
the model *writes*; the two change for different reasons and are read by different layers (the
report reads this table but no scenario key). :mod:`simulation.scenario.schema` re-exports
:data:`SCALAR_NAMES` for the modules that read it from there. Like the schema, this module
imports nothing heavy: the light commands (``simulate report``, ``--help``) load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher"]

#: The longest meaning: the management section's table shows it in a cell of the PDF, which cuts
#: text beyond 70 characters.
MAX_MEANING = 70


@dataclass(frozen=True)
class Output:
    """One scalar output of a model run.

    ``unit``: the unit of its values (``"currency"`` = the run's currency; ``"share"``: a
    fraction 0..1, shown as a percentage). ``label``: its name in the report and the comparison.
    ``better``: which way is better for the programme (``None``: neither, e.g. a planned date
    or a team size, which buys service with salaries the other outputs already count).
    ``not_compared``: why ``simulate compare`` gives no chance "B better than A" for it (empty:
    it does, in the direction of ``better``); the comparison still lists its percentiles.
    ``meaning``: one line, at most :data:`MAX_MEANING` characters.

    ``better`` and ``not_compared`` are two facts, not one: the status-quo outputs have a better
    direction (a lower ``status_quo_npv`` is cheaper) but are the reference every alternative is
    measured against, not a choice, so compare does not score them.
    """

    name: str
    unit: str
    label: str
    better: Better | None
    meaning: str
    not_compared: str = ""

    @property
    def compared(self) -> bool:
        """Whether ``simulate compare`` scores this output (``differences.csv``)."""
        return not self.not_compared


_REFERENCE = "the status-quo path is the reference each alternative is measured against"
_PART_OF_TRANSITION = "a part of transition_cost, which compare scores"
_PLAN = "a date of the plan, not a result"

#: Every scalar output, in the results files' column order (append new outputs at the end).
OUTPUTS: tuple[Output, ...] = (
    Output(
        "cutover_month",
        "months",
        "Vendor exit (cutover) month",
        "lower",
        "Month the vendor leaves, from programme start (the horizon if later)",
    ),
    Output(
        "extension_months",
        "months",
        "Vendor extension",
        "lower",
        "Months the vendor was kept beyond the planned exit (readiness)",
    ),
    Output(
        "transition_months",
        "months",
        "Transition time",
        "lower",
        "Months from start to stable service (the horizon if it never is)",
    ),
    Output(
        "stabilised",
        "share",
        "Service stabilised within the horizon",
        "higher",
        "1 when the service stabilised within the horizon, else 0",
    ),
    Output(
        "one_off_cost",
        "currency",
        "One-off cost",
        "lower",
        "Sum of the costs.one_off_* items, paid at programme start",
    ),
    Output(
        "overlap_cost",
        "currency",
        "Overlap cost",
        "lower",
        "Salaries, hiring and managers paid before cutover, beside the fee",
    ),
    Output(
        "disruption_cost",
        "currency",
        "Disruption cost",
        "lower",
        "Cost of the queue's ticket-days beyond SLA over the whole horizon",
    ),
    Output(
        "transition_cost",
        "currency",
        "Transition cost",
        "lower",
        "One-off, overlap, exit, extension, response, disruption until stable",
    ),
    Output(
        "backsourcing_npv",
        "currency",
        "Backsourcing NPV of cost",
        "lower",
        "Discounted cost of the backsourcing path over the horizon",
    ),
    Output(
        "status_quo_npv",
        "currency",
        "Status quo NPV of cost",
        "lower",
        "Discounted cost of staying outsourced over the horizon",
        _REFERENCE,
    ),
    Output(
        "npv_savings",
        "currency",
        "NPV savings of backsourcing",
        "higher",
        "status_quo_npv − backsourcing_npv: above 0, backsourcing is cheaper",
    ),
    Output(
        # compare counts a future that never breaks even (NaN) as later than any month
        "breakeven_month",
        "months",
        "Break-even month",
        "lower",
        "First month from which backsourcing stays cheaper (NaN: never)",
    ),
    Output(
        "peak_backlog",
        "tickets",
        "Peak backlog",
        "lower",
        "Most tickets open at the end of a working day",
    ),
    Output(
        "tickets_breached",
        "tickets",
        "Tickets beyond SLA",
        "lower",
        "Tickets of the queue still open after their SLA (whole horizon)",
    ),
    Output(
        "sla_breach_weeks",
        "weeks",
        "Weeks below SLA target",
        "lower",
        "Weeks of the horizon whose SLA compliance was below the target",
    ),
    Output(
        "knowledge_lost_domains",
        "domains",
        "Knowledge domains lost",
        "lower",
        "Domains not handed over when the vendor left",
    ),
    Output(
        "hires",
        "hires",
        "Hires",
        "lower",
        "Agents hired over the horizon",
        "a count of work the costs already price (more hires can be the faster plan)",
    ),
    Output(
        "leavers",
        "leavers",
        "Leavers",
        "lower",
        "Internal agents who left over the horizon",
        "a count of work the costs already price, through hires and the queue",
    ),
    Output(
        "notice_month",
        "months",
        "Notice month",
        None,
        "Month notice is given (after evaluation and negotiation)",
        _PLAN,
    ),
    Output(
        "planned_exit_month",
        "months",
        "Planned exit month",
        None,
        "Month the vendor was planned to leave (under waves: the last wave's)",
        _PLAN,
    ),
    Output(
        "knowledge_transferred_domains",
        "domains",
        "Knowledge domains transferred",
        "higher",
        "Domains handed over by the vendor",
        "the other side of knowledge_lost_domains, which compare scores",
    ),
    Output(
        "ticket_days_beyond_sla",
        "ticket-days",
        "Ticket-days beyond SLA",
        "lower",
        "Working days beyond SLA, summed over the queue's tickets",
        "priced by disruption_cost, which compare scores",
    ),
    Output(
        "mean_resolution_days",
        "working days",
        "Mean resolution time",
        "lower",
        "Mean age of the queue's tickets when resolved",
        "a detail of the queue, scored through tickets_breached and peak_backlog",
    ),
    Output(
        "termination_cost",
        "currency",
        "Termination cost",
        "lower",
        "Vendor's termination fee, paid at exit",
        _PART_OF_TRANSITION,
    ),
    Output(
        "extension_cost",
        "currency",
        "Extension cost",
        "lower",
        "Premium paid over the fee for the extension months",
        _PART_OF_TRANSITION,
    ),
    # what management had to do (issue 14): less help is better (each is a cost or a service cut)
    Output(
        "response_cost",
        "currency",
        "Response cost",
        "lower",
        "Agency, overtime pay, hypercare and unworked tickets, undiscounted",
    ),
    Output(
        "agency_agent_days",
        "agent-days",
        "Agency staff",
        "lower",
        "Days worked by agency (temporary) staff, summed over every agent",
    ),
    Output(
        "overtime_weeks",
        "weeks",
        "Overtime",
        "lower",
        "Weeks in which the internal team worked overtime",
    ),
    Output(
        "hypercare_agent_days",
        "agent-days",
        "Vendor hypercare",
        "lower",
        "Days worked by vendor agents called back after cutover",
    ),
    Output(
        "final_target_agents",
        "agents",
        "Final team size (target)",
        None,
        "Head count hired towards at the horizon",
        "a larger team buys service with salaries, which other outputs count",
    ),
    Output(
        "abandoned_tickets",
        "tickets",
        "Stale tickets closed unworked",
        "lower",
        "Stale tickets closed without work (users gave up, duplicates)",
    ),
    Output(
        "relapse_weeks",
        "weeks",
        "Weeks below SLA target after stabilisation",
        "lower",
        "Weeks below the SLA target after the transition ended",
    ),
    Output(
        "backlog_at_horizon_days",
        "days of demand",
        "Backlog at the horizon",
        "lower",
        "Open tickets at the horizon, in days of expected demand",
    ),
    Output(
        "steady_sla_compliance",
        "share",
        "SLA compliance in the last year, backsourced",
        "higher",
        "1 − breached/due over the tickets due in the last 12 months",
    ),
    Output(
        "disruption_after_stabilisation_cost",
        "currency",
        "Disruption cost after stabilisation",
        "lower",
        "Part of disruption_cost after the transition ended",
    ),
    # both sides of the decision (issue 15)
    Output(
        "status_quo_disruption_cost",
        "currency",
        "Disruption cost of staying outsourced (the vendor's late tickets)",
        "lower",
        "Cost of the vendor's late tickets if the service stays outsourced",
        _REFERENCE,
    ),
    Output(
        "vendor_disruption_cost",
        "currency",
        "Disruption cost of the vendor's late tickets before cutover",
        "lower",
        "Cost of the vendor's late tickets on the backsourcing path",
    ),
    Output(
        "status_quo_sla_compliance",
        "share",
        "SLA compliance in the last year, staying outsourced",
        "higher",
        "steady_sla_compliance on the status-quo path (vendor.sla_compliance)",
        _REFERENCE,
    ),
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
