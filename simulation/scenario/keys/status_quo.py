"""The keys of the status-quo path and of staying with the vendor (``[stay]``, issue 15)."""

from __future__ import annotations

from simulation.scenario.keyspec import LONG_DAYS, MAX_HORIZON_MONTHS, WHY_LONG, KeySpec, spec

#: The status-quo path as a simulated path, and what both paths pay alike (issue 15,
#: docs/model.md section 9). Every default is neutral: a scenario that sets none of these keys
#: has the status quo of before (a growing annuity of the fee) and unchanged backsourcing costs.
#: Sources for real values: ../shared/reference/figures.md, "The status-quo path".
#: Staying with the vendor under renegotiated terms (``policy.strategy = "stay"``, issue 15,
#: docs/model.md section 11). Neutral defaults: staying on today's terms is the status quo.
STAY_KEYS: tuple[KeySpec, ...] = (
    spec(
        "stay",
        "fee_change",
        "number",
        0.0,
        "fraction",
        "The renegotiated fee relative to today's contract, from stay.from_month on (-0.05: 5% "
        "cheaper; a stronger SLA may cost more: +0.03); the floor, indexation and renewals "
        "apply as before",
        "rate",
    ),
    spec(
        "stay",
        "late_tickets_avoided",
        "number",
        0.0,
        "fraction",
        "Share of today's late vendor tickets (1 - vendor.sla_compliance) the stronger SLA "
        "avoids, from stay.from_month on (0.5: half as many late tickets); a share of today's "
        "misses, so the new SLA is never worse than today's in any future",
        "fraction",
    ),
    spec(
        "stay",
        "renegotiation_cost",
        "number",
        0.0,
        "currency",
        "One-off cost of the renegotiation (advisers, internal effort), paid in month 1",
        "nonneg",
    ),
    spec(
        "stay",
        "from_month",
        "number",
        0.0,
        "months",
        "Months from programme start until the renegotiated terms apply (the negotiation)",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="beyond the longest horizon the model runs",
    ),
)

STATUS_QUO_KEYS: tuple[KeySpec, ...] = (
    spec(
        "vendor",
        "fee_model",
        "choice",
        "fixed",
        "",
        "How the vendor charges: 'fixed' (vendor.monthly_fee a month) or 'per_ticket' "
        "(vendor.price_per_ticket for every ticket of the month, demand growth included, plus "
        "vendor.monthly_fee as a fixed part)",
        choices=("fixed", "per_ticket"),
    ),
    spec(
        "vendor",
        "price_per_ticket",
        "number",
        None,
        "currency/ticket",
        "Price of one ticket at programme start (fee_model 'per_ticket' only, and required "
        "there); indexed like the fee",
        "nonneg",
    ),
    spec(
        "vendor",
        "minimum_fee",
        "number",
        0.0,
        "currency/month",
        "Monthly floor of the vendor fee at programme start prices, indexed like the fee "
        "(0: no floor)",
        "nonneg",
    ),
    spec(
        "vendor",
        "contract_end_month",
        "integer",
        0,
        "months",
        "Month (from programme start) at whose end the current contract term ends and renews "
        "on the status-quo path; a backsourcing cutover on or after it pays no termination fee. "
        "0: no contract end inside the horizon",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="a contract end after the longest horizon (600 months) cannot be seen",
    ),
    spec(
        "vendor",
        "renewal_term_months",
        "integer",
        0,
        "months",
        "Length of each renewed term: the contract renews at vendor.contract_end_month and "
        "every term after it (0: it renews once, to beyond the horizon)",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="a term longer than the longest horizon (600 months) renews at most once anyway",
    ),
    spec(
        "vendor",
        "renewal_price_change",
        "number",
        0.0,
        "fraction",
        "Price change at each contract renewal, on top of vendor.annual_price_increase (0.1: +10%)",
        "rate",
        maximum=5.0,
        why="a price six times higher at one renewal is a unit mistake (0.1 means 10%)",
    ),
    spec(
        "vendor",
        "retender_cost",
        "number",
        0.0,
        "currency",
        "Cost of re-tendering or renegotiating the contract, paid at each renewal",
        "nonneg",
    ),
    spec(
        "vendor",
        "sla_compliance",
        "number",
        1.0,
        "fraction",
        "Share of tickets the vendor resolves within the SLA; its late tickets cost "
        "disruption on both paths",
        "fraction",
    ),
    spec(
        "vendor",
        "late_days",
        "number",
        None,
        "working days",
        "Mean working days beyond the SLA of a late vendor ticket (assumed exponential)",
        "positive",
        maximum=LONG_DAYS,
        why=WHY_LONG,
    ),
    spec(
        "vendor",
        "governance_share",
        "number",
        0.0,
        "fraction",
        "Cost of the retained organisation that manages the vendor, as a share of the fee, "
        "paid while the vendor is engaged (after cutover the internal managers replace it)",
        "fraction",
    ),
    spec(
        "vendor",
        "emergency_transition_cost",
        "number",
        0.0,
        "currency",
        "Status quo: one-off cost of the emergency transition to a replacement vendor after a "
        "vendor_failure risk event",
        "nonneg",
    ),
    spec(
        "staffing",
        "salary_increase_per_year",
        "number",
        0.0,
        "per year",
        "Yearly rise of every salary-priced cost (agents, managers, agency staff, overtime), "
        "on each anniversary of programme start, as vendor.annual_price_increase for the fee",
        "rate",
        maximum=1.0,
        why="a yearly rise of more than 100% is a unit mistake (0.03 means 3%)",
    ),
    spec(
        "staffing",
        "sla_compliance",
        "number",
        1.0,
        "fraction",
        "Share of the in-house team's tickets resolved within the SLA by its own quality "
        "(re-opened, resolved wrongly), as vendor.sla_compliance is the vendor's; its late "
        "tickets are charged alike (vendor.late_days). 1: the team misses the SLA only when its "
        "queue is late (an assumption a modeller should test)",
        "fraction",
    ),
)
