"""The service and the team during the transition: the queue, the SLA, the knowledge lost, and
the hires and leavers."""

from __future__ import annotations

from simulation.scenario.outputspec import Output

SERVICE_OUTPUTS: tuple[Output, ...] = (
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
)
