"""The plan's dates and the parts behind the scored outputs: listed with their percentiles, not
compared (each is scored through another output, or is a date of the plan)."""

from __future__ import annotations

from simulation.scenario.outputspec import PART_OF_TRANSITION, PLAN, Output

BREAKDOWN_OUTPUTS: tuple[Output, ...] = (
    Output(
        "notice_month",
        "months",
        "Notice month",
        None,
        "Month notice is given (after evaluation and negotiation)",
        PLAN,
    ),
    Output(
        "planned_exit_month",
        "months",
        "Planned exit month",
        None,
        "Month the vendor was planned to leave (under waves: the last wave's)",
        PLAN,
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
        PART_OF_TRANSITION,
    ),
    Output(
        "extension_cost",
        "currency",
        "Extension cost",
        "lower",
        "Premium paid over the fee for the extension months",
        PART_OF_TRANSITION,
    ),
)
