"""One iteration's parameters: dotted-path values + scenario options -> frozen :class:`ModelInputs`.

``build_inputs`` is the only bridge between the scenario layer (dotted paths, floats) and the
transition model (typed fields with units). It fills schema defaults for missing keys, rounds
integer keys, applies the parameter shocks of the risks that occurred in this iteration
(``adds_to`` / ``scales``), clamps values back into their key's bound and maximum (a numerical
safety net: the scenario reader refuses shocks that would leave them), and collects the timed
risk events (``staff_loss``, ``ticket_surge``, ``vendor_walkout``, ``hiring_freeze``,
``vendor_failure``) that strike within the horizon (:func:`struck`), which the model schedules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from simulation.model.parameters import ModelInputs, RiskEvent
from simulation.scenario import schema
from simulation.scenario.types import Risk, Wave

if TYPE_CHECKING:  # numpy is not imported by the command line's light commands
    import numpy as np
    from numpy.typing import NDArray

_FIELDS: dict[str, str] = {
    "scenario.horizon_months": "horizon_months",
    "scenario.discount_rate": "discount_rate",
    "phases.evaluation_weeks": "evaluation_weeks",
    "phases.negotiation_weeks": "negotiation_weeks",
    "phases.planning_weeks": "planning_weeks",
    "vendor.agents": "vendor_agents",
    "vendor.tickets_per_agent_day": "vendor_tickets_per_agent_day",
    "vendor.notice_months": "notice_months",
    "vendor.cooperation": "cooperation",
    "vendor.cooperation_after_notice": "cooperation_after_notice",
    "vendor.attrition_after_notice": "vendor_attrition_after_notice",
    "vendor.monthly_fee": "monthly_fee",
    "vendor.annual_price_increase": "annual_price_increase",
    "vendor.termination_fee": "termination_fee",
    "vendor.extension_premium": "extension_premium",
    "demand.tickets_per_day": "tickets_per_day",
    "demand.growth_per_year": "demand_growth_per_year",
    "demand.sla_days": "sla_days",
    "demand.working_days_per_month": "working_days_per_month",
    "demand.working_days_per_week": "working_days_per_week",
    "staffing.target_agents": "target_agents",
    "staffing.parallel_hiring": "parallel_hiring",
    "staffing.time_to_hire_days": "time_to_hire_days",
    "staffing.time_to_hire_cv": "time_to_hire_cv",
    "staffing.offer_acceptance": "offer_acceptance",
    "staffing.onboarding_days": "onboarding_days",
    "staffing.ramp_up_days": "ramp_up_days",
    "staffing.initial_productivity": "initial_productivity",
    "staffing.tickets_per_agent_day": "agent_tickets_per_day",
    "staffing.annual_attrition": "annual_attrition",
    "staffing.managers": "managers",
    "staffing.manager_salary_per_year": "manager_salary_per_year",
    "staffing.salary_per_year": "salary_per_year",
    "staffing.recruiting_cost_per_hire": "recruiting_cost_per_hire",
    "staffing.training_cost_per_hire": "training_cost_per_hire",
    "staffing.transfer_offers": "transfer_offers",
    "staffing.transfer_acceptance": "transfer_acceptance",
    "staffing.transfer_salary_premium": "transfer_salary_premium",
    "staffing.retention_bonus": "retention_bonus",
    "staffing.transfer_attrition": "transfer_attrition",
    "knowledge.domains": "domains",
    "knowledge.parallel_sessions": "parallel_sessions",
    "knowledge.transfer_days_per_domain": "transfer_days_per_domain",
    "knowledge.rediscovery_days_per_domain": "rediscovery_days_per_domain",
    "knowledge.transfer_cv": "transfer_cv",
    "knowledge.unknown_domain_productivity": "unknown_domain_productivity",
    "costs.disruption_per_ticket_day": "disruption_per_ticket_day",
    "policy.cutover_month": "cutover_month",
    "policy.retained_share": "retained_share",
    "stay.fee_change": "stay_fee_change",
    "stay.late_tickets_avoided": "stay_late_tickets_avoided",
    "stay.renegotiation_cost": "stay_renegotiation_cost",
    "stay.from_month": "stay_from_month",
    "policy.readiness_capacity": "readiness_capacity",
    "policy.readiness_knowledge": "readiness_knowledge",
    "policy.max_extension_months": "max_extension_months",
    "policy.sla_target": "sla_target",
    "policy.stable_weeks": "stable_weeks",
    "policy.stable_backlog_days": "stable_backlog_days",
    "vendor.min_staffing_share": "vendor_min_staffing_share",
    "vendor.backfill_days": "vendor_backfill_days",
    "costs.disruption_cap_per_ticket": "disruption_cap_per_ticket",
    "costs.abandoned_ticket_cost": "abandoned_ticket_cost",
    "response.review_days": "review_days",
    "response.window_weeks": "window_weeks",
    "response.forecast_months": "forecast_months",
    "response.burn_down_days": "burn_down_days",
    "response.release_backlog_days": "release_backlog_days",
    "response.release_weeks": "release_weeks",
    "response.resize_lead_days": "resize_lead_days",
    "response.max_target_agents": "max_target_agents",
    "response.agency_trigger_backlog_days": "agency_trigger_backlog_days",
    "response.agency_trigger_weeks": "agency_trigger_weeks",
    "response.agency_lead_days": "agency_lead_days",
    "response.agency_productivity": "agency_productivity",
    "response.agency_cost_factor": "agency_cost_factor",
    "response.agency_min_days": "agency_min_days",
    "response.agency_max_agents": "agency_max_agents",
    "response.agency_max_months": "agency_max_months",
    "response.overtime_capacity": "overtime_capacity",
    "response.overtime_hours": "overtime_hours",
    "response.overtime_premium": "overtime_premium",
    "response.overtime_max_weeks": "overtime_max_weeks",
    "response.overtime_attrition_factor": "overtime_attrition_factor",
    "response.overtime_lead_days": "overtime_lead_days",
    "response.hypercare_months": "hypercare_months",
    "response.hypercare_trigger_backlog_days": "hypercare_trigger_backlog_days",
    "response.hypercare_lead_days": "hypercare_lead_days",
    "response.hypercare_max_agents": "hypercare_max_agents",
    "response.hypercare_rate_factor": "hypercare_rate_factor",
    "response.triage_age_days": "triage_age_days",
    "response.triage_share_per_week": "triage_share_per_week",
    "vendor.price_per_ticket": "price_per_ticket",
    "vendor.minimum_fee": "minimum_fee",
    "vendor.contract_end_month": "contract_end_month",
    "vendor.renewal_term_months": "renewal_term_months",
    "vendor.renewal_price_change": "renewal_price_change",
    "vendor.retender_cost": "retender_cost",
    "vendor.sla_compliance": "vendor_sla_compliance",
    "vendor.late_days": "vendor_late_days",
    "vendor.governance_share": "governance_share",
    "vendor.emergency_transition_cost": "emergency_transition_cost",
    "staffing.salary_increase_per_year": "salary_increase_per_year",
    "staffing.sla_compliance": "team_sla_compliance",
}

#: The response layer's switches (boolean keys, read from the options): ModelInputs field ->
#: key. A lever is on when its switch and ``response.enabled`` are.
_SWITCHES: dict[str, str] = {
    "resize": "response.resize",
    "agency": "response.agency",
    "overtime": "response.overtime",
    "hypercare": "response.hypercare",
    "triage": "response.triage",
}


#: ``incoming.<key>`` -> the staffing field it replaces when a new vendor builds the team.
_INCOMING: dict[str, str] = {
    f"incoming.{key}": _FIELDS[f"staffing.{key}"] for key in schema.INCOMING_STAFFING
}
_INCOMING_COSTS: dict[str, str] = {
    "incoming.transition_fee": "incoming_transition_fee",
    "incoming.monthly_fee": "incoming_monthly_fee",
    "incoming.price_per_ticket": "incoming_price_per_ticket",
    "incoming.sla_compliance": "incoming_sla_compliance",
    "incoming.annual_price_increase": "incoming_price_increase",
}


def _derived(kwargs: dict[str, object]) -> None:
    """Fill the optional keys left unset (NaN) with their documented values (in place):
    no queue checks and no disruption cap (inf), transferred agents leaving as the others do, a
    largest team of 1.5 × the target, at most half the target in agency agents and half the
    vendor's agents on hypercare."""

    def unset(name: str) -> bool:
        value = kwargs[name]
        return isinstance(value, float) and math.isnan(value)

    for name in ("stable_backlog_days", "disruption_cap_per_ticket"):
        if unset(name):
            kwargs[name] = math.inf
    if unset("transfer_attrition"):
        kwargs["transfer_attrition"] = kwargs["annual_attrition"]
    target = int(kwargs["target_agents"])  # type: ignore[call-overload]
    vendor = int(kwargs["vendor_agents"])  # type: ignore[call-overload]
    for name, value in (
        ("max_target_agents", math.ceil(1.5 * target)),
        ("agency_max_agents", math.ceil(0.5 * target)),
        ("hypercare_max_agents", math.ceil(0.5 * vendor)),
    ):
        if unset(name):
            kwargs[name] = value


def _incoming(kwargs: dict[str, object], resolved: Mapping[str, float]) -> None:
    """A new vendor builds the incoming team (in place): its own staffing values where given
    (each unset one is the in-house team's), and its fees."""
    for path, name, _, lo, hi, integer in _INCOMING_PLAN:
        v = resolved[path]
        if math.isnan(v):
            continue
        if not math.isfinite(v):
            raise ValueError(f"{path}: value {v} is not finite")
        v = lo if v < lo else (hi if v > hi else v)
        kwargs[name] = round(v) if integer else v
    kwargs["incoming_vendor"] = True
    kwargs.setdefault("incoming_price_increase", kwargs["annual_price_increase"])
    kwargs.setdefault("incoming_sla_compliance", kwargs["vendor_sla_compliance"])
    late = float(kwargs["vendor_late_days"])  # type: ignore[arg-type]
    if float(kwargs["incoming_sla_compliance"]) < 1.0 and math.isnan(late):  # type: ignore[arg-type]
        raise ValueError("vendor.late_days: is required when incoming.sla_compliance < 1")


def _fee_terms(kwargs: dict[str, object], fee_model: str) -> str:
    """Check the fee model and fill the keys it leaves unused (in place): the price per ticket
    (required with ``per_ticket``, 0 under ``fixed``) and the late days of a vendor ticket
    (required when the vendor can be late). The scenario reader reports each case on its key
    first; these are the safety net of direct callers."""

    def unset(name: str) -> bool:
        value = kwargs[name]
        return isinstance(value, float) and math.isnan(value)

    if fee_model not in ("fixed", "per_ticket"):
        raise ValueError(f"vendor.fee_model: unknown value '{fee_model}'")
    if unset("price_per_ticket"):
        if fee_model == "per_ticket":
            raise ValueError("vendor.price_per_ticket: is required with fee_model 'per_ticket'")
        kwargs["price_per_ticket"] = 0.0
    if unset("vendor_late_days"):
        for key in ("vendor.sla_compliance", "staffing.sla_compliance"):
            name = "vendor_sla_compliance" if key.startswith("vendor") else "team_sla_compliance"
            if float(kwargs[name]) < 1.0:  # type: ignore[arg-type]
                raise ValueError(f"vendor.late_days: is required when {key} < 1")
        kwargs["vendor_late_days"] = 0.0
    return fee_model


def _bounds(spec: schema.KeySpec) -> tuple[float, float]:
    """The interval a value is clamped back into: its key's bound and maximum (a numerical
    safety net only: the scenario reader refuses values and risk shocks outside them)."""
    lo, hi = -math.inf, math.inf
    if spec.bound in ("nonneg", "positive"):
        lo = 0.0
    elif spec.bound == "fraction":
        lo, hi = 0.0, 1.0
    elif spec.bound == "rate":
        lo = -0.999999
    if spec.maximum is not None:
        hi = min(hi, float(spec.maximum))
    return lo, hi


def _plan(
    fields: Mapping[str, str],
) -> tuple[tuple[str, str, float | None, float, float, bool], ...]:
    """Per model key: (path, field, default or None if required, lowest, highest, integer);
    an optional key with no default (its value derived, see :func:`_derived`) defaults to NaN."""
    rows = []
    for path, name in fields.items():
        spec = schema.BY_PATH.get(path)
        default = (
            float(spec.default)
            if spec is not None and isinstance(spec.default, int | float)
            else (math.nan if spec is not None and not spec.required else None)
        )
        lo, hi = _bounds(spec) if spec is not None else (-math.inf, math.inf)
        rows.append((path, name, default, lo, hi, spec is not None and spec.kind == "integer"))
    return tuple(rows)


def struck(
    kind: str,
    occurs: float | NDArray[np.float64],
    at_month: float | NDArray[np.float64],
    horizon_months: float,
) -> Any:
    """Whether a risk strikes within the horizon — the one definition of "struck" used by the
    model's risk flags (``samples.csv`` ``risk.<name>``, ``risks.csv``) and by the risk ranking.

    A risk strikes when it occurs (``occurs`` >= 0.5; the input is 0 or 1) and, for a timed
    event (``kind`` ``"event"``), when its month ``at_month`` falls before the horizon: an event
    at or after ``horizon_months`` does not happen within the horizon. Element-wise on arrays
    (iterations) as on single values.
    """
    hit = occurs >= 0.5
    if kind == "event":
        hit = hit & (at_month < horizon_months)
    return hit


_PLAN = _plan(_FIELDS)
#: the incoming vendor's team and fees (read only when ``incoming.kind = "vendor"``)
_INCOMING_PLAN = _plan({**_INCOMING, **_INCOMING_COSTS})
_COST_PREFIXES = ("costs.one_off_", "costs.monthly_")


def cost_keys(values: Mapping[str, float]) -> tuple[str, ...]:
    """The ``costs.one_off_*`` and ``costs.monthly_*`` keys among ``values``, sorted (a caller
    building many iterations with the same keys computes this once)."""
    return tuple(sorted(p for p in values if p.startswith(_COST_PREFIXES)))


@dataclass(frozen=True)
class _RiskKeys:
    """One risk's input paths, made once per register rather than once per iteration."""

    risk: Risk
    occurs: str
    impact: str
    at_month: str
    agents: str
    extra_tickets_per_day: str
    duration_days: str
    level: str


#: The paths of the registers seen lately, by identity (a scenario's ``risks`` tuple is built
#: once; a register of hundreds of risks would otherwise rebuild its paths every iteration).
_KEYS: dict[int, tuple[Sequence[Risk], tuple[_RiskKeys, ...]]] = {}


def _risk_keys(risks: Sequence[Risk]) -> tuple[_RiskKeys, ...]:
    cached = _KEYS.get(id(risks))
    if cached is not None and cached[0] is risks:
        return cached[1]
    keys = tuple(
        _RiskKeys(
            r,
            r.path("occurs"),
            r.path("impact"),
            r.path("at_month"),
            r.path("agents"),
            r.path("extra_tickets_per_day"),
            r.path("duration_days"),
            r.path("level"),
        )
        for r in risks
    )
    if len(_KEYS) >= 16:
        _KEYS.clear()
    _KEYS[id(risks)] = (risks, keys)
    return keys


def _apply_shocks(
    values: dict[str, float], risks: Sequence[_RiskKeys], source: Mapping[str, float]
) -> None:
    """Add or multiply the impact of each parameter-shock risk that occurred (in place)."""
    for keys in risks:
        risk = keys.risk
        if risk.kind == "event" or risk.target is None:
            continue
        if source.get(keys.occurs, 0.0) < 0.5:
            continue
        impact = float(source.get(keys.impact, 0.0 if risk.kind == "adds_to" else 1.0))
        base = values.get(risk.target)
        if base is None:
            spec = schema.BY_PATH.get(risk.target)
            base = float(spec.default) if spec and isinstance(spec.default, int | float) else 0.0
        values[risk.target] = base + impact if risk.kind == "adds_to" else base * impact


def _events(
    values: Mapping[str, float], risks: Sequence[_RiskKeys], flags: Mapping[str, bool]
) -> tuple[RiskEvent, ...]:
    """The timed events that strike within the horizon in this iteration."""
    out: list[RiskEvent] = []
    for keys in risks:
        risk = keys.risk
        if risk.kind != "event" or not flags[risk.name]:
            continue
        out.append(
            RiskEvent(
                name=risk.name,
                event=str(risk.event),
                at_month=max(0.0, float(values.get(keys.at_month, 0.0))),
                agents=max(0, round(float(values.get(keys.agents, 0.0)))),
                extra_tickets_per_day=max(0.0, float(values.get(keys.extra_tickets_per_day, 0.0))),
                duration_days=max(0.0, float(values.get(keys.duration_days, 0.0))),
                level=min(1.0, max(0.0, float(values.get(keys.level, 0.0)))),
                relative_to=risk.relative_to,
            )
        )
    return tuple(out)


def _strategy_waves(
    strategy: str, retained: float, waves: Sequence[Wave]
) -> tuple[tuple[float, float], ...]:
    """The waves of a strategy as ``(share, earliest month)``: one wave of everything
    (``big_bang``), of all but the retained share (``selective``) or the ``[[waves]]``."""
    if strategy == "waves":
        return tuple((w.share, w.earliest_month) for w in waves)
    if strategy == "selective":
        return ((1.0 - retained, 0.0),)
    if strategy == "big_bang":
        return ((1.0, 0.0),)
    if strategy == "stay":
        return ()
    raise ValueError(f"policy.strategy: unknown value '{strategy}'")


def build_inputs(
    values: Mapping[str, float],
    options: Mapping[str, object],
    risks: Sequence[Risk] = (),
    costs: Sequence[str] | None = None,
    waves: Sequence[Wave] = (),
) -> ModelInputs:
    """Build one iteration's :class:`ModelInputs`.

    ``values``: dotted path -> float (``staffing.time_to_hire_days``, ``costs.one_off_tooling``,
    ``risks.<name>.occurs`` ...); missing keys take their schema default, a missing required key
    raises ``ValueError`` naming it. ``options``: non-numeric settings by dotted path
    (``policy.cutover``, ``simulation.variability``). ``risks``: the scenario's risk register.
    ``costs``: :func:`cost_keys` of ``values`` when the caller already has them. ``waves``:
    the scenario's ``[[waves]]`` (read under ``policy.strategy = "waves"``).
    """
    get = values.get
    resolved: dict[str, float] = {}
    for path, _, default, _, _, _ in _PLAN:
        v = get(path, default)
        if v is None:
            raise ValueError(f"{path}: is required but has no value")
        resolved[path] = float(v)
    incoming = str(options.get("incoming.kind", "in_house"))
    if incoming not in ("in_house", "vendor"):
        raise ValueError(f"incoming.kind: unknown value '{incoming}'")
    if incoming == "vendor":
        for path, _, default, _, _, _ in _INCOMING_PLAN:
            resolved[path] = float(get(path, default))  # type: ignore[arg-type]
    costs = cost_keys(values) if costs is None else costs
    for path in costs:
        resolved[path] = float(values[path])
    register = _risk_keys(risks) if risks else ()
    if risks:
        _apply_shocks(resolved, register, values)
        shocked = {r.target for r in risks if r.target and r.target.startswith(_COST_PREFIXES)}
        if not shocked <= set(costs):  # a risk adds a cost item the file does not list
            costs = tuple(sorted(set(costs) | shocked))
    kwargs: dict[str, object] = {}
    for path, name, default, lo, hi, integer in _PLAN:
        v = resolved[path]
        if math.isnan(v) and default is not None and math.isnan(default):
            kwargs[name] = v  # an optional key left unset
            continue
        if not math.isfinite(v):
            raise ValueError(f"{path}: value {v} is not finite")
        v = lo if v < lo else (hi if v > hi else v)
        kwargs[name] = round(v) if integer else v
    if incoming == "vendor":
        _incoming(kwargs, resolved)
    _derived(kwargs)
    enabled = bool(options.get("response.enabled", True))
    kwargs["response"] = enabled
    for name, path in _SWITCHES.items():
        kwargs[name] = enabled and bool(options.get(path, True))
    # a cost item only a risk names is 0 in the iterations that risk does not strike
    one_off = tuple(
        (p.removeprefix("costs.one_off_"), max(0.0, resolved.get(p, 0.0)))
        for p in costs
        if p.startswith("costs.one_off_")
    )
    monthly = tuple(
        (p.removeprefix("costs.monthly_"), max(0.0, resolved.get(p, 0.0)))
        for p in costs
        if p.startswith("costs.monthly_")
    )
    variability = str(options.get("simulation.variability", "stochastic"))
    policy = str(options.get("policy.cutover", "readiness"))
    kwargs["fee_model"] = _fee_terms(kwargs, str(options.get("vendor.fee_model", "fixed")))
    if variability not in ("stochastic", "none"):
        raise ValueError(f"simulation.variability: unknown value '{variability}'")
    if policy not in ("readiness", "fixed"):
        raise ValueError(f"policy.cutover: unknown value '{policy}'")
    horizon = float(kwargs["horizon_months"])  # type: ignore[arg-type]
    flags = {
        k.risk.name: bool(
            struck(k.risk.kind, float(get(k.occurs, 0.0)), float(get(k.at_month, 0.0)), horizon)
        )
        for k in register
    }
    strategy = str(options.get("policy.strategy", "big_bang"))
    plan = _strategy_waves(strategy, float(kwargs["retained_share"]), waves)  # type: ignore[arg-type]
    if strategy == "stay":  # no programme: the vendor manages its own service, no one reviews
        kwargs["response"] = False
        for name in _SWITCHES:
            kwargs[name] = False
    return ModelInputs(
        variability=variability,
        cutover_policy=policy,
        strategy=strategy,
        waves=plan,
        one_off_costs=one_off,
        monthly_costs=monthly,
        events=_events(values, register, flags),
        risk_flags=MappingProxyType(flags),
        **kwargs,  # type: ignore[arg-type]
    )
