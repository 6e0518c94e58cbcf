"""The maximum-likelihood estimate of each continuous family's parameters from observations,
in the form the catalogue writes it, so that the printed TOML table is exactly the fitted
distribution (used by :mod:`simulation.distributions.fitting`):

==============  ==================================================================================
``normal``      ``scipy.stats.norm.fit`` (closed form): mean, sd. k = 2.
``lognormal``   ``scipy.stats.lognorm.fit`` with ``floc=0`` (the catalogue's lognormal starts at 0;
                needs positive data); written as the mean and sd of the variable itself. k = 2.
``gamma``       ``scipy.stats.gamma.fit`` with ``floc=0`` (positive data); shape, scale. k = 2.
``uniform``     ``scipy.stats.uniform.fit`` (the data range). k = 2.
``triangular``  maximum likelihood over (min, mode, max) with min below the smallest and max
``pert``        above the largest observation (Nelder–Mead on a parametrisation that keeps every
                observation strictly inside, so the likelihood is finite everywhere; PERT's
                ``lambda`` stays at 4, so PERT is a three-parameter family). k = 3.
``beta``        ``scipy.stats.beta.fit`` with the range fixed (``floc``/``fscale``) at the data
                range widened by one average gap, (max − min)/(n − 1), on each side (the classical
                unbiased estimate of a uniform's end points); alpha, beta. k = 4 (the range is
                estimated from the data too).
==============  ==================================================================================

Parameters are rounded to :data:`SIGNIFICANT` significant figures (range ends outwards,
:func:`round_sig`) *before* the likelihood and the test are computed, so every figure reported
belongs to the distribution that is printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

from simulation.distributions import continuous
from simulation.distributions.families import Distribution

FloatArray = NDArray[np.float64]

#: What an estimator returns: the fitted distribution, its number of estimated parameters k and
#: how they were estimated (one line).
Estimate = tuple[Distribution, int, str]

__all__ = [
    "ESTIMATORS",
    "POSITIVE_ONLY",
    "SIGNIFICANT",
    "Estimate",
    "round_sig",
]

#: Significant figures of the printed (and evaluated) parameters.
SIGNIFICANT = 6


def round_sig(x: float, digits: int = SIGNIFICANT, direction: str = "nearest") -> float:
    """``x`` to ``digits`` significant figures, to the nearest value or ``down``/``up``."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    out = float(f"{x:.{digits - 1}e}")
    step = 10.0 ** (math.floor(math.log10(abs(out))) - digits + 1)
    if direction == "down" and out > x:
        out = float(f"{out - step:.{digits - 1}e}")
    elif direction == "up" and out < x:
        out = float(f"{out + step:.{digits - 1}e}")
    # Outward rounding must never move inwards through floating-point error.
    if (direction == "down" and out > x) or (direction == "up" and out < x):
        out = float(np.nextafter(x, -np.inf if direction == "down" else np.inf))
    return out


def _down(x: float) -> float:
    return round_sig(x, direction="down")


def _up(x: float) -> float:
    return round_sig(x, direction="up")


def _near(x: float) -> float:
    return round_sig(x)


def _fit_normal(x: FloatArray) -> Estimate:
    loc, scale = stats.norm.fit(x)
    return continuous.Normal(_near(loc), _near(scale)), 2, "maximum likelihood (scipy norm.fit)"


def _fit_lognormal(x: FloatArray) -> Estimate:
    sigma, _, scale = stats.lognorm.fit(x, floc=0)
    mu = math.log(scale)
    mean = math.exp(mu + sigma**2 / 2.0)
    sd = mean * math.sqrt(math.expm1(sigma**2))
    dist = continuous.LogNormal(given_mean=_near(mean), given_sd=_near(sd))
    return dist, 2, "maximum likelihood (scipy lognorm.fit, loc fixed at 0)"


def _fit_gamma(x: FloatArray) -> Estimate:
    shape, _, scale = stats.gamma.fit(x, floc=0)
    dist = continuous.Gamma(shape=_near(shape), scale=_near(scale))
    return dist, 2, "maximum likelihood (scipy gamma.fit, loc fixed at 0)"


def _fit_uniform(x: FloatArray) -> Estimate:
    loc, scale = stats.uniform.fit(x)
    dist = continuous.Uniform(low=_down(loc), high=_up(loc + scale))
    return dist, 2, "maximum likelihood (scipy uniform.fit: the data range)"


def _widened_range(x: FloatArray) -> tuple[float, float]:
    """The data range widened by one average gap (max − min)/(n − 1) on each side."""
    lo, hi = float(np.min(x)), float(np.max(x))
    gap = (hi - lo) / (len(x) - 1)
    return _down(lo - gap), _up(hi + gap)


def _fit_beta(x: FloatArray) -> Estimate:
    lo, hi = _widened_range(x)
    alpha, beta, _, _ = stats.beta.fit(x, floc=lo, fscale=hi - lo)
    dist = continuous.Beta(_near(alpha), _near(beta), low=lo, high=hi)
    method = "maximum likelihood (scipy beta.fit) on the data range widened by one average gap"
    return dist, 4, method


def _three_point_mle(
    x: FloatArray, logpdf: Callable[[FloatArray, float, float, float], FloatArray]
) -> tuple[float, float, float]:
    """Maximum likelihood (min, mode, max) with min < min(x) and max > max(x).

    Parametrisation: min = x₍₁₎ − e^{t₁}·r, max = x₍ₙ₎ + e^{t₂}·r, mode = min + expit(t₃)·(max −
    min), r the data range; every observation stays strictly inside, so the objective is finite.
    """
    xmin, xmax = float(np.min(x)), float(np.max(x))
    r = xmax - xmin

    def unpack(t: FloatArray) -> tuple[float, float, float]:
        lo = xmin - math.exp(t[0]) * r
        hi = xmax + math.exp(t[1]) * r
        return lo, lo + float(special.expit(t[2])) * (hi - lo), hi

    def objective(t: FloatArray) -> float:
        if np.any(np.abs(t[:2]) > 30):
            return math.inf
        value = -float(np.sum(logpdf(x, *unpack(t))))
        return value if math.isfinite(value) else math.inf

    start_gap = math.log(1.0 / (len(x) - 1) + 0.05)
    median = float(np.median(x))
    best: Any = None
    for mode_guess in (median, 3.0 * median - 2.0 * float(np.mean(x))):
        frac = min(max((mode_guess - xmin) / r, 0.02), 0.98)
        t0 = np.array([start_gap, start_gap, float(special.logit(frac))])
        res = optimize.minimize(
            objective, t0, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-9}
        )
        if best is None or res.fun < best.fun:
            best = res
    return unpack(best.x)


def _pert_logpdf(x: FloatArray, lo: float, mode: float, hi: float) -> FloatArray:
    width = hi - lo
    a, b = 1.0 + 4.0 * (mode - lo) / width, 1.0 + 4.0 * (hi - mode) / width
    return np.asarray(stats.beta.logpdf(x, a, b, loc=lo, scale=width), dtype=np.float64)


def _triangular_logpdf(x: FloatArray, lo: float, mode: float, hi: float) -> FloatArray:
    width = hi - lo
    return np.asarray(
        stats.triang.logpdf(x, (mode - lo) / width, loc=lo, scale=width), dtype=np.float64
    )


def _three_point_dist(
    cls: type[continuous.Pert] | type[continuous.Triangular], lo: float, mode: float, hi: float
) -> Distribution:
    lo, hi = _down(lo), _up(hi)
    return cls(lo, min(max(_near(mode), lo), hi), hi)


def _fit_pert(x: FloatArray) -> Estimate:
    dist = _three_point_dist(continuous.Pert, *_three_point_mle(x, _pert_logpdf))
    return dist, 3, "maximum likelihood over (min, mode, max), lambda fixed at 4"


def _fit_triangular(x: FloatArray) -> Estimate:
    dist = _three_point_dist(continuous.Triangular, *_three_point_mle(x, _triangular_logpdf))
    return dist, 3, "maximum likelihood over (min, mode, max)"


#: The estimator of each parametric family.
ESTIMATORS: dict[str, Callable[[FloatArray], Estimate]] = {
    "normal": _fit_normal,
    "lognormal": _fit_lognormal,
    "gamma": _fit_gamma,
    "uniform": _fit_uniform,
    "triangular": _fit_triangular,
    "pert": _fit_pert,
    "beta": _fit_beta,
}

#: Families defined only for positive values (the catalogue's versions start at 0).
POSITIVE_ONLY = ("lognormal", "gamma")
