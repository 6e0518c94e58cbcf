"""The headline outputs of the transition: when the vendor left and how long the transition
took, what it cost, and the discounted cost of both paths (the first columns of the results
files)."""

from __future__ import annotations

from simulation.scenario.outputspec import REFERENCE, Output

TRANSITION_OUTPUTS: tuple[Output, ...] = (
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
        REFERENCE,
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
)
