"""Frozen data read from a scenario file, passed from the scenario layer to the others."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simulation.distributions.families import Distribution


@dataclass(frozen=True)
class Correlation:
    """A requested Spearman rank correlation between two uncertain inputs (dotted paths)."""

    a: str
    b: str
    rank: float


@dataclass(frozen=True)
class Risk:
    """One entry of the risk register.

    Its numeric fields are model inputs named ``risks.<name>.<field>``:
    ``risks.<name>.occurs`` (1.0 when the risk strikes in an iteration, else 0.0, a Bernoulli
    input drawn with ``probability``), ``risks.<name>.impact`` (shock size), and for events
    ``risks.<name>.at_month`` (months from programme start, uniform over the timing window),
    ``risks.<name>.agents``, ``.extra_tickets_per_day``, ``.duration_days``, ``.level``.

    ``kind`` is ``"adds_to"`` (impact is added to ``target``, in that key's units),
    ``"scales"`` (``target`` is multiplied by impact) or ``"event"`` (``event`` is one of
    ``staff_loss``, ``ticket_surge``, ``vendor_walkout``, ``hiring_freeze``, ``vendor_failure``).
    An event's timing window counts from ``relative_to``: programme ``start``, ``notice`` or
    ``cutover``.
    """

    name: str
    kind: Literal["adds_to", "scales", "event"]
    target: str | None = None
    event: str | None = None
    description: str = ""
    relative_to: str = "start"

    def path(self, field_name: str) -> str:
        return f"risks.{self.name}.{field_name}"


@dataclass(frozen=True)
class Wave:
    """One ``[[waves]]`` entry of ``policy.strategy = "waves"``: a ``share`` of demand, domains,
    team and vendor agents that cuts over, after the waves before it, no earlier than
    ``earliest_month`` (months from programme start)."""

    name: str
    share: float
    earliest_month: float = 0.0


@dataclass(frozen=True)
class Target:
    """A decision target on a scalar output: met when ``value <= at_most`` / ``>= at_least``."""

    metric: str
    at_most: float | None = None
    at_least: float | None = None

    def describe(self) -> str:
        if self.at_most is not None:
            return f"{self.metric} <= {self.at_most:g}"
        return f"{self.metric} >= {self.at_least:g}"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    ``inputs`` maps the dotted path of every numeric model input (``staffing.time_to_hire_days``,
    ``risks.<name>.occurs``, ``costs.one_off_tooling`` ...) to its distribution; fixed values are
    ``Fixed`` distributions. ``options`` holds every non-numeric setting by dotted path
    (``policy.cutover``, ``simulation.variability``, ``scenario.currency`` ...).
    ``uncertain`` lists the inputs that are not fixed, in file order: the columns of the
    input matrix.
    """

    path: str
    sha256: str
    name: str
    inputs: Mapping[str, Distribution]
    options: Mapping[str, object]
    risks: tuple[Risk, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    targets: tuple[Target, ...] = ()
    waves: tuple[Wave, ...] = ()
    iterations: int = 1000
    seed: int | None = None
    sampler: str = "lhs"
    files: tuple[str, ...] = field(default=())
    #: ``(path, bytes)`` of every file read, as read when the scenario was loaded (the file
    #: itself first, then the files it ``extends``): what a results folder saves.
    sources: tuple[tuple[str, bytes], ...] = field(default=(), repr=False, compare=False)

    @property
    def uncertain(self) -> tuple[str, ...]:
        return tuple(k for k, d in self.inputs.items() if not d.is_fixed)

    def fixed_values(self) -> dict[str, float]:
        """Every input at its fixed value (uncertain inputs at their mean)."""
        return {k: d.mean() for k, d in self.inputs.items()}

    @property
    def currency(self) -> str:
        return str(self.options.get("scenario.currency", "EUR"))

    @property
    def variability(self) -> str:
        return str(self.options.get("simulation.variability", "stochastic"))


def freeze(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))
