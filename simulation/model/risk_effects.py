"""What the risk register does to one iteration: the parameter shocks of the risks that occurred
(``adds_to`` / ``scales``, :func:`apply_shocks`), which risks struck within the horizon
(:func:`struck`, :func:`risk_flags`) and the timed events the model schedules
(``staff_loss``, ``ticket_surge``, ``vendor_walkout``, ``hiring_freeze``, ``vendor_failure``:
:func:`timed_events`).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulation.model.parameters import RiskEvent
from simulation.scenario import schema
from simulation.scenario.types import Risk

if TYPE_CHECKING:  # numpy is not imported by the command line's light commands
    import numpy as np
    from numpy.typing import NDArray


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


@dataclass(frozen=True)
class RiskKeys:
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
_KEYS: dict[int, tuple[Sequence[Risk], tuple[RiskKeys, ...]]] = {}


def risk_keys(risks: Sequence[Risk]) -> tuple[RiskKeys, ...]:
    """The input paths of every risk of a register (cached for the registers seen lately)."""
    cached = _KEYS.get(id(risks))
    if cached is not None and cached[0] is risks:
        return cached[1]
    keys = tuple(
        RiskKeys(
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


def apply_shocks(
    values: MutableMapping[str, float], risks: Sequence[RiskKeys], source: Mapping[str, float]
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


def risk_flags(
    values: Mapping[str, float], risks: Sequence[RiskKeys], horizon_months: float
) -> dict[str, bool]:
    """Per risk of the register, whether it struck within the horizon (:func:`struck`)."""
    get = values.get
    return {
        k.risk.name: bool(
            struck(
                k.risk.kind, float(get(k.occurs, 0.0)), float(get(k.at_month, 0.0)), horizon_months
            )
        )
        for k in risks
    }


def timed_events(
    values: Mapping[str, float], risks: Sequence[RiskKeys], flags: Mapping[str, bool]
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
