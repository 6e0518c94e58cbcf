"""Fit catalogue distributions to observed data, and pool experts' three-point estimates.

Two ways to ground a scenario input (``simulate fit``):

**Data** (a CSV column of observations, in the units of the scenario key the result is meant for:
``_days``, ``_months``, ``_eur`` ...). Each requested continuous family of the catalogue
(:mod:`simulation.distributions.families`) is fitted by maximum likelihood, in the form the
catalogue writes it, so that the printed TOML table is exactly the fitted distribution:

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

Parameters are rounded to six significant figures (range ends outwards) *before* the likelihood
and the test are computed, so every figure reported belongs to the distribution that is printed.
Families are ranked by AIC = 2k − 2 ln L (lower is better). Each fit also gets the one-sample
Kolmogorov–Smirnov statistic and p-value against the data; because the parameters were estimated
from the same data, that p-value is optimistic (too large; Lilliefors): a small one is evidence
against a family, a large one does not prove it.

``empirical`` (resample the observed values; at most :data:`MAX_EMPIRICAL_VALUES` quantiles are
kept) and ``discrete`` (observed values with their frequencies; only for at most
:data:`MAX_DISCRETE_VALUES` distinct values) can be requested as fallbacks. They have no likelihood
comparable with the parametric families and are listed unranked (AIC and KS blank); they become
the proposal only when no parametric family could be fitted.

**Experts** (a CSV with ``expert, min, mode, max`` and optional ``weight``). Each row becomes the
catalogue's PERT (λ = 4, mean (min + 4·mode + max)/6); the experts are combined by a linear opinion
pool, the mixture F(x) = Σ wᵢ Fᵢ(x) with weights normalised to sum 1 (equal without a ``weight``
column). The pooled CDF is evaluated on a grid of :data:`POOL_GRID_POINTS` points over the pooled
range and inverted by linear interpolation; the pooled mean is ∫ x dF computed from that grid
(lo + ∫ (1 − F) dx), so it is an independent check of Σ wᵢ·meanᵢ. The pool is offered as an
``empirical`` distribution of ``n`` evenly spaced quantiles (at probabilities (j − ½)/n) and as the
best single family, fitted by the same code to :data:`POOL_PSEUDO_SAMPLE` quantile midpoints of the
pool (maximum likelihood on that pseudo-sample minimises the cross-entropy to the pool; its AIC is
only for ranking, and the KS column is the exact distance sup |F_pool − F_fit|, without a p-value).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from simulation.distributions.continuous import (
    Beta,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)
from simulation.distributions.data import FitError
from simulation.distributions.families import Discrete, Distribution, Empirical
from simulation.errors import SimulationError

FloatArray = NDArray[np.float64]

#: Continuous families fitted by default, in display order.
PARAMETRIC_FAMILIES: tuple[str, ...] = (
    "normal",
    "lognormal",
    "gamma",
    "triangular",
    "pert",
    "uniform",
    "beta",
)
#: Families that may be requested as fallbacks (not ranked by AIC).
FALLBACK_FAMILIES: tuple[str, ...] = ("empirical", "discrete")
FIT_FAMILIES: tuple[str, ...] = PARAMETRIC_FAMILIES + FALLBACK_FAMILIES

#: Significant figures of the printed (and evaluated) parameters.
SIGNIFICANT = 6
#: An ``empirical`` fallback keeps at most this many quantiles of the data.
MAX_EMPIRICAL_VALUES = 200
#: A ``discrete`` fallback is offered for at most this many distinct values.
MAX_DISCRETE_VALUES = 30


KS_NOTE = (
    "KS p-values are optimistic: the parameters were estimated from the same data "
    "(Lilliefors), so a small p-value is evidence against a family but a large one "
    "does not prove it."
)


# Reading data ------------------------------------------------------------------------------------


# Rounding ---------------------------------------------------------------------------------------


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


# Fitting ---------------------------------------------------------------------------------------


def frozen(dist: Distribution) -> Any:
    """The frozen scipy distribution of a fitted catalogue distribution (for pdf/cdf/logpdf).

    The catalogue exposes only ``ppf``; its continuous families keep their scipy object in
    ``_rv`` (untruncated here: fits never set a truncation), so the likelihood is computed on
    exactly the object that the printed TOML builds.
    """
    return dist._rv  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FitResult:
    """One family fitted to the data (or to the pooled expert distribution).

    ``aic``, ``log_likelihood``, ``ks_statistic`` and ``ks_pvalue`` are NaN for the unranked
    fallbacks (``empirical``, ``discrete``); ``ks_pvalue`` is NaN for fits to an expert pool.
    """

    family: str
    distribution: Distribution
    n_params: int
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float
    method: str  #: how the parameters were estimated (one line)

    @property
    def ranked(self) -> bool:
        return math.isfinite(self.aic)


@dataclass(frozen=True)
class FitFailure:
    """A family that could not be fitted, and why (e.g. lognormal on data with zeros)."""

    family: str
    reason: str


@dataclass(frozen=True)
class FitSummary:
    """Every requested family: the ranked fits (best first, by AIC), then unranked fallbacks,
    and the families that could not be fitted."""

    fits: tuple[FitResult, ...]
    failures: tuple[FitFailure, ...]

    @property
    def best(self) -> FitResult | None:
        """The proposal: lowest AIC, else the first fallback, else ``None``."""
        return self.fits[0] if self.fits else None


def _evaluate(
    family: str, dist: Distribution, k: int, x: FloatArray, method: str
) -> FitResult | FitFailure:
    with np.errstate(all="ignore"):
        probe = dist.ppf(np.array([1e-6, 0.5, 1.0 - 1e-6]))
    if not np.all(np.isfinite(probe)):
        return FitFailure(
            family, "the fitted parameters do not give finite values (the data are too extreme)"
        )
    rv = frozen(dist)
    with np.errstate(all="ignore"):
        loglik = float(np.sum(rv.logpdf(x)))
    if not math.isfinite(loglik):
        return FitFailure(family, "the fitted distribution gives zero density to some values")
    ks = stats.kstest(x, rv.cdf)
    if not (math.isfinite(ks.statistic) and math.isfinite(ks.pvalue)):
        return FitFailure(family, "the Kolmogorov-Smirnov test gives no finite result")
    return FitResult(
        family,
        dist,
        k,
        loglik,
        2.0 * k - 2.0 * loglik,
        float(ks.statistic),
        float(ks.pvalue),
        method,
    )


def _fit_normal(x: FloatArray) -> tuple[Distribution, int, str]:
    loc, scale = stats.norm.fit(x)
    return Normal(_near(loc), _near(scale)), 2, "maximum likelihood (scipy norm.fit)"


def _fit_lognormal(x: FloatArray) -> tuple[Distribution, int, str]:
    sigma, _, scale = stats.lognorm.fit(x, floc=0)
    mu = math.log(scale)
    mean = math.exp(mu + sigma**2 / 2.0)
    sd = mean * math.sqrt(math.expm1(sigma**2))
    dist = LogNormal(given_mean=_near(mean), given_sd=_near(sd))
    return dist, 2, "maximum likelihood (scipy lognorm.fit, loc fixed at 0)"


def _fit_gamma(x: FloatArray) -> tuple[Distribution, int, str]:
    shape, _, scale = stats.gamma.fit(x, floc=0)
    dist = Gamma(shape=_near(shape), scale=_near(scale))
    return dist, 2, "maximum likelihood (scipy gamma.fit, loc fixed at 0)"


def _fit_uniform(x: FloatArray) -> tuple[Distribution, int, str]:
    loc, scale = stats.uniform.fit(x)
    dist = Uniform(low=_down(loc), high=_up(loc + scale))
    return dist, 2, "maximum likelihood (scipy uniform.fit: the data range)"


def _widened_range(x: FloatArray) -> tuple[float, float]:
    """The data range widened by one average gap (max − min)/(n − 1) on each side."""
    lo, hi = float(np.min(x)), float(np.max(x))
    gap = (hi - lo) / (len(x) - 1)
    return _down(lo - gap), _up(hi + gap)


def _fit_beta(x: FloatArray) -> tuple[Distribution, int, str]:
    lo, hi = _widened_range(x)
    alpha, beta, _, _ = stats.beta.fit(x, floc=lo, fscale=hi - lo)
    dist = Beta(_near(alpha), _near(beta), low=lo, high=hi)
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
    cls: type[Pert] | type[Triangular], lo: float, mode: float, hi: float
) -> Distribution:
    lo, hi = _down(lo), _up(hi)
    return cls(lo, min(max(_near(mode), lo), hi), hi)


def _fit_pert(x: FloatArray) -> tuple[Distribution, int, str]:
    dist = _three_point_dist(Pert, *_three_point_mle(x, _pert_logpdf))
    return dist, 3, "maximum likelihood over (min, mode, max), lambda fixed at 4"


def _fit_triangular(x: FloatArray) -> tuple[Distribution, int, str]:
    dist = _three_point_dist(Triangular, *_three_point_mle(x, _triangular_logpdf))
    return dist, 3, "maximum likelihood over (min, mode, max)"


_FITTERS: dict[str, Callable[[FloatArray], tuple[Distribution, int, str]]] = {
    "normal": _fit_normal,
    "lognormal": _fit_lognormal,
    "gamma": _fit_gamma,
    "uniform": _fit_uniform,
    "triangular": _fit_triangular,
    "pert": _fit_pert,
    "beta": _fit_beta,
}

_POSITIVE_ONLY = ("lognormal", "gamma")


def fit_family(x: FloatArray, family: str) -> FitResult | FitFailure:
    """Fit one parametric ``family`` to the observations ``x`` (see the module docstring)."""
    if family in _POSITIVE_ONLY and float(np.min(x)) <= 0:
        return FitFailure(
            family, f"needs positive values (starts at 0 in the catalogue; min is {np.min(x):g})"
        )
    try:
        with np.errstate(all="ignore"):
            dist, k, method = _FITTERS[family](x)
    except (ValueError, RuntimeError, FloatingPointError, ArithmeticError) as exc:
        return FitFailure(family, f"the fit did not converge ({exc})")
    except SimulationError as exc:  # the catalogue refused the fitted parameters
        return FitFailure(family, f"the fitted parameters are not usable ({exc.messages[0]})")
    return _evaluate(family, dist, k, x, method)


def fallback_fit(x: FloatArray, family: str) -> FitResult | FitFailure:
    """``empirical`` (at most :data:`MAX_EMPIRICAL_VALUES` quantile midpoints of the data, all
    values when fewer) or ``discrete`` (distinct values and their counts)."""
    nan = math.nan
    if family == "empirical":
        if len(x) <= MAX_EMPIRICAL_VALUES:
            values = np.sort(x)
            method = f"the {len(x)} observed values, resampled"
        else:
            probs = (np.arange(MAX_EMPIRICAL_VALUES) + 0.5) / MAX_EMPIRICAL_VALUES
            values = np.quantile(x, probs)
            method = f"{MAX_EMPIRICAL_VALUES} evenly spaced quantiles of the data, resampled"
        dist: Distribution = Empirical(tuple(_near(float(v)) for v in values))
        return FitResult(family, dist, len(values), nan, nan, nan, nan, method)
    distinct, counts = np.unique(x, return_counts=True)
    if len(distinct) > MAX_DISCRETE_VALUES:
        return FitFailure(
            family, f"{len(distinct)} distinct values (at most {MAX_DISCRETE_VALUES})"
        )
    dist = Discrete(tuple(float(v) for v in distinct), tuple(float(c) for c in counts))
    method = "observed values weighted by their counts"
    return FitResult(family, dist, len(distinct), nan, nan, nan, nan, method)


def parse_families(text: str | None) -> tuple[str, ...]:
    """``"pert,lognormal"`` → ``("pert", "lognormal")``; ``None`` → every parametric family.
    Unknown names raise :class:`FitError` with a did-you-mean suggestion."""
    if text is None:
        return PARAMETRIC_FAMILIES
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    errors = []
    for name in names:
        if name not in FIT_FAMILIES:
            close = difflib.get_close_matches(name, FIT_FAMILIES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(FIT_FAMILIES)}"
            errors.append(f"--families: unknown family '{name}' ({hint})")
    if errors:
        raise FitError(errors)
    if not names:
        raise FitError(f"--families: give at least one of {', '.join(FIT_FAMILIES)}")
    return tuple(dict.fromkeys(names))


def fit_distributions(x: ArrayLike, families: Sequence[str] = PARAMETRIC_FAMILIES) -> FitSummary:
    """Fit each of ``families`` to the observations ``x`` (units of the data) and rank them.

    Parametric fits are sorted by AIC (ties by KS statistic); fallbacks follow, unranked.
    """
    data = np.asarray(x, dtype=np.float64)
    ranked: list[FitResult] = []
    unranked: list[FitResult] = []
    failures: list[FitFailure] = []
    for family in families:
        fitter = fallback_fit if family in FALLBACK_FAMILIES else fit_family
        outcome = fitter(data, family)
        if isinstance(outcome, FitFailure):
            failures.append(outcome)
        elif outcome.ranked:
            ranked.append(outcome)
        else:
            unranked.append(outcome)
    ranked.sort(key=lambda f: (f.aic, f.ks_statistic))
    return FitSummary(tuple(ranked + unranked), tuple(failures))


# Expert opinion pool ----------------------------------------------------------------------------


# TOML -------------------------------------------------------------------------------------------


def toml_line(dist: Distribution, key: str) -> str:
    """Ready-to-paste TOML for ``key`` (a dotted path such as ``staffing.time_to_hire_days`` or a
    bare name): a ``# in [section]`` comment line when the key has a section, then
    ``name = <dist.to_toml()>``."""
    section, _, name = key.rpartition(".")
    line = f"{_toml_key(name)} = {dist.to_toml()}"
    return f"# in [{section}]\n{line}" if section else line


def _toml_key(name: str) -> str:
    bare = name and all(c.isalnum() or c in "_-" for c in name) and name.isascii()
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_key(column: str) -> str:
    """A TOML key from a column name (spaces and other characters become ``_``)."""
    cleaned = "".join(c if c.isalnum() or c in "_-." else "_" for c in column.strip())
    return cleaned.strip(".") or "value"


# Chart ------------------------------------------------------------------------------------------
