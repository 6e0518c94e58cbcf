"""Both sides of the decision (issue 15): the status-quo path's service and disruption (the
reference each alternative is measured against), and the vendor's late tickets on the
backsourcing path."""

from __future__ import annotations

from simulation.scenario.outputspec import REFERENCE, Output

STATUS_QUO_OUTPUTS: tuple[Output, ...] = (
    Output(
        "status_quo_disruption_cost",
        "currency",
        "Disruption cost of staying outsourced (the vendor's late tickets)",
        "lower",
        "Cost of the vendor's late tickets if the service stays outsourced",
        REFERENCE,
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
        REFERENCE,
    ),
)
