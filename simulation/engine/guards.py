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
  part (it strikes within the horizon in only some of the futures it occurs in); for a window
  counted from notice or cutover, even after the earliest notice or cutover the inputs allow;
* **warnings on the response layer** (issue 14), each only while the lever it concerns is on:
  reviews so rare that none falls within the horizon (management never acts), temporary help
  released at a backlog above the one that calls for it (a review can release help and order
  more at once), and more vendor agents called back on hypercare than the vendor has on the
  service. The response rules that must hold in every iteration (a triage age above the SLA, a
  team cap not below the plan) are errors of the scenario reader
  (:func:`simulation.scenario.cross_checks.cross_checks`), which also checks a sweep's settings.

The checks of the response layer judge each input on every value it can take, its risk shocks
included (:func:`simulation.scenario.cross_checks.input_reach`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.model.inputs import struck
from simulation.scenario import schema
from simulation.scenario.types import Scenario

if TYPE_CHECKING:  # the scenario reader (numpy, pydantic) is imported when a check runs
    from simulation.scenario.cross_checks import Reach

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


def _milestones(scenario: Scenario, reach: Reach) -> dict[str, float]:
    """The earliest month (from programme start) of each milestone a risk window may count
    from, over every value the inputs can take: notice is served after evaluation and
    negotiation, cutover comes at the planned exit (notice + notice period; under the
    ``fixed`` policy not before ``policy.cutover_month``) or later (docs/model.md, section 1)."""
    week = reach("demand.working_days_per_week")[0]
    month = reach("demand.working_days_per_month")[1]
    weeks = reach("phases.evaluation_weeks")[0] + reach("phases.negotiation_weeks")[0]
    notice = weeks * week / month if month > 0 else 0.0
    cutover = notice + reach("vendor.notice_months")[0]
    if scenario.options.get("policy.cutover") == "fixed":
        cutover = max(cutover, reach("policy.cutover_month")[0])
    return {"start": 0.0, "notice": notice, "cutover": cutover}


def _windows(scenario: Scenario, reach: Reach) -> list[str]:
    """Timed risks whose window lies beyond the horizon, entirely or in part. A window counted
    from notice or cutover is placed after the earliest notice or cutover the inputs allow:
    beyond the horizon even then, it can never strike; reaching past it even then, it strikes
    within the horizon in at most the share of its window that fits."""
    out = []
    months = _horizon(scenario)
    earliest = _milestones(scenario, reach)
    for risk in scenario.risks:
        at = scenario.inputs.get(risk.path("at_month"))
        if risk.kind != "event" or at is None or _never(scenario, risk.path("occurs")):
            continue
        lo, hi = at.support()
        milestone = risk.relative_to
        after = "" if milestone == "start" else f" after {milestone}"
        window = f"months {lo:g} to {hi:g}{after}" if hi > lo else f"month {lo:g}{after}"
        even = (
            ""
            if milestone == "start"
            else f" even after the earliest possible {milestone} (month {earliest[milestone]:.3g})"
        )
        first, last = earliest[milestone] + lo, earliest[milestone] + hi
        where = f"{scenario.path}: risks.{risk.name}"
        if not struck(risk.kind, 1.0, first, months):
            out.append(
                f"{where}: its window ({window}) lies beyond the {months:g}-month horizon"
                f"{even}, so it can never strike: it counts as struck in no future (change the "
                "window or the horizon)"
            )
        elif last > months:
            share = (months - first) / (hi - lo)  # the month is uniform over the window
            only = "only" if milestone == "start" else "at most"
            out.append(
                f"{where}: its window ({window}) reaches past the {months:g}-month horizon"
                f"{even}: it strikes within the horizon in {only} {share:.0%} of the futures it "
                "occurs in"
            )
    return out


def _lever(scenario: Scenario, switch: str) -> bool:
    """Whether a lever of the response layer is used: its switch and ``response.enabled``."""
    options = scenario.options
    return bool(options.get("response.enabled", True)) and bool(options.get(switch, True))


def _response(scenario: Scenario, reach: Reach) -> list[str]:
    """Settings of the response layer that are legal but almost certainly not meant (each a
    warning: the run is still well defined). Relations checked and left alone:

    * ``review_days`` beyond the horizon: no review ever happens, so the layer the scenario
      switches on silently does nothing;
    * ``release_backlog_days`` above the backlog that calls for help: with a backlog in between,
      the calm rule releases help while the pressure rule orders more, in the same review (each
      order billed at least ``agency_min_days``). Equal levels are fine: help is called above
      the trigger and released at or below the release level;
    * ``hypercare_max_agents`` above ``vendor.agents``: called-back agents are modelled as
      knowing every domain, which only the vendor's own team on the service does;
    * not checked: ``agency_max_agents`` against the team (an agency can staff more people
      than the internal team in a crisis; the key's own limit bounds the model's work),
      ``window_weeks`` longer than the horizon (the window then starts at programme start, a
      legitimate "everything so far"), ``overtime_capacity`` above ``overtime_hours`` (unpaid
      overtime of salaried staff adds output without paid hours).
    """
    if not bool(scenario.options.get("response.enabled", True)):
        return []
    return [
        *_no_review(scenario, reach),
        *_release_above_trigger(scenario, reach),
        *_hypercare_beyond_vendor(scenario, reach),
    ]


def _no_review(scenario: Scenario, reach: Reach) -> list[str]:
    """The first review after the horizon: management never acts."""
    months = _horizon(scenario)
    days = months * reach("demand.working_days_per_month")[1]
    every = reach("response.review_days")[0]
    if not every >= days:
        return []
    return [
        f"{scenario.path}: response.review_days: the first review falls on working day "
        f"{every:g}, after the {months:g}-month horizon ({days:g} working days), so management "
        "never acts; review more often, or set response.enabled = false to model no response"
    ]


def _release_above_trigger(scenario: Scenario, reach: Reach) -> list[str]:
    """Temporary help released at a backlog above the one that calls for it."""
    # the backlog that calls for help: agency staff and overtime come above the agency trigger,
    # vendor agents on hypercare only above both triggers
    agency = "response.agency_trigger_backlog_days"
    triggers = []
    if _lever(scenario, "response.agency") or _lever(scenario, "response.overtime"):
        triggers.append(agency)
    if _lever(scenario, "response.hypercare"):
        hyper = "response.hypercare_trigger_backlog_days"
        triggers.append(max(agency, hyper, key=lambda k: reach(k)[0]))
    if not triggers:
        return []
    release = "response.release_backlog_days"
    trigger = min(triggers, key=lambda k: reach(k)[0])
    (rel_lo, rel_hi), (trig_lo, trig_hi) = reach(release), reach(trigger)
    if not rel_hi > trig_lo:
        return []
    some = "" if rel_lo > trig_hi else " (in some futures)"
    return [
        f"{scenario.path}: {release}: temporary help is released at a backlog of {rel_hi:g} "
        f"days of demand, while the review calls for help above {trig_lo:g} "
        f"({trigger}){some}: at a backlog in between, one review can release help and "
        "order more at once; keep the release level at or below the trigger"
    ]


def _hypercare_beyond_vendor(scenario: Scenario, reach: Reach) -> list[str]:
    """More vendor agents called back on hypercare than the vendor has on the service."""
    cap = "response.hypercare_max_agents"
    if not _lever(scenario, "response.hypercare") or cap not in scenario.inputs:
        return []
    most, vendor = round(reach(cap)[1]), round(reach("vendor.agents")[0])
    if not most > vendor:
        return []
    some = "" if round(reach(cap)[0]) > round(reach("vendor.agents")[1]) else " (in some futures)"
    return [
        f"{scenario.path}: {cap}: up to {most} vendor agents may be called back, more than the "
        f"{vendor} the vendor has on the service (vendor.agents){some}: called-back "
        "agents are modelled as knowing every domain, which only the vendor's own team "
        "does"
    ]


def check_scenario(scenario: Scenario) -> GuardReport:
    """Cross-key checks on the input ranges of ``scenario`` (no sampling needed)."""
    from simulation.scenario.cross_checks import input_reach

    reach = input_reach(scenario)
    errors: list[str] = [*_recruiting(scenario), *_demand(scenario)]
    warnings: list[str] = [*_windows(scenario, reach), *_response(scenario, reach)]
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
