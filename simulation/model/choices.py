"""The scenario's choices (its non-numeric options) -> :class:`ModelInputs` fields: who builds
the incoming team (:func:`incoming_kind`, :func:`incoming_team`), how the vendor charges
(:func:`fee_terms`), the strategy's waves (:func:`strategy_waves`), which of management's levers
are on (:func:`response_switches`), and the variability and cutover policy
(:func:`run_choices`). Each unknown value raises ``ValueError`` naming its key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping, Sequence

from simulation.model.parameter_table import INCOMING_PLAN, is_unset
from simulation.scenario.types import Wave

#: The response layer's switches (boolean keys, read from the options): ModelInputs field ->
#: key. A lever is on when its switch and ``response.enabled`` are.
SWITCHES: dict[str, str] = {
    "resize": "response.resize",
    "agency": "response.agency",
    "overtime": "response.overtime",
    "hypercare": "response.hypercare",
    "triage": "response.triage",
}


def incoming_kind(options: Mapping[str, object]) -> str:
    """Who builds the incoming team: ``"in_house"`` (the default) or a new ``"vendor"``."""
    incoming = str(options.get("incoming.kind", "in_house"))
    if incoming not in ("in_house", "vendor"):
        raise ValueError(f"incoming.kind: unknown value '{incoming}'")
    return incoming


def incoming_values(values: Mapping[str, float]) -> dict[str, float]:
    """The incoming vendor's keys (``incoming.*``) as given, or their defaults (NaN: unset)."""
    return {path: float(values.get(path, default)) for path, _, default, _, _, _ in INCOMING_PLAN}  # type: ignore[arg-type]


def incoming_team(fields: MutableMapping[str, object], resolved: Mapping[str, float]) -> None:
    """A new vendor builds the incoming team (in place): its own staffing values where given
    (each unset one is the in-house team's), and its fees."""
    for path, name, _, lo, hi, integer in INCOMING_PLAN:
        v = resolved[path]
        if math.isnan(v):
            continue
        if not math.isfinite(v):
            raise ValueError(f"{path}: value {v} is not finite")
        v = lo if v < lo else (hi if v > hi else v)
        fields[name] = round(v) if integer else v
    fields["incoming_vendor"] = True
    fields.setdefault("incoming_price_increase", fields["annual_price_increase"])
    fields.setdefault("incoming_sla_compliance", fields["vendor_sla_compliance"])
    late = float(fields["vendor_late_days"])  # type: ignore[arg-type]
    if float(fields["incoming_sla_compliance"]) < 1.0 and math.isnan(late):  # type: ignore[arg-type]
        raise ValueError("vendor.late_days: is required when incoming.sla_compliance < 1")


def fee_terms(fields: MutableMapping[str, object], fee_model: str) -> str:
    """Check the fee model and fill the keys it leaves unused (in place): the price per ticket
    (required with ``per_ticket``, 0 under ``fixed``) and the late days of a vendor ticket
    (required when the vendor can be late). The scenario reader reports each case on its key
    first; these are the safety net of direct callers."""
    if fee_model not in ("fixed", "per_ticket"):
        raise ValueError(f"vendor.fee_model: unknown value '{fee_model}'")
    if is_unset(fields, "price_per_ticket"):
        if fee_model == "per_ticket":
            raise ValueError("vendor.price_per_ticket: is required with fee_model 'per_ticket'")
        fields["price_per_ticket"] = 0.0
    if is_unset(fields, "vendor_late_days"):
        for key in ("vendor.sla_compliance", "staffing.sla_compliance"):
            name = "vendor_sla_compliance" if key.startswith("vendor") else "team_sla_compliance"
            if float(fields[name]) < 1.0:  # type: ignore[arg-type]
                raise ValueError(f"vendor.late_days: is required when {key} < 1")
        fields["vendor_late_days"] = 0.0
    return fee_model


def response_switches(options: Mapping[str, object]) -> dict[str, bool]:
    """``response`` and each lever of :data:`SWITCHES`: on when its switch and
    ``response.enabled`` are (both default on)."""
    enabled = bool(options.get("response.enabled", True))
    switches = {"response": enabled}
    for name, path in SWITCHES.items():
        switches[name] = enabled and bool(options.get(path, True))
    return switches


def run_choices(options: Mapping[str, object]) -> tuple[str, str]:
    """``(variability, cutover policy)``: ``simulation.variability`` (``"stochastic"`` or
    ``"none"``) and ``policy.cutover`` (``"readiness"`` or ``"fixed"``)."""
    variability = str(options.get("simulation.variability", "stochastic"))
    policy = str(options.get("policy.cutover", "readiness"))
    if variability not in ("stochastic", "none"):
        raise ValueError(f"simulation.variability: unknown value '{variability}'")
    if policy not in ("readiness", "fixed"):
        raise ValueError(f"policy.cutover: unknown value '{policy}'")
    return variability, policy


def strategy_waves(
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
