"""One iteration's parameters: dotted-path values + scenario options -> frozen :class:`ModelInputs`.

``build_inputs`` is the only bridge between the scenario layer (dotted paths, floats) and the
transition model (typed fields with units). It fills schema defaults for missing keys, rounds
integer keys, applies the parameter shocks of the risks that occurred in this iteration
(``adds_to`` / ``scales``), clamps values back into their key's bound and maximum (a numerical
safety net: the scenario reader refuses shocks that would leave them), and collects the timed
risk events (``staff_loss``, ``ticket_surge``, ``vendor_walkout``, ``hiring_freeze``,
``vendor_failure``) that strike within the horizon (:func:`struck`), which the model schedules.

Its steps live by idea: the key → field table, defaults, bounds and derived values in
:mod:`~simulation.model.parameter_table`, what the risks do in
:mod:`~simulation.model.risk_effects`, the non-numeric choices in :mod:`~simulation.model.choices`.
``ModelInputs``, ``RiskEvent`` and ``struck`` are re-exported here, where callers import them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from simulation.model.choices import (
    SWITCHES,
    fee_terms,
    incoming_kind,
    incoming_team,
    incoming_values,
    response_switches,
    run_choices,
    strategy_waves,
)
from simulation.model.parameter_table import PLAN, fill_derived
from simulation.model.parameters import ModelInputs, RiskEvent
from simulation.model.risk_effects import (
    RiskKeys,
    apply_shocks,
    risk_flags,
    risk_keys,
    struck,
    timed_events,
)
from simulation.scenario.types import Risk, Wave

__all__ = ["ModelInputs", "RiskEvent", "build_inputs", "cost_keys", "struck"]

_COST_PREFIXES = ("costs.one_off_", "costs.monthly_")


def cost_keys(values: Mapping[str, float]) -> tuple[str, ...]:
    """The ``costs.one_off_*`` and ``costs.monthly_*`` keys among ``values``, sorted (a caller
    building many iterations with the same keys computes this once)."""
    return tuple(sorted(p for p in values if p.startswith(_COST_PREFIXES)))


def _resolved(values: Mapping[str, float]) -> dict[str, float]:
    """Every key of :data:`PLAN` as given, or its default; a required key left out raises."""
    get = values.get
    resolved: dict[str, float] = {}
    for path, _, default, _, _, _ in PLAN:
        v = get(path, default)
        if v is None:
            raise ValueError(f"{path}: is required but has no value")
        resolved[path] = float(v)
    return resolved


def _shocked(
    resolved: dict[str, float],
    values: Mapping[str, float],
    risks: Sequence[Risk],
    register: Sequence[RiskKeys],
    costs: Sequence[str],
) -> Sequence[str]:
    """Apply the register's parameter shocks to ``resolved`` (in place); the cost keys, with
    any cost item a risk adds that the file does not list."""
    apply_shocks(resolved, register, values)
    shocked = {r.target for r in risks if r.target and r.target.startswith(_COST_PREFIXES)}
    if not shocked <= set(costs):  # a risk adds a cost item the file does not list
        return tuple(sorted(set(costs) | shocked))
    return costs


def _fields(resolved: Mapping[str, float]) -> dict[str, object]:
    """Each :data:`PLAN` key's value clamped back into its interval and rounded when whole;
    an optional key left unset stays NaN (:func:`fill_derived` fills it); one that is not
    finite raises."""
    fields: dict[str, object] = {}
    for path, name, default, lo, hi, integer in PLAN:
        v = resolved[path]
        if math.isnan(v) and default is not None and math.isnan(default):
            fields[name] = v  # an optional key left unset
            continue
        if not math.isfinite(v):
            raise ValueError(f"{path}: value {v} is not finite")
        v = lo if v < lo else (hi if v > hi else v)
        fields[name] = round(v) if integer else v
    return fields


def _cost_items(
    resolved: Mapping[str, float], costs: Sequence[str], prefix: str
) -> tuple[tuple[str, float], ...]:
    """``(item, amount)`` of the cost keys starting with ``prefix``; a cost item only a risk
    names is 0 in the iterations that risk does not strike."""
    return tuple(
        (p.removeprefix(prefix), max(0.0, resolved.get(p, 0.0)))
        for p in costs
        if p.startswith(prefix)
    )


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
    resolved = _resolved(values)
    incoming = incoming_kind(options)
    if incoming == "vendor":
        resolved.update(incoming_values(values))
    costs = cost_keys(values) if costs is None else costs
    for path in costs:
        resolved[path] = float(values[path])
    register = risk_keys(risks) if risks else ()
    if risks:
        costs = _shocked(resolved, values, risks, register, costs)
    fields = _fields(resolved)
    if incoming == "vendor":
        incoming_team(fields, resolved)
    fill_derived(fields)
    fields.update(response_switches(options))
    fields["fee_model"] = fee_terms(fields, str(options.get("vendor.fee_model", "fixed")))
    variability, policy = run_choices(options)
    flags = risk_flags(values, register, float(fields["horizon_months"]))  # type: ignore[arg-type]
    strategy = str(options.get("policy.strategy", "big_bang"))
    plan = strategy_waves(strategy, float(fields["retained_share"]), waves)  # type: ignore[arg-type]
    if strategy == "stay":  # no programme: the vendor manages its own service, no one reviews
        fields.update(dict.fromkeys(("response", *SWITCHES), False))
    return ModelInputs(
        variability=variability,
        cutover_policy=policy,
        strategy=strategy,
        waves=plan,
        one_off_costs=_cost_items(resolved, costs, "costs.one_off_"),
        monthly_costs=_cost_items(resolved, costs, "costs.monthly_"),
        events=timed_events(values, register, flags),
        risk_flags=MappingProxyType(flags),
        **fields,  # type: ignore[arg-type]
    )
