"""How a scenario key is described: :class:`KeySpec` (kind, default, unit, bounds, upper limit
with why, meaning), the helpers the key tables of :mod:`simulation.scenario.keys` are written
with (:func:`spec`, :func:`switch`) and the limits they share (horizon, iterations, counts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["number", "integer", "string", "choice", "date", "boolean"]
Bound = Literal["any", "nonneg", "positive", "fraction", "rate"]


#: Longest horizon the monthly series may cover, in months (50 years).
MAX_HORIZON_MONTHS = 600
#: Largest iteration count a scenario or the command line may ask for.
MAX_ITERATIONS = 2_000_000
#: Most agents, domains, recruiting slots or handover sessions: the model runs a SimPy process
#: (or tracks an object) for each, so the time and memory of every iteration grow with them.
MAX_COUNT = 10_000
#: Longest duration of any key, 500 years (ten times the longest horizon), in each unit: nothing
#: that long can change an output, so a larger value is a unit mistake, and far larger values
#: overflow the model's day arithmetic (months × working days) to infinity.
LONG_MONTHS = 10 * MAX_HORIZON_MONTHS
LONG_WEEKS = 26_000
LONG_DAYS = LONG_MONTHS * 31
MAX_TICKETS_PER_DAY = 1e9
WHY_TICKETS = (
    "a billion tickets a working day is beyond any service desk (numpy draws a Poisson day's "
    "arrivals only below about 9e18)"
)
#: Largest coefficient of variation of a gamma duration: above it nearly every draw is 0 and a
#: few are hundreds of times the mean; far larger values overflow the gamma shape 1 / cv².
MAX_CV = 10.0
WHY_CV = "above 10 nearly every draw is 0 and a few are hundreds of times the mean"
#: Most weeks of a stable-SLA run: the weeks in the longest horizon (50 years).
MAX_STABLE_WEEKS = 2_600
WHY_CALENDAR = (
    "the calendar turns every month and week of the scenario (durations, the fee, the horizon) "
    "into working days, so a shock to it would rescale all of them at once; to model lost "
    "working time, scale staffing.tickets_per_agent_day or demand.tickets_per_day instead"
)
WHY_LONG = (
    "a duration longer than 500 years (ten times the longest horizon) cannot change any output"
)


@dataclass(frozen=True)
class KeySpec:
    """One scenario key.

    ``bound``: ``nonneg`` >= 0; ``positive`` > 0; ``fraction`` within [0, 1]; ``rate`` > -1
    (a growth or discount rate, as a fraction per year); ``any`` unconstrained.
    ``default`` ``None`` means the key is required (for model sections) or optional with no value.

    ``maximum`` (in ``unit``; ``None``: no upper limit) is the key's one upper limit and ``why``
    says why it exists: the scenario reader, the check of risk impacts (the shocked value), the
    check of sweep values and the model's parameter clamping all read it from here.
    ``structural`` (empty for most keys) says why no risk may shock the key: its value must be
    the same in every iteration.
    """

    section: str
    key: str
    kind: Kind
    default: float | int | str | bool | None
    unit: str
    doc: str
    bound: Bound = "any"
    choices: tuple[str, ...] = ()
    required: bool = False
    maximum: float | None = None
    why: str = ""
    structural: str = ""

    @property
    def path(self) -> str:
        """Dotted path, e.g. ``staffing.time_to_hire_days``."""
        return f"{self.section}.{self.key}"

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")


def unit_words(unit: str) -> str:
    """A unit for a sentence: ``days/month`` → ``days a month``, ``tickets/agent/day`` →
    ``tickets an agent a day``; ``fraction`` and no unit give ``""``."""
    if unit in ("", "fraction", "0/1"):
        return ""
    head, *per = unit.split("/")
    return " ".join([head, *(f"{'an' if p[:1] in 'aeiou' else 'a'} {p}" for p in per)])


def spec(
    section: str,
    key: str,
    kind: Kind,
    default: float | int | str | bool | None,
    unit: str,
    doc: str,
    bound: Bound = "any",
    choices: tuple[str, ...] = (),
    required: bool = False,
    maximum: float | None = None,
    why: str = "",
    structural: str = "",
) -> KeySpec:
    return KeySpec(
        section, key, kind, default, unit, doc, bound, choices, required, maximum, why, structural
    )


def switch(key: str, doc: str) -> KeySpec:
    return spec("response", key, "boolean", True, "", doc)


WHY_AGENTS = "an agent count beyond the largest team the model runs (10,000)"
