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

import difflib
import math
import re
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.stats.sampling import NumericalInversePolynomial

from simulation.errors import DistributionError

FloatArray = NDArray[np.float64]

_PERCENTILE_KEY = re.compile(r"^p([1-9][0-9]?)$")


# Number formatting ----------------------------------------------------------------------------


def _g(x: float) -> str:
    """A number for people and messages (``:g``)."""
    return f"{x:g}"


def _toml_number(x: float) -> str:
    """A number for TOML that reads back to exactly the same float."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _bounds_phrase(low: float | None, high: float | None, clip: bool) -> str:
    verb = "clipped" if clip else "truncated"
    if low is not None and high is not None:
        return f"{verb} to [{_g(low)}, {_g(high)}]"
    if low is not None:
        return f"{verb} below at {_g(low)}"
    if high is not None:
        return f"{verb} above at {_g(high)}"
    return ""


def _inline_table(dist: str, items: list[tuple[str, object]]) -> str:
    parts = [f'dist = "{dist}"']
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, tuple | list):
            text = "[" + ", ".join(_toml_number(float(v)) for v in value) + "]"
        else:
            text = _toml_number(float(value))  # type: ignore[arg-type]
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


def _cached_pinv(dist: _Continuous) -> Any:
    """The PINV inverse of ``dist``'s untruncated distribution, built once per object."""
    cached = dist.__dict__.get("_pinv_cache", False)
    if cached is False:
        cached = _pinv(dist._rv)
        object.__setattr__(dist, "_pinv_cache", cached)
    return cached


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
        return f"fixed at {_g(self.value)}"

    def to_toml(self) -> str:
        return _toml_number(self.value)


# Continuous families through a frozen scipy distribution ---------------------------------------

#: From this many percentiles on, beta-based families (PERT, beta with both shapes >= 1) are
#: inverted with scipy's ``NumericalInversePolynomial`` (PINV, u-resolution 1e-10: the value
#: returned is the exact quantile of a percentile within 1e-10 of the one given) instead of the
#: exact but slow ``beta.ppf`` (about 1.9 µs per value; PINV costs ~45 ms once, then ~0.03 µs).
FAST_PPF_MIN_SIZE = 20_000
_PINV_RESOLUTION = 1e-10


class _BetaDensity:
    """The density of a scaled beta in plain ``math``: PINV calls ``pdf`` a few thousand times
    while it builds its tables, and a frozen scipy distribution costs ~6x more per call."""

    def __init__(self, a: float, b: float, loc: float, scale: float) -> None:
        self.a1, self.b1, self.loc, self.scale = a - 1.0, b - 1.0, loc, scale
        self.log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) - math.log(scale)

    def pdf(self, x: float) -> float:
        t = (x - self.loc) / self.scale
        if t <= 0.0 or t >= 1.0:
            return 0.0
        return math.exp(self.log_norm + self.a1 * math.log(t) + self.b1 * math.log1p(-t))


def _density(rv: Any) -> Any:
    """What PINV evaluates: a light beta density where ``rv`` is a beta, else ``rv`` itself."""
    if getattr(rv.dist, "name", "") != "beta":
        return rv
    if len(rv.args) != 2:  # built positionally with loc/scale: let scipy evaluate it
        return rv
    a, b = (float(v) for v in rv.args)
    return _BetaDensity(a, b, float(rv.kwds.get("loc", 0.0)), float(rv.kwds.get("scale", 1.0)))


def _pinv(rv: Any) -> Any:
    """scipy's polynomial inverse-CDF interpolation of ``rv`` (``None`` if unsuitable)."""
    lo, hi = (float(v) for v in rv.support())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return NumericalInversePolynomial(
                _density(rv),
                domain=(lo, hi),
                center=float(rv.median()),
                u_resolution=_PINV_RESOLUTION,
            )
    except Exception:  # scipy raises UNURANError or RuntimeError on an unsuitable density
        return None


@dataclass(frozen=True)
class _Continuous(Distribution):
    """A continuous scipy family with optional truncation (or clipping) to [low, high]."""

    low: float | None = field(default=None, kw_only=True)
    high: float | None = field(default=None, kw_only=True)
    clip: bool = field(default=False, kw_only=True)
    _rv: Any = field(init=False, repr=False, compare=False)
    _f_lo: float = field(init=False, repr=False, compare=False)
    _f_hi: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rv = self._scipy()
        object.__setattr__(self, "_rv", rv)
        truncate = not self.clip and not self._rv_truncated()
        f_lo = float(rv.cdf(self.low)) if truncate and self.low is not None else 0.0
        f_hi = float(rv.cdf(self.high)) if truncate and self.high is not None else 1.0
        object.__setattr__(self, "_f_lo", f_lo)
        object.__setattr__(self, "_f_hi", f_hi)

    @abstractmethod
    def _scipy(self) -> Any:
        """The frozen scipy distribution (untruncated unless ``_rv_truncated``)."""

    def _rv_truncated(self) -> bool:
        """True when ``_scipy`` already includes the truncation (e.g. truncnorm)."""
        return False

    @property
    def _truncates(self) -> bool:
        return self._f_lo > 0.0 or self._f_hi < 1.0

    def truncation_mass(self) -> float:
        """Probability of [low, high] under the untruncated family (1 without bounds)."""
        if self.clip or self._rv_truncated():
            lo = -np.inf if self.low is None else self.low
            hi = np.inf if self.high is None else self.high
            base = self._untruncated()
            return float(base.cdf(hi) - base.cdf(lo))
        return self._f_hi - self._f_lo

    def _untruncated(self) -> Any:
        return self._rv

    def _fast_inverse(self) -> Any:
        """A fast numerical inverse of the untruncated CDF for large arrays, or ``None``."""
        return None

    def ppf(self, u: ArrayLike) -> FloatArray:
        u = np.asarray(u, dtype=np.float64)
        if self._truncates:
            u = self._f_lo + u * (self._f_hi - self._f_lo)
        fast = self._fast_inverse() if u.size >= FAST_PPF_MIN_SIZE else None
        x: FloatArray = np.asarray((fast or self._rv).ppf(u), dtype=np.float64)
        if self.clip:
            x = np.clip(x, self.low, self.high)
        return x

    def mean(self) -> float:
        rv = self._rv
        if self.clip:
            lo = -np.inf if self.low is None else self.low
            hi = np.inf if self.high is None else self.high
            inner = float(rv.expect(lambda x: x, lb=lo, ub=hi)) if lo < hi else 0.0
            below = lo * float(rv.cdf(lo)) if self.low is not None else 0.0
            above = hi * float(rv.sf(hi)) if self.high is not None else 0.0
            return inner + below + above
        if self._truncates:
            lo = -np.inf if self.low is None else self.low
            hi = np.inf if self.high is None else self.high
            return float(rv.expect(lambda x: x, lb=lo, ub=hi, conditional=True))
        return float(rv.mean())

    def support(self) -> tuple[float, float]:
        lo, hi = (float(v) for v in self._rv.support())
        if self.low is not None:
            lo = max(lo, self.low)
        if self.high is not None:
            hi = min(hi, self.high)
        return (lo, hi)

    def _suffix(self) -> str:
        phrase = _bounds_phrase(self.low, self.high, self.clip)
        return f", {phrase}" if phrase else ""

    def _bound_items(self) -> list[tuple[str, object]]:
        return [("low", self.low), ("high", self.high), ("clip", True if self.clip else None)]


@dataclass(frozen=True)
class Uniform(_Continuous):
    """Uniform on [low, high] (``low`` and ``high`` are its range, not a truncation)."""

    name: ClassVar[str] = "uniform"

    def _scipy(self) -> Any:
        assert self.low is not None and self.high is not None
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def _rv_truncated(self) -> bool:
        return True

    def describe(self) -> str:
        return f"uniform from {_g(self.low or 0.0)} to {_g(self.high or 0.0)}"

    def to_toml(self) -> str:
        return _inline_table(self.name, [("low", self.low), ("high", self.high)])


@dataclass(frozen=True)
class Triangular(_Continuous):
    """Triangular from ``min`` to ``max`` with peak at ``mode``."""

    min: float
    mode: float
    max: float
    name: ClassVar[str] = "triangular"

    def _scipy(self) -> Any:
        width = self.max - self.min
        return stats.triang((self.mode - self.min) / width, loc=self.min, scale=width)

    def describe(self) -> str:
        return (
            f"triangular from {_g(self.min)} to {_g(self.max)}, most likely {_g(self.mode)}"
            f"{self._suffix()} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("min", self.min), ("mode", self.mode)]
        return _inline_table(self.name, [*items, ("max", self.max), *self._bound_items()])


@dataclass(frozen=True)
class Pert(_Continuous):
    """(Modified) PERT: a beta distribution on [min, max] with mode ``mode`` and weight ``lam``.

    Shapes a = 1 + λ(mode − min)/(max − min), b = 1 + λ(max − mode)/(max − min); untruncated
    mean (min + λ·mode + max)/(λ + 2). TOML key of ``lam``: ``lambda``.
    """

    min: float
    mode: float
    max: float
    lam: float = 4.0
    name: ClassVar[str] = "pert"

    def _scipy(self) -> Any:
        width = self.max - self.min
        a = 1.0 + self.lam * (self.mode - self.min) / width
        b = 1.0 + self.lam * (self.max - self.mode) / width
        return stats.beta(a, b, loc=self.min, scale=width)

    def _fast_inverse(self) -> Any:
        return _cached_pinv(self)

    def describe(self) -> str:
        lam = "" if self.lam == 4.0 else f" (lambda {_g(self.lam)})"
        return (
            f"PERT{lam} from {_g(self.min)} to {_g(self.max)}, most likely {_g(self.mode)}"
            f"{self._suffix()} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("min", self.min), ("mode", self.mode)]
        items += [("max", self.max), ("lambda", None if self.lam == 4.0 else self.lam)]
        return _inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Normal(_Continuous):
    """Normal with mean ``loc`` and standard deviation ``sd`` (TOML keys ``mean``, ``sd``);
    truncation uses scipy's ``truncnorm`` (exact mean and percentiles)."""

    loc: float
    sd: float
    name: ClassVar[str] = "normal"

    def _untruncated(self) -> Any:
        return stats.norm(loc=self.loc, scale=self.sd)

    def _scipy(self) -> Any:
        if self.clip or (self.low is None and self.high is None):
            return self._untruncated()
        a = -np.inf if self.low is None else (self.low - self.loc) / self.sd
        b = np.inf if self.high is None else (self.high - self.loc) / self.sd
        return stats.truncnorm(a, b, loc=self.loc, scale=self.sd)

    def _rv_truncated(self) -> bool:
        return True

    def describe(self) -> str:
        return f"normal, mean {_g(self.loc)}, sd {_g(self.sd)}{self._suffix()}"

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("mean", self.loc), ("sd", self.sd)]
        return _inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class LogNormal(_Continuous):
    """Lognormal given either the mean ``given_mean`` and sd ``given_sd`` of the variable itself,
    or two ``percentiles`` ((percent, value), (percent, value)) such as ((10, 30), (90, 120))."""

    given_mean: float | None = None
    given_sd: float | None = None
    percentiles: tuple[tuple[int, float], ...] = ()
    name: ClassVar[str] = "lognormal"

    def log_params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal of log(x)."""
        if self.percentiles:
            (q1, x1), (q2, x2) = self.percentiles
            z1, z2 = stats.norm.ppf([q1 / 100.0, q2 / 100.0])
            sigma = (math.log(x2) - math.log(x1)) / (z2 - z1)
            return math.log(x1) - sigma * z1, sigma
        assert self.given_mean is not None and self.given_sd is not None
        sigma2 = math.log1p((self.given_sd / self.given_mean) ** 2)
        return math.log(self.given_mean) - sigma2 / 2.0, math.sqrt(sigma2)

    def _scipy(self) -> Any:
        mu, sigma = self.log_params()
        return stats.lognorm(sigma, scale=math.exp(mu))

    def describe(self) -> str:
        if self.percentiles:
            (q1, x1), (q2, x2) = self.percentiles
            text = f"lognormal with P{q1} {_g(x1)} and P{q2} {_g(x2)}"
        else:
            text = f"lognormal, mean {_g(self.given_mean or 0.0)}, sd {_g(self.given_sd or 0.0)}"
        return text + self._suffix()

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("mean", self.given_mean), ("sd", self.given_sd)]
        items += [(f"p{q}", x) for q, x in self.percentiles]
        return _inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Gamma(_Continuous):
    """Gamma given ``shape`` and ``scale``, or the mean ``given_mean`` and sd ``given_sd``
    (shape = (mean/sd)², scale = sd²/mean)."""

    shape: float | None = None
    scale: float | None = None
    given_mean: float | None = None
    given_sd: float | None = None
    name: ClassVar[str] = "gamma"

    def shape_scale(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        assert self.given_mean is not None and self.given_sd is not None
        return (self.given_mean / self.given_sd) ** 2, self.given_sd**2 / self.given_mean

    def _scipy(self) -> Any:
        shape, scale = self.shape_scale()
        return stats.gamma(shape, scale=scale)

    def describe(self) -> str:
        if self.shape is not None:
            text = f"gamma, shape {_g(self.shape)}, scale {_g(self.scale or 0.0)}"
        else:
            text = f"gamma, mean {_g(self.given_mean or 0.0)}, sd {_g(self.given_sd or 0.0)}"
        return f"{text}{self._suffix()} (mean {self.mean():.3g})"

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("shape", self.shape), ("scale", self.scale)]
        items += [("mean", self.given_mean), ("sd", self.given_sd)]
        return _inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Beta(_Continuous):
    """Beta(``alpha``, ``beta``) scaled to [low, high] (default [0, 1]; a scaling, not a
    truncation)."""

    alpha: float
    beta: float
    name: ClassVar[str] = "beta"

    def _scipy(self) -> Any:
        lo = 0.0 if self.low is None else self.low
        hi = 1.0 if self.high is None else self.high
        return stats.beta(self.alpha, self.beta, loc=lo, scale=hi - lo)

    def _fast_inverse(self) -> Any:
        return _cached_pinv(self) if min(self.alpha, self.beta) >= 1.0 else None

    def _rv_truncated(self) -> bool:
        return True

    def describe(self) -> str:
        scaled = ""
        if self.low is not None or self.high is not None:
            lo = 0.0 if self.low is None else self.low
            hi = 1.0 if self.high is None else self.high
            scaled = f" scaled to [{_g(lo)}, {_g(hi)}]"
        return (
            f"beta, alpha {_g(self.alpha)}, beta {_g(self.beta)}{scaled} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("alpha", self.alpha), ("beta", self.beta)]
        return _inline_table(self.name, [*items, ("low", self.low), ("high", self.high)])


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
        values = ", ".join(_g(v) for v in self.values)
        if self.weights is None:
            return f"one of {values} with equal weights (mean {self.mean():.3g})"
        probs = ", ".join(f"{p:.3g}" for p in self.probabilities())
        return f"one of {values} with probabilities {probs} (mean {self.mean():.3g})"

    def to_toml(self) -> str:
        return _inline_table(self.name, [("values", self.values), ("weights", self.weights)])


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
        return f"1 (yes) with probability {_g(self.p)}, else 0 (no)"

    def to_toml(self) -> str:
        return _inline_table(self.name, [("p", self.p)])


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
            f"({_g(lo)} to {_g(hi)}, mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        return _inline_table(self.name, [("values", self.values)])


# Parsing and validation --------------------------------------------------------------------------


def _type_name(value: object) -> str:
    """How a TOML value is named in messages: ``string 'abc'``, ``boolean true``, ``array``."""
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"string '{value}'"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "table"
    return f"{type(value).__name__} {value!r}"


class _Reader:
    """Reads the fields of one distribution table, collecting every problem."""

    def __init__(self, dist: str, table: Mapping[str, object]) -> None:
        self.dist = dist
        self.table = table
        self.errors: list[str] = []

    def has(self, key: str) -> bool:
        return key in self.table

    def _number(self, label: str, value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.errors.append(f"{label} must be a number, got {_type_name(value)}")
            return None
        x = float(value)
        if not math.isfinite(x):
            self.errors.append(f"{label} must be finite (got {_g(x)})")
            return None
        return x

    def num(self, key: str, *, required: bool = True, bound: str = "any") -> float | None:
        """A numeric field; ``bound`` is ``any``, ``positive``, ``nonneg`` or ``fraction``."""
        if key not in self.table:
            if required:
                self.errors.append(f"{self.dist} needs '{key}'")
            return None
        x = self._number(f"'{key}'", self.table[key])
        if x is None:
            return None
        if bound == "positive" and not x > 0:
            self.errors.append(f"'{key}' must be > 0 (got {_g(x)})")
            return None
        if bound == "nonneg" and not x >= 0:
            self.errors.append(f"'{key}' must be >= 0 (got {_g(x)})")
            return None
        if bound == "fraction" and not 0.0 <= x <= 1.0:
            self.errors.append(f"'{key}' must be within [0, 1] (got {_g(x)})")
            return None
        return x

    def boolean(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            self.errors.append(f"'{key}' must be true or false, got {_type_name(value)}")
            return False
        return value

    def numbers(self, key: str, *, required: bool = True, min_len: int = 1) -> list[float] | None:
        if key not in self.table:
            if required:
                self.errors.append(f"{self.dist} needs '{key}'")
            return None
        value = self.table[key]
        if not isinstance(value, list | tuple):
            self.errors.append(f"'{key}' must be an array of numbers, got {_type_name(value)}")
            return None
        out: list[float] = []
        ok = True
        for i, item in enumerate(value):
            x = self._number(f"'{key}'[{i}]", item)
            ok = ok and x is not None
            out.append(0.0 if x is None else x)
        if len(out) < min_len:
            noun = "value" if min_len == 1 else "values"
            self.errors.append(f"'{key}' needs at least {min_len} {noun} (got {len(out)})")
            return None
        return out if ok else None

    def order(self, a: str, x: float | None, b: str, y: float | None, strict: bool) -> None:
        """Require x <= y (or x < y): message ``min (40) must be <= mode (30)``."""
        if x is None or y is None:
            return
        if (strict and not x < y) or (not strict and not x <= y):
            op = "<" if strict else "<="
            self.errors.append(f"{a} ({_g(x)}) must be {op} {b} ({_g(y)})")

    def bounds(self) -> tuple[float | None, float | None, bool]:
        low = self.num("low", required=False)
        high = self.num("high", required=False)
        clip = self.boolean("clip")
        self.order("low", low, "high", high, strict=True)
        return low, high, clip


_TRUNCATION = ("low", "high", "clip")


def _three_point(r: _Reader) -> tuple[float, float, float] | None:
    lo, mode, hi = r.num("min"), r.num("mode"), r.num("max")
    before = len(r.errors)
    r.order("min", lo, "mode", mode, strict=False)
    r.order("mode", mode, "max", hi, strict=False)
    if lo is not None and hi is not None and lo == hi and len(r.errors) == before:
        r.errors.append(
            f"min ({_g(lo)}) must be < max ({_g(hi)}); write a plain number for a fixed value"
        )
    if lo is None or mode is None or hi is None or len(r.errors) > before:
        return None
    return lo, mode, hi


def _build_fixed(r: _Reader) -> Distribution | None:
    value = r.num("value")
    return None if value is None else Fixed(value)


def _build_uniform(r: _Reader) -> Distribution | None:
    low, high = r.num("low"), r.num("high")
    r.order("low", low, "high", high, strict=True)
    if low is None or high is None or r.errors:
        return None
    return Uniform(low=low, high=high)


def _build_triangular(r: _Reader) -> Distribution | None:
    points = _three_point(r)
    low, high, clip = r.bounds()
    if points is None or r.errors:
        return None
    return Triangular(*points, low=low, high=high, clip=clip)


def _build_pert(r: _Reader) -> Distribution | None:
    points = _three_point(r)
    lam = r.num("lambda", required=False, bound="positive")
    low, high, clip = r.bounds()
    if points is None or r.errors:
        return None
    return Pert(*points, lam=4.0 if lam is None else lam, low=low, high=high, clip=clip)


def _build_normal(r: _Reader) -> Distribution | None:
    loc, sd = r.num("mean"), r.num("sd", bound="positive")
    low, high, clip = r.bounds()
    if loc is None or sd is None or r.errors:
        return None
    return Normal(loc, sd, low=low, high=high, clip=clip)


def _percentile_fields(r: _Reader) -> list[tuple[int, float]]:
    found: list[tuple[int, float]] = []
    for key in r.table:
        match = _PERCENTILE_KEY.match(key)
        if match:
            x = r.num(key, bound="positive")
            if x is not None:
                found.append((int(match.group(1)), x))
    return sorted(found)


def _build_lognormal(r: _Reader) -> Distribution | None:
    n_pct = sum(1 for key in r.table if _PERCENTILE_KEY.match(key))
    uses_moments = r.has("mean") or r.has("sd")
    low, high, clip = r.bounds()
    if n_pct and uses_moments:
        r.errors.append("lognormal takes either 'mean' and 'sd' or two percentiles, not both")
        return None
    if n_pct:
        if n_pct != 2:
            r.errors.append(
                f"lognormal needs exactly two percentiles such as 'p10' and 'p90' (got {n_pct})"
            )
            return None
        pct = _percentile_fields(r)
        if len(pct) == 2:
            (q1, x1), (q2, x2) = pct
            r.order(f"p{q1}", x1, f"p{q2}", x2, strict=True)
        if len(pct) != 2 or r.errors:
            return None
        return LogNormal(percentiles=tuple(pct), low=low, high=high, clip=clip)
    if not uses_moments:
        r.errors.append(
            "lognormal needs 'mean' and 'sd', or two percentiles such as 'p10' and 'p90'"
        )
        return None
    mean, sd = r.num("mean", bound="positive"), r.num("sd", bound="positive")
    if mean is None or sd is None or r.errors:
        return None
    return LogNormal(given_mean=mean, given_sd=sd, low=low, high=high, clip=clip)


def _build_gamma(r: _Reader) -> Distribution | None:
    low, high, clip = r.bounds()
    shape_scale = r.has("shape") or r.has("scale")
    moments = r.has("mean") or r.has("sd")
    if shape_scale == moments:
        r.errors.append("gamma needs either 'shape' and 'scale' or 'mean' and 'sd'")
        return None
    if shape_scale:
        shape, scale = r.num("shape", bound="positive"), r.num("scale", bound="positive")
        if shape is None or scale is None or r.errors:
            return None
        return Gamma(shape=shape, scale=scale, low=low, high=high, clip=clip)
    mean, sd = r.num("mean", bound="positive"), r.num("sd", bound="positive")
    if mean is None or sd is None or r.errors:
        return None
    return Gamma(given_mean=mean, given_sd=sd, low=low, high=high, clip=clip)


def _build_beta(r: _Reader) -> Distribution | None:
    alpha, beta = r.num("alpha", bound="positive"), r.num("beta", bound="positive")
    low, high = r.num("low", required=False), r.num("high", required=False)
    r.order("low", 0.0 if low is None else low, "high", 1.0 if high is None else high, True)
    if alpha is None or beta is None or r.errors:
        return None
    return Beta(alpha, beta, low=low, high=high)


def _build_discrete(r: _Reader) -> Distribution | None:
    values = r.numbers("values")
    weights = r.numbers("weights", required=False)
    if values is not None and weights is not None:
        if len(weights) != len(values):
            r.errors.append(
                f"'weights' must have as many entries as 'values' ({len(weights)} != {len(values)})"
            )
        negative = [w for w in weights if w < 0]
        if negative:
            r.errors.append(f"'weights' must be >= 0 (got {_g(negative[0])})")
        elif sum(weights) <= 0:
            r.errors.append("'weights' must not all be 0")
    if values is None or r.errors:
        return None
    return Discrete(tuple(values), None if weights is None else tuple(weights))


def _build_bernoulli(r: _Reader) -> Distribution | None:
    p = r.num("p", bound="fraction")
    return None if p is None else Bernoulli(p)


def _build_empirical(r: _Reader) -> Distribution | None:
    values = r.numbers("values", min_len=2)
    return None if values is None or r.errors else Empirical(tuple(values))


@dataclass(frozen=True)
class _Family:
    fields: tuple[str, ...]
    build: Callable[[_Reader], Distribution | None]
    percentile_keys: bool = False


#: The catalogue: TOML name -> allowed fields and builder.
CATALOGUE: dict[str, _Family] = {
    "fixed": _Family(("value",), _build_fixed),
    "uniform": _Family(("low", "high"), _build_uniform),
    "triangular": _Family(("min", "mode", "max", *_TRUNCATION), _build_triangular),
    "pert": _Family(("min", "mode", "max", "lambda", *_TRUNCATION), _build_pert),
    "normal": _Family(("mean", "sd", *_TRUNCATION), _build_normal),
    "lognormal": _Family(("mean", "sd", *_TRUNCATION), _build_lognormal, percentile_keys=True),
    "gamma": _Family(("shape", "scale", "mean", "sd", *_TRUNCATION), _build_gamma),
    "beta": _Family(("alpha", "beta", "low", "high"), _build_beta),
    "discrete": _Family(("values", "weights"), _build_discrete),
    "bernoulli": _Family(("p",), _build_bernoulli),
    "empirical": _Family(("values",), _build_empirical),
}

DISTRIBUTIONS: tuple[str, ...] = tuple(CATALOGUE)


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_fields(dist: str, family: _Family, table: Mapping[str, object]) -> list[str]:
    errors = []
    for key in table:
        if key == "dist" or key in family.fields:
            continue
        if family.percentile_keys and _PERCENTILE_KEY.match(str(key)):
            continue
        hint = _suggest(str(key), family.fields)
        if not hint:
            hint = f" (allowed: {', '.join(family.fields)})"
        errors.append(f"unknown field '{key}' for {dist}{hint}")
    return errors


def _check_mass(dist: Distribution) -> list[str]:
    """A truncation interval must keep some probability (clipping and scaling always do)."""
    if not isinstance(dist, _Continuous) or dist.clip or isinstance(dist, Uniform | Beta):
        return []
    if (dist.low is None and dist.high is None) or dist.truncation_mass() > 0:
        return []
    low = -np.inf if dist.low is None else dist.low
    high = np.inf if dist.high is None else dist.high
    where = ""
    lo, hi = (float(v) for v in dist._untruncated().support())
    if math.isfinite(lo) or math.isfinite(hi):
        where = f" (the distribution lies within [{_g(lo)}, {_g(hi)}])"
    return [f"truncation to [{_g(low)}, {_g(high)}] leaves no probability{where}"]


def parse_distribution(value: object) -> Distribution:
    """Read a scenario value: a plain number gives :class:`Fixed`, a table with ``dist`` gives the
    catalogue entry.

    Raises :class:`DistributionError` listing every problem of the value at once; messages are
    relative to the key (e.g. ``min (40) must be <= mode (30)``).
    """
    if isinstance(value, bool):
        raise DistributionError(
            f"expected a number or a distribution table, got {_type_name(value)}"
        )
    if isinstance(value, int | float):
        if not math.isfinite(float(value)):
            raise DistributionError(f"must be finite (got {_g(float(value))})")
        return Fixed(float(value))
    if not isinstance(value, Mapping):
        raise DistributionError(
            f"expected a number or a distribution table such as "
            f'{{ dist = "pert", min = 1, mode = 2, max = 4 }}, got {_type_name(value)}'
        )
    if "dist" not in value:
        raise DistributionError(f"missing 'dist' (one of: {', '.join(DISTRIBUTIONS)})")
    dist = value["dist"]
    if not isinstance(dist, str):
        raise DistributionError(f"'dist' must be a string, got {_type_name(dist)}")
    family = CATALOGUE.get(dist)
    if family is None:
        hint = _suggest(dist, DISTRIBUTIONS) or f" (one of: {', '.join(DISTRIBUTIONS)})"
        raise DistributionError(f"unknown distribution '{dist}'{hint}")
    reader = _Reader(dist, value)
    unknown = _unknown_fields(dist, family, value)
    result = family.build(reader)
    errors = unknown + reader.errors
    if result is not None and not errors:
        errors = _check_mass(result)
    if errors or result is None:
        raise DistributionError(errors or [f"invalid {dist} table"])
    return result
