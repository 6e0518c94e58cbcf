"""Numerical guards: inputs whose values make the model meaningless are caught before a run.

The scenario reader already enforces each key's own bounds (a positive productivity, a discount
rate above −100%, probabilities within [0, 1]). This module checks what only makes sense across
keys, using each distribution's support so that the verdict holds for every sampled value:

* **errors** (the run is refused): demand that no possible team could ever serve — even the
  largest internal team at its best productivity is below a tenth of the smallest possible demand,
  so every iteration would end with an ever-growing backlog and meaningless costs;
  inputs that make the model loop without end or with billions of events: recruiting that
  tries candidates in no time and almost never hires (``staffing.time_to_hire_days`` near 0 with
  ``staffing.offer_acceptance`` near 0: at both 0 the model loops for ever at day 0), and demand
  that grows past the most tickets a day a key may hold (``demand.tickets_per_day``'s maximum);
* **warnings** (the run goes ahead, the warning is printed): inputs whose ranges allow an
  internal team too small for the demand (the transition may never stabilise in some futures),
  and a timed risk whose window lies beyond the horizon, entirely (it can never strike) or in
  part (it strikes within the horizon in only some of the futures it occurs in).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation import schema
from simulation.params import struck
from simulation.scenario_types import Scenario

#: A team whose best possible capacity is below this share of the least demand is refused.
HOPELESS_SHARE = 0.1
#: Most candidate searches one iteration may run: each is a SimPy event (a few microseconds).
MAX_SEARCHES = 10_000_000
#: Percentile taken as a distribution's practical least value (as the scenario reader probes).
_LOW = 1e-6


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


def _least(scenario: Scenario, path: str) -> float:
    """An input's practical least value: its ``_LOW`` percentile (its value when fixed)."""
    dist = scenario.inputs.get(path)
    if dist is None:
        spec = schema.BY_PATH.get(path)
        return float(spec.default) if spec and isinstance(spec.default, int | float) else 0.0
    return dist.mean() if dist.is_fixed else float(dist.ppf([_LOW])[0])


def _horizon(scenario: Scenario) -> float:
    return float(scenario.inputs["scenario.horizon_months"].mean())


def _recruiting(scenario: Scenario) -> list[str]:
    """Candidate searches of one iteration: each slot tries a candidate every time-to-hire
    until one accepts, so a time near 0 with acceptance near 0 searches (almost) for ever."""
    if scenario.variability == "none":  # one search per requisition, time / acceptance
        return []
    days = _horizon(scenario) * _range(scenario, "demand.working_days_per_month")[1]
    tth = _least(scenario, "staffing.time_to_hire_days")
    accept = _least(scenario, "staffing.offer_acceptance")
    slots = _range(scenario, "staffing.parallel_hiring")[1]
    agents = _range(scenario, "staffing.target_agents")[1]
    by_time = slots * days / tth if tth > 0 else math.inf
    by_offers = agents / accept if accept > 0 else math.inf
    searches = min(by_time, by_offers)
    if not searches > MAX_SEARCHES:
        return []
    shown = "for ever" if math.isinf(searches) else f"about {searches:,.0f} times"
    return [
        f"{scenario.path}: staffing.time_to_hire_days: with a time to hire as short as {tth:g} "
        f"working days and offers accepted as rarely as {accept:g} "
        f"(staffing.offer_acceptance), the model would try candidates {shown} in one "
        f"iteration (the limit is {MAX_SEARCHES:,}); give a realistic time to hire or acceptance"
    ]


def _demand(scenario: Scenario) -> list[str]:
    """The largest mean daily demand within the horizon against the tickets-per-day limit."""
    spec = schema.BY_PATH["demand.tickets_per_day"]
    assert spec.maximum is not None
    base = _range(scenario, "demand.tickets_per_day")[1]
    growth = _range(scenario, "demand.growth_per_year")[1]
    months = _horizon(scenario)
    surges = sum(
        _range(scenario, r.path("extra_tickets_per_day"))[1]
        for r in scenario.risks
        if r.event == "ticket_surge" and not _never(scenario, r.path("occurs"))
    )
    with_growth = base * (1.0 + max(growth, 0.0)) ** (months / 12.0) if base > 0 else 0.0
    peak = with_growth + surges
    if not peak > spec.maximum:
        return []
    plus = f" (plus surges of up to {surges:g})" if surges else ""
    return [
        f"{scenario.path}: demand.growth_per_year: demand of up to {base:g} tickets a day growing "
        f"by up to {growth:.0%} a year{plus} reaches {peak:.3g} "
        f"tickets a day within the {months:g}-month horizon, above the limit of "
        f"{spec.maximum:,.0f} tickets a day: {spec.why}"
    ]


def _never(scenario: Scenario, occurs: str) -> bool:
    dist = scenario.inputs.get(occurs)
    return dist is None or (dist.is_fixed and dist.mean() == 0.0)


def _windows(scenario: Scenario) -> list[str]:
    """Timed risks whose window lies beyond the horizon, entirely or in part."""
    out = []
    months = _horizon(scenario)
    for risk in scenario.risks:
        at = scenario.inputs.get(risk.path("at_month"))
        if risk.kind != "event" or at is None or _never(scenario, risk.path("occurs")):
            continue
        lo, hi = at.support()
        window = f"months {lo:g} to {hi:g}" if hi > lo else f"month {lo:g}"
        where = f"{scenario.path}: risks.{risk.name}"
        if not struck(risk.kind, 1.0, lo, months):
            out.append(
                f"{where}: its window ({window}) lies beyond the {months:g}-month horizon, so "
                "it can never strike: it counts as struck in no future (change the window or "
                "the horizon)"
            )
        elif hi > months:
            share = (months - lo) / (hi - lo)  # the month is uniform over the window
            out.append(
                f"{where}: its window ({window}) reaches past the {months:g}-month horizon: it "
                f"strikes within the horizon in only {share:.0%} of the futures it occurs in"
            )
    return out


def check_scenario(scenario: Scenario) -> GuardReport:
    """Cross-key checks on the input ranges of ``scenario`` (no sampling needed)."""
    errors: list[str] = [*_recruiting(scenario), *_demand(scenario)]
    warnings: list[str] = _windows(scenario)
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
