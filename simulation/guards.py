"""Numerical guards: inputs whose values make the model meaningless are caught before a run.

The scenario reader already enforces each key's own bounds (a positive productivity, a discount
rate above −100%, probabilities within [0, 1]). This module checks what only makes sense across
keys, using each distribution's support so that the verdict holds for every sampled value:

* **errors** (the run is refused): demand that no possible team could ever serve — even the
  largest internal team at its best productivity is below a tenth of the smallest possible demand,
  so every iteration would end with an ever-growing backlog and meaningless costs;
* **warnings** (the run goes ahead, the warning is printed and kept in ``run.json``): inputs
  whose ranges allow an internal team too small for the demand (the transition may never
  stabilise in some futures).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.scenario_types import Scenario

#: A team whose best possible capacity is below this share of the least demand is refused.
HOPELESS_SHARE = 0.1


@dataclass(frozen=True)
class GuardReport:
    """What the guards found: ``errors`` refuse the run, ``warnings`` are printed and recorded."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def _range(scenario: Scenario, path: str) -> tuple[float, float]:
    dist = scenario.inputs.get(path)
    if dist is None:
        return (float("nan"), float("nan"))
    return dist.support()


def check_scenario(scenario: Scenario) -> GuardReport:
    """Cross-key checks on the input ranges of ``scenario`` (no sampling needed)."""
    errors: list[str] = []
    warnings: list[str] = []
    where = scenario.path
    demand_lo, demand_hi = _range(scenario, "demand.tickets_per_day")
    agents_lo, agents_hi = _range(scenario, "staffing.target_agents")
    prod_lo, prod_hi = _range(scenario, "staffing.tickets_per_agent_day")
    best_internal = agents_hi * prod_hi
    if demand_lo > 0 and best_internal < HOPELESS_SHARE * demand_lo:
        errors.append(
            f"{where}: staffing.target_agents: even the largest team ({agents_hi:g} agents × "
            f"{prod_hi:g} tickets/day = {best_internal:g}) is below {HOPELESS_SHARE:.0%} of the "
            f"smallest demand ({demand_lo:g} tickets/day, demand.tickets_per_day); every run "
            "would end with an ever-growing backlog"
        )
    elif demand_hi > 0 and agents_lo * prod_lo < demand_hi:
        warnings.append(
            f"{where}: the smallest internal team ({agents_lo:g} agents × {prod_lo:g} "
            f"tickets/day = {agents_lo * prod_lo:g}) can fall short of the largest demand "
            f"({demand_hi:g} tickets/day): some futures may never stabilise"
        )
    return GuardReport(tuple(errors), tuple(warnings))
