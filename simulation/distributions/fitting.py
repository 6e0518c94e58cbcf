"""Fit catalogue distributions to observed data and rank them (``simulate fit``).

**Data** (a CSV column of observations, in the units of the scenario key the result is meant for:
``_days``, ``_months``, ``_eur`` ...). Each requested continuous family of the catalogue
(:mod:`simulation.distributions.families`) is fitted by maximum likelihood, in the form the
catalogue writes it (one estimator per family: :mod:`simulation.distributions.estimators`), so
that the printed TOML table is exactly the fitted distribution; its parameters are rounded to six
significant figures before the likelihood and the test are computed, so every figure reported
belongs to the distribution that is printed.

Families are ranked by AIC = 2k − 2 ln L (lower is better). Each fit also gets the one-sample
Kolmogorov–Smirnov statistic and p-value against the data; because the parameters were estimated
from the same data, that p-value is optimistic (too large; Lilliefors): a small one is evidence
against a family, a large one does not prove it.

``empirical`` (resample the observed values; at most :data:`MAX_EMPIRICAL_VALUES` quantiles are
kept) and ``discrete`` (observed values with their frequencies; only for at most
:data:`MAX_DISCRETE_VALUES` distinct values) can be requested as fallbacks. They have no likelihood
comparable with the parametric families and are listed unranked (AIC and KS blank); they become
the proposal only when no parametric family could be fitted.

**Experts**: the same ranking of a pool of experts' estimates is
:mod:`simulation.distributions.pooling`. The TOML line to paste is :func:`toml_line`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from simulation.distributions.data import FitError
from simulation.distributions.estimators import ESTIMATORS, POSITIVE_ONLY, round_sig
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

#: An ``empirical`` fallback keeps at most this many quantiles of the data.
MAX_EMPIRICAL_VALUES = 200
#: A ``discrete`` fallback is offered for at most this many distinct values.
MAX_DISCRETE_VALUES = 30


KS_NOTE = (
    "KS p-values are optimistic: the parameters were estimated from the same data "
    "(Lilliefors), so a small p-value is evidence against a family but a large one "
    "does not prove it."
)


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


_POSITIVE_ONLY = ("lognormal", "gamma")


def fit_family(x: FloatArray, family: str) -> FitResult | FitFailure:
    """Fit one parametric ``family`` to the observations ``x`` (see the module docstring)."""
    if family in POSITIVE_ONLY and float(np.min(x)) <= 0:
        return FitFailure(
            family, f"needs positive values (starts at 0 in the catalogue; min is {np.min(x):g})"
        )
    try:
        with np.errstate(all="ignore"):
            dist, k, method = ESTIMATORS[family](x)
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
        dist: Distribution = Empirical(tuple(round_sig(float(v)) for v in values))
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
