"""The continuous families of the catalogue (uniform, triangular, PERT, normal, lognormal, gamma,
beta) through a frozen scipy distribution, with exact truncation or clipping and a fast
numerical inverse (PINV, :mod:`simulation.distributions.fast_ppf`) for large samples. See
:mod:`simulation.distributions.families`."""

from __future__ import annotations

import math
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from simulation.distributions.families import (
    Distribution,
    bounds_phrase,
    inline_table,
    num,
)
from simulation.distributions.fast_ppf import FAST_PPF_MIN_SIZE, polynomial_inverse

FloatArray = NDArray[np.float64]

__all__ = [
    "Beta",
    "Gamma",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
]


def _cached_pinv(dist: Continuous) -> Any:
    """The PINV inverse of ``dist``'s untruncated distribution, built once per object."""
    cached = dist.__dict__.get("_pinv_cache", False)
    if cached is False:
        cached = polynomial_inverse(dist._rv)
        object.__setattr__(dist, "_pinv_cache", cached)
    return cached


@dataclass(frozen=True)
class Continuous(Distribution):
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
        phrase = bounds_phrase(self.low, self.high, self.clip)
        return f", {phrase}" if phrase else ""

    def _bound_items(self) -> list[tuple[str, object]]:
        return [("low", self.low), ("high", self.high), ("clip", True if self.clip else None)]


@dataclass(frozen=True)
class Uniform(Continuous):
    """Uniform on [low, high] (``low`` and ``high`` are its range, not a truncation)."""

    name: ClassVar[str] = "uniform"

    def _scipy(self) -> Any:
        assert self.low is not None and self.high is not None
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def _rv_truncated(self) -> bool:
        return True

    def describe(self) -> str:
        return f"uniform from {num(self.low or 0.0)} to {num(self.high or 0.0)}"

    def to_toml(self) -> str:
        return inline_table(self.name, [("low", self.low), ("high", self.high)])


@dataclass(frozen=True)
class Triangular(Continuous):
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
            f"triangular from {num(self.min)} to {num(self.max)}, most likely {num(self.mode)}"
            f"{self._suffix()} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("min", self.min), ("mode", self.mode)]
        return inline_table(self.name, [*items, ("max", self.max), *self._bound_items()])


@dataclass(frozen=True)
class Pert(Continuous):
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
        lam = "" if self.lam == 4.0 else f" (lambda {num(self.lam)})"
        return (
            f"PERT{lam} from {num(self.min)} to {num(self.max)}, most likely {num(self.mode)}"
            f"{self._suffix()} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("min", self.min), ("mode", self.mode)]
        items += [("max", self.max), ("lambda", None if self.lam == 4.0 else self.lam)]
        return inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Normal(Continuous):
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
        return f"normal, mean {num(self.loc)}, sd {num(self.sd)}{self._suffix()}"

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("mean", self.loc), ("sd", self.sd)]
        return inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class LogNormal(Continuous):
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
            text = f"lognormal with P{q1} {num(x1)} and P{q2} {num(x2)}"
        else:
            text = f"lognormal, mean {num(self.given_mean or 0.0)}, sd {num(self.given_sd or 0.0)}"
        return text + self._suffix()

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("mean", self.given_mean), ("sd", self.given_sd)]
        items += [(f"p{q}", x) for q, x in self.percentiles]
        return inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Gamma(Continuous):
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
            text = f"gamma, shape {num(self.shape)}, scale {num(self.scale or 0.0)}"
        else:
            text = f"gamma, mean {num(self.given_mean or 0.0)}, sd {num(self.given_sd or 0.0)}"
        return f"{text}{self._suffix()} (mean {self.mean():.3g})"

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("shape", self.shape), ("scale", self.scale)]
        items += [("mean", self.given_mean), ("sd", self.given_sd)]
        return inline_table(self.name, items + self._bound_items())


@dataclass(frozen=True)
class Beta(Continuous):
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
            scaled = f" scaled to [{num(lo)}, {num(hi)}]"
        return (
            f"beta, alpha {num(self.alpha)}, beta {num(self.beta)}{scaled} (mean {self.mean():.3g})"
        )

    def to_toml(self) -> str:
        items: list[tuple[str, object]] = [("alpha", self.alpha), ("beta", self.beta)]
        return inline_table(self.name, [*items, ("low", self.low), ("high", self.high)])
