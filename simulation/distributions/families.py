"""The distribution catalogue: TOML values (plain numbers or ``{ dist = "...", ... }`` tables)
parsed into frozen distributions that turn uniform percentiles into values.

Every distribution is sampled through its inverse CDF (``ppf``) from uniform percentiles in
(0, 1), so that the sampling layer (:mod:`simulation.sampling.designs`) can stratify (LHS), use
low-discrepancy points (Sobol) and impose rank correlations (Iman–Conover) independently of the
family. Values are in the units of the scenario key that holds the distribution (the key's name
says them: ``_days``, ``_months``, ``_eur``, ``_per_year`` ...); this module never converts.

Catalogue (TOML field names):

==============  ==================================================================================
``fixed``       ``value`` (or a plain number)
``uniform``     ``low``, ``high``
``triangular``  ``min``, ``mode``, ``max``
``pert``        ``min``, ``mode``, ``max``, optional ``lambda`` (default 4)
``normal``      ``mean``, ``sd``
``lognormal``   ``mean`` and ``sd`` of the variable itself, or exactly two percentiles
                ``p1`` .. ``p99`` (e.g. ``p10`` and ``p90``)
``gamma``       ``shape`` and ``scale``, or ``mean`` and ``sd``
``beta``        ``alpha``, ``beta``, optional ``low``/``high`` (scaling, default [0, 1])
``discrete``    ``values``, optional ``weights`` (non-negative, normalised; default equal)
``bernoulli``   ``p`` (values 0.0 / 1.0)
``empirical``   ``values`` (at least two observations, resampled with equal weight)
==============  ==================================================================================

Truncation: ``triangular``, ``pert``, ``normal``, ``lognormal`` and ``gamma`` accept optional
``low`` and/or ``high``. By default the distribution is *truncated* exactly (the sample is drawn
from the conditional distribution on [low, high]: ``ppf(F(low) + u·(F(high) − F(low)))``);
with ``clip = true`` values outside are instead set to the bound (probability mass piles up on
it). Bounds may lie outside the family's own range (they then have no effect on that side), but a
truncation interval with zero probability is rejected. ``uniform`` and ``beta`` use ``low`` and
``high`` as their own range; ``discrete``, ``bernoulli`` and ``empirical`` take no bounds.

Degenerate ranges (``min == max`` for triangular/PERT, ``low == high`` for uniform) are rejected
with a message that suggests a plain number: a fixed value must be written as a fixed value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


# Number formatting ----------------------------------------------------------------------------


def num(x: float) -> str:
    """A number for people and messages (``:g``)."""
    return f"{x:g}"


def toml_number(x: float) -> str:
    """A number for TOML that reads back to exactly the same float."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def bounds_phrase(low: float | None, high: float | None, clip: bool) -> str:
    verb = "clipped" if clip else "truncated"
    if low is not None and high is not None:
        return f"{verb} to [{num(low)}, {num(high)}]"
    if low is not None:
        return f"{verb} below at {num(low)}"
    if high is not None:
        return f"{verb} above at {num(high)}"
    return ""


def inline_table(dist: str, items: list[tuple[str, object]]) -> str:
    parts = [f'dist = "{dist}"']
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, tuple | list):
            text = "[" + ", ".join(toml_number(float(v)) for v in value) + "]"
        else:
            text = toml_number(float(value))  # type: ignore[arg-type]
        parts.append(f"{key} = {text}")
    return "{ " + ", ".join(parts) + " }"


# The common interface ----------------------------------------------------------------------------


class Distribution(ABC):
    """A distribution of one scenario input, in that input's units.

    ``ppf`` maps uniform percentiles in (0, 1) to values (vectorised, monotone non-decreasing, so
    rank correlations imposed on the percentiles carry over to the values).
    """

    name: ClassVar[str]

    @property
    def is_fixed(self) -> bool:
        """True for a fixed value (not an uncertain input)."""
        return False

    @abstractmethod
    def ppf(self, u: ArrayLike) -> FloatArray:
        """Values at the uniform percentiles ``u`` (array of floats in (0, 1))."""

    @abstractmethod
    def mean(self) -> float:
        """Mean of the distribution (after truncation/clipping/scaling)."""

    def percentile(self, q: float) -> float | None:
        """Exact value at quantile ``q`` in (0, 1)."""
        if not 0.0 < q < 1.0:
            raise ValueError(f"quantile must be within (0, 1), got {q}")
        return float(self.ppf(np.array([q]))[0])

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (may be infinite)."""

    @abstractmethod
    def describe(self) -> str:
        """Plain words for an assumptions table, e.g. ``PERT from 20 to 90, most likely 40``."""

    @abstractmethod
    def to_toml(self) -> str:
        """An inline TOML value that :func:`parse_distribution` reads back to an equal object."""

    def __getstate__(self) -> dict[str, object]:
        # Pickle only the defining fields: scipy objects and caches are rebuilt on load.
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}  # type: ignore[arg-type]

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()


@dataclass(frozen=True)
class Fixed(Distribution):
    """A fixed value (a plain number in the scenario)."""

    value: float
    name: ClassVar[str] = "fixed"

    @property
    def is_fixed(self) -> bool:
        return True

    def ppf(self, u: ArrayLike) -> FloatArray:
        return np.full(np.shape(u), self.value, dtype=np.float64)

    def mean(self) -> float:
        return self.value

    def percentile(self, q: float) -> float | None:
        return self.value

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def describe(self) -> str:
        return f"fixed at {num(self.value)}"

    def to_toml(self) -> str:
        return toml_number(self.value)


# Continuous families through a frozen scipy distribution ---------------------------------------


# Discrete and resampled families -----------------------------------------------------------------


@dataclass(frozen=True)
class Discrete(Distribution):
    """One of ``values`` with probabilities proportional to ``weights`` (equal when ``None``)."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    name: ClassVar[str] = "discrete"
    _sorted: FloatArray = field(init=False, repr=False, compare=False)
    _rv: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        order = np.argsort(self.values, kind="stable")
        probs = w[order] / w.sum()
        object.__setattr__(self, "_sorted", np.asarray(self.values, float)[order])
        object.__setattr__(
            self, "_rv", stats.rv_discrete(values=(np.arange(len(self.values)), probs))
        )

    def probabilities(self) -> FloatArray:
        """Normalised probabilities, in the order of ``values``."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return np.asarray(w / w.sum(), dtype=np.float64)

    def ppf(self, u: ArrayLike) -> FloatArray:
        idx = np.asarray(self._rv.ppf(np.asarray(u, dtype=np.float64)))
        idx = np.clip(np.nan_to_num(idx, nan=0.0), 0, len(self.values) - 1).astype(np.intp)
        return np.asarray(self._sorted[idx], dtype=np.float64)

    def mean(self) -> float:
        return float(np.dot(self.values, self.probabilities()))

    def support(self) -> tuple[float, float]:
        return (float(min(self.values)), float(max(self.values)))

    def describe(self) -> str:
        values = ", ".join(num(v) for v in self.values)
        if self.weights is None:
            return f"one of {values} with equal weights (mean {self.mean():.3g})"
        probs = ", ".join(f"{p:.3g}" for p in self.probabilities())
        return f"one of {values} with probabilities {probs} (mean {self.mean():.3g})"

    def to_toml(self) -> str:
        return inline_table(self.name, [("values", self.values), ("weights", self.weights)])


@dataclass(frozen=True)
class Bernoulli(Distribution):
    """1.0 with probability ``p``, else 0.0 (e.g. whether a risk strikes)."""

    p: float
    name: ClassVar[str] = "bernoulli"
    _rv: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rv", stats.bernoulli(self.p))

    def ppf(self, u: ArrayLike) -> FloatArray:
        return np.asarray(self._rv.ppf(np.asarray(u, dtype=np.float64)), dtype=np.float64)

    def mean(self) -> float:
        return self.p

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def describe(self) -> str:
        return f"1 (yes) with probability {num(self.p)}, else 0 (no)"

    def to_toml(self) -> str:
        return inline_table(self.name, [("p", self.p)])


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling of observed ``values`` with equal weight: ppf(u) = sorted(values)[⌊u·n⌋]."""

    values: tuple[float, ...]
    name: ClassVar[str] = "empirical"
    _sorted: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sorted", np.sort(np.asarray(self.values, dtype=np.float64)))

    def ppf(self, u: ArrayLike) -> FloatArray:
        n = len(self._sorted)
        idx = np.clip(np.floor(np.asarray(u, dtype=np.float64) * n), 0, n - 1).astype(np.intp)
        return np.asarray(self._sorted[idx], dtype=np.float64)

    def mean(self) -> float:
        return float(np.mean(self._sorted))

    def support(self) -> tuple[float, float]:
        return (float(self._sorted[0]), float(self._sorted[-1]))

    def describe(self) -> str:
        lo, hi = self.support()
        return (
            f"resampled from {len(self.values)} observed values "
            f"({num(lo)} to {num(hi)}, mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        return inline_table(self.name, [("values", self.values)])


# Parsing and validation --------------------------------------------------------------------------
