"""What management had to do (issue 14: agency staff, overtime, hypercare, a larger team,
stale-ticket triage, each a cost or a service cut, so less is better) and the service after
stabilisation."""

from __future__ import annotations

from simulation.scenario.outputspec import Output

RESPONSE_OUTPUTS: tuple[Output, ...] = (
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
)
