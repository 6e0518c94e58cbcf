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

import csv
import difflib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from simulation.distributions.families import (
    Beta,
    Discrete,
    Distribution,
    Empirical,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)
from simulation.errors import SimulationError
from simulation.inputfiles import decode_utf8, read_input

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

#: Fewest values a fit accepts.
MIN_VALUES = 10
#: Significant figures of the printed (and evaluated) parameters.
SIGNIFICANT = 6
#: An ``empirical`` fallback keeps at most this many quantiles of the data.
MAX_EMPIRICAL_VALUES = 200
#: A ``discrete`` fallback is offered for at most this many distinct values.
MAX_DISCRETE_VALUES = 30
#: Grid points on which the pooled CDF is evaluated and inverted.
POOL_GRID_POINTS = 20_001
#: Quantile midpoints of the pool used as the pseudo-sample for the single-family fit.
POOL_PSEUDO_SAMPLE = 1_000
#: Default number of quantiles in the pooled ``empirical`` distribution.
POOL_QUANTILES = 200
#: Largest magnitude of an expert's min, mode, max or weight (in the input's units): far beyond
#: any duration, count or amount a scenario holds, and small enough that the pooled range and
#: its integrals stay finite in floating point.
MAX_EXPERT_VALUE = 1e15
#: Narrowest range max − min of one expert, as a share of its largest magnitude (and at least
#: 1e-12): narrower ranges fall below the pool grid's floating-point resolution.
MIN_EXPERT_RELATIVE_WIDTH = 1e-9

EXPERT_COLUMNS: tuple[str, ...] = ("expert", "min", "mode", "max")

KS_NOTE = (
    "KS p-values are optimistic: the parameters were estimated from the same data "
    "(Lilliefors), so a small p-value is evidence against a family but a large one "
    "does not prove it."
)


class FitError(SimulationError):
    """A data or expert file cannot be used for fitting; messages name file, column and line."""


# Reading data ------------------------------------------------------------------------------------

#: Largest CSV file ``simulate fit`` reads, in bytes.
MAX_CSV_BYTES = 100_000_000
#: Field separators ``--sep`` accepts (``tab``, ``pipe`` by name), in the order detection prefers.
SEPARATORS: dict[str, str] = {",": ",", ";": ";", "tab": "\t", "pipe": "|"}
#: Decimal marks ``--decimal`` accepts.
DECIMAL_MARKS: tuple[str, ...] = (".", ",")

_EXPONENT = r"(?:[eE][+-]?\d+)?"
#: ``1,234`` / ``-12,345,678.5``: commas grouping thousands (with a decimal point or none).
_THOUSANDS_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?" + _EXPONENT)
#: ``12,5`` / ``1.234,5`` / ``,5``: a decimal comma (dots, if any, grouping thousands).
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+" + _EXPONENT)
#: ``1.234`` / ``1.234.567,89``: dots grouping thousands (read so only under ``--decimal ,``).
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?" + _EXPONENT)
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is read: field separator (``,`` ``;`` tab ``|``) and decimal mark."""

    sep: str = ","
    decimal: str = "."

    @property
    def shown_sep(self) -> str:
        return "tab" if self.sep == "\t" else self.sep


def detect_separator(header: str, decimal: str = ".") -> str:
    """The field separator of a CSV file from its header line: the candidate of
    :data:`SEPARATORS` that splits it into the most fields (quotes respected); ``,`` on a tie.
    A header of one field gives ``,`` — or ``;`` under a decimal comma, which cannot be both."""
    best, fields = "", 1
    for sep in SEPARATORS.values():
        n = len(next(csv.reader([header], delimiter=sep), []))
        if n > fields:
            best, fields = sep, n
    if best:
        return best
    return ";" if decimal == "," else ","


def _read_csv(path: Path, fmt: CsvFormat | None = None) -> tuple[pd.DataFrame, CsvFormat]:
    """Every cell as text (so that bad cells can be reported), blank lines kept as empty rows so
    that data row ``i`` (0-based) is line ``i + 2`` of the file (header on line 1).

    The file is read with :func:`simulation.inputfiles.read_input` (never blocks, at most
    :data:`MAX_CSV_BYTES`), decoded as UTF-8 without a byte-order mark. ``fmt`` gives the
    separator and decimal mark; its ``sep`` empty means "detect from the header line"
    (:func:`detect_separator`). A comma may be both the separator and the decimal mark when
    the numbers are quoted (``"12,5",a``). A data line with more fields than the header is an error
    (pandas would silently take its first field as a row label: ``12,5`` in a one-column file
    would become the value 5).
    """
    fmt = fmt or CsvFormat(sep="")
    raw = read_input(path, limit=MAX_CSV_BYTES, what="CSV file", error=FitError)
    text = decode_utf8(raw, path, FitError)
    if not text.strip():
        raise FitError(f"{path}: the file is empty, expected a CSV file with a header line")
    header = text.splitlines()[0]
    fmt = CsvFormat(fmt.sep or detect_separator(header, fmt.decimal), fmt.decimal)
    options: dict[str, Any] = {
        "sep": fmt.sep,
        "dtype": str,
        "keep_default_na": False,
        "skip_blank_lines": False,
        "skipinitialspace": True,
    }
    try:
        frame = pd.read_csv(io.StringIO(text), **options)
        if not isinstance(frame.index, pd.RangeIndex):
            # a data line has one field more than the header: find it (raises ParserError)
            pd.read_csv(io.StringIO(text), header=None, **options)
    except pd.errors.EmptyDataError:
        raise FitError(
            f"{path}: the file is empty, expected a CSV file with a header line"
        ) from None
    except pd.errors.ParserError as exc:
        raise FitError(_parser_message(path, text, fmt, exc)) from None
    if not isinstance(frame.index, pd.RangeIndex):  # pragma: no cover - the re-read raised
        raise FitError(f"{path}: a data line has more fields than the header")
    return frame, fmt


def _parser_message(path: Path, text: str, fmt: CsvFormat, exc: Exception) -> str:
    """One line for a CSV pandas cannot parse; for a line with more fields than the header, the
    line and, when its numbers look like decimal commas, the options that read them."""
    found = _FIELDS.search(str(exc))
    if found is None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{path}: not a readable CSV file ({first})"
    expected, line, saw = (int(g) for g in found.groups())
    lines = text.splitlines()
    shown = lines[line - 1].strip()[:60] if 0 < line <= len(lines) else ""
    message = f"{path}: line {line} has {saw} fields but the header has {expected} ('{shown}')"
    if fmt.sep == "," and re.search(r"\d,\d", shown):
        if fmt.decimal == ",":
            return (
                f"{message}; in a comma-separated file, numbers with decimal commas must be "
                "quoted (\"12,5\"), or separate the fields by ';' (--sep ';')"
            )
        return (
            f"{message}; if ',' is the decimal mark (12,5 for 12.5), give --decimal , "
            "(fields are then separated by ';' or a tab, or quoted)"
        )
    return f"{message}; quote fields that contain '{fmt.shown_sep}'"


def _missing_column(path: Path, column: str, present: Sequence[str], what: str = "") -> str:
    names = [str(c) for c in present]
    lowered = {n.strip().lower(): n for n in names}
    close = difflib.get_close_matches(column.strip().lower(), list(lowered), n=1)
    hint = f"; did you mean '{lowered[close[0]]}'?" if close else ""
    listed = ", ".join(f"'{n}'" for n in names) if names else "none"
    return f"{path}: no column '{column}'{what} (columns present: {listed}{hint})"


def _number_text(cell: str, fmt: CsvFormat) -> tuple[str, str]:
    """``cell`` rewritten for ``pd.to_numeric`` (decimal point, no grouping) and how it was read:
    ``""`` as is, ``"thousands"`` (grouping marks dropped), ``"decimal comma"`` (a decimal comma
    where a point is expected) or ``"decimal point"`` (a point under ``--decimal ,``)."""
    if fmt.decimal == ",":
        if "." in cell:
            if _THOUSANDS_DOT.fullmatch(cell):
                return cell.replace(".", "").replace(",", "."), "thousands"
            return cell, "decimal point"
        return cell.replace(",", "."), ""
    if "," not in cell:
        return cell, ""
    # In a comma-separated file a comma inside a value was quoted: 1,234 groups thousands.
    # Elsewhere (';', tab) 1,234 is a decimal comma unless a decimal point follows (1,234.5)
    # or there are several commas (1,234,567).
    grouped = fmt.sep == "," or "." in cell or cell.count(",") > 1
    if grouped and _THOUSANDS_COMMA.fullmatch(cell):
        return cell.replace(",", ""), "thousands"
    if _DECIMAL_COMMA.fullmatch(cell):
        return cell, "decimal comma"
    return cell, ""


def _parse_cells(
    path: Path, column: str, text: pd.Series, fmt: CsvFormat, lines: Sequence[int]
) -> tuple[FloatArray, int]:
    """The stripped cells ``text`` (file lines ``lines``) as floats, NaN where a cell is empty or
    not a number, and how many used thousands separators. A decimal mark that is not the one
    expected is one :class:`FitError` naming the file, column, line and the option to give."""
    out = np.full(len(text), np.nan)
    cells: list[str] = []
    thousands = 0
    for i, cell in enumerate(text.tolist()):
        rewritten, how = _number_text(cell, fmt)
        if how == "decimal comma":
            where = f"line {lines[i]}: '{cell}'"
            sep = f"; the fields are separated by '{fmt.shown_sep}'" if fmt.sep != "," else ""
            raise FitError(
                f"{path}: column '{column}' has a decimal comma ({where}); fit reads decimal "
                f"points by default: give --decimal , to read 12,5 as 12.5{sep}"
            )
        if how == "decimal point":
            raise FitError(
                f"{path}: column '{column}', line {lines[i]}: '{cell}' has a decimal point, but "
                "--decimal , says the decimal mark is a comma (leave out --decimal ,)"
            )
        thousands += how == "thousands"
        cells.append(rewritten)
    if cells:
        series = pd.Series(cells, dtype=object)
        out = pd.to_numeric(series.where(series != "", None), errors="coerce").to_numpy(float)
    return out, thousands


def _numbers(
    path: Path, frame: pd.DataFrame, column: str, fmt: CsvFormat = CsvFormat()
) -> tuple[FloatArray, list[int], int]:
    """The column as floats; raises listing every cell that is text or not finite. Returns the
    values of non-empty cells, the file lines of empty cells (skipped) and how many values were
    written with thousands separators."""
    text = frame[column].astype(str).str.strip()
    empty = text == ""
    values, thousands = _parse_cells(path, column, text, fmt, [i + 2 for i in range(len(text))])
    errors: list[str] = []
    for i in np.flatnonzero(~empty.to_numpy()):
        cell = text.iloc[i]
        if math.isnan(values[i]) and cell.lower() != "nan":
            errors.append(f"{path}: column '{column}', line {i + 2}: '{cell}' is not a number")
        elif not math.isfinite(values[i]):
            errors.append(
                f"{path}: column '{column}', line {i + 2}: '{cell}' is not a finite number"
            )
    nonempty = int(np.count_nonzero(~empty.to_numpy()))
    n_text = sum(1 for e in errors if e.endswith("is not a number"))
    if nonempty > 1 and n_text == nonempty:
        first = int(np.flatnonzero(~empty.to_numpy())[0])
        raise FitError(
            f"{path}: column '{column}' holds text, not numbers "
            f"(line {first + 2}: '{text.iloc[first]}')"
        )
    if len(errors) > 10:
        errors = errors[:10] + [f"{path}: column '{column}': ... and {len(errors) - 10} more"]
    if errors:
        raise FitError(errors)
    lines = [int(i) + 2 for i in np.flatnonzero(empty.to_numpy())]
    return values[~empty.to_numpy()], lines, thousands


@dataclass(frozen=True)
class Column:
    """The observations of one CSV column (units: those of the data, e.g. days).

    ``thousands``: how many values were written with thousands separators (``1,234``), read as
    whole groups; ``fmt``: the separator and decimal mark the file was read with.
    """

    path: Path
    name: str
    values: FloatArray
    skipped_lines: tuple[int, ...]  #: file lines whose cell was empty
    thousands: int = 0
    fmt: CsvFormat = CsvFormat()


def read_column(
    path: Path, column: str, min_values: int = MIN_VALUES, fmt: CsvFormat | None = None
) -> Column:
    """Read ``column`` of the CSV file ``path`` as finite numbers, ready for fitting.

    ``fmt``: separator and decimal mark (default: separator detected, decimal point). Empty
    cells are skipped (their lines are returned); anything else that is not a finite number,
    a decimal mark other than the one expected, a missing column, fewer than ``min_values``
    values or a constant column raise :class:`FitError` with messages naming the file, column
    and line.
    """
    frame, used = _read_csv(path, fmt)
    if column not in frame.columns:
        raise FitError(_missing_column(path, column, list(frame.columns)))
    values, skipped, thousands = _numbers(path, frame, column, used)
    check_sample(values, f"{path}: column '{column}'", min_values)
    return Column(path, column, values, tuple(skipped), thousands, used)


def check_sample(values: FloatArray, label: str, min_values: int = MIN_VALUES) -> None:
    """Raise :class:`FitError` if ``values`` cannot be fitted: too few, non-finite or constant."""
    if len(values) < min_values:
        raise FitError(
            f"{label}: {len(values)} values, a fit needs at least {min_values} "
            "(for fewer observations, ask experts for a three-point estimate: --expert)"
        )
    if not np.all(np.isfinite(values)):
        raise FitError(f"{label}: values must be finite numbers")
    if np.ptp(values) == 0:
        v = f"{values[0]:g}"
        raise FitError(
            f"{label}: all {len(values)} values are {v}; a constant needs no distribution "
            f"(write the plain number {v})"
        )


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


@dataclass(frozen=True)
class ExpertEstimate:
    """One expert's three-point estimate (units of the input) and normalised pool weight."""

    expert: str
    pert: Pert
    weight: float


def read_experts(path: Path, fmt: CsvFormat | None = None) -> tuple[ExpertEstimate, ...]:
    """Read ``expert, min, mode, max[, weight]`` rows; every problem is reported at once.

    Each value must be a finite number within ±:data:`MAX_EXPERT_VALUE` (messages name the file,
    line and column); per expert min <= mode <= max and min < max, with max − min at least
    :data:`MIN_EXPERT_RELATIVE_WIDTH` of the larger magnitude (and at least 1e-12); weights >= 0
    and not all 0 (normalised to sum 1). ``fmt``: separator and decimal mark as for
    :func:`read_column`.
    """
    frame, used = _read_csv(path, fmt)
    missing = [c for c in EXPERT_COLUMNS if c not in frame.columns]
    if missing:
        raise FitError(
            [
                _missing_column(
                    path,
                    c,
                    list(frame.columns),
                    " (expected columns " + ", ".join(EXPERT_COLUMNS) + ", optional weight)",
                )
                for c in missing
            ]
        )
    blank = frame.apply(lambda col: col.astype(str).str.strip() == "").all(axis=1).to_numpy()
    frame = frame[~blank]
    if frame.empty:
        raise FitError(f"{path}: no expert estimates (only a header line)")
    numeric = [*EXPERT_COLUMNS[1:], *(["weight"] if "weight" in frame.columns else [])]
    lines = [int(i) + 2 for i in frame.index]
    errors: list[str] = []
    columns: dict[str, FloatArray] = {}
    for col in numeric:
        text = frame[col].astype(str).str.strip()
        values, _ = _parse_cells(path, col, text, used, lines)
        for cell, v, line in zip(text, values, lines, strict=True):
            where = f"{path}: line {line}, column '{col}'"
            if cell == "":
                errors.append(f"{where}: is empty")
            elif math.isnan(v) and cell.lower() != "nan":
                errors.append(f"{where}: '{cell}' is not a number")
            elif not math.isfinite(v):
                errors.append(f"{where}: '{cell}' is not a finite number")
            elif abs(v) > MAX_EXPERT_VALUE:
                errors.append(
                    f"{where}: '{cell}' is beyond ±{MAX_EXPERT_VALUE:g}, the largest magnitude "
                    "an estimate may have (are the units right?)"
                )
        columns[col] = values
    if errors:
        raise FitError(errors)
    weights = columns.get("weight", np.ones(len(frame)))
    estimates: list[tuple[str, float, float, float, float]] = []
    for i, name in enumerate(frame["expert"].astype(str).str.strip()):
        lo, mode, hi = (float(columns[c][i]) for c in ("min", "mode", "max"))
        w = float(weights[i])
        where = f"{path}: line {lines[i]} (expert '{name}')"
        if not lo <= mode <= hi:
            bad = ("min", lo, "mode", mode) if lo > mode else ("mode", mode, "max", hi)
            errors.append(f"{where}: {bad[0]} ({bad[1]:g}) must be <= {bad[2]} ({bad[3]:g})")
        elif lo == hi:
            errors.append(f"{where}: min ({lo:g}) must be < max ({hi:g})")
        elif hi - lo < (need := max(MIN_EXPERT_RELATIVE_WIDTH * max(abs(lo), abs(hi)), 1e-12)):
            errors.append(
                f"{where}: the range max - min ({hi - lo:g}) is too narrow to pool for values "
                f"of this size (at least {need:g}); use other units, or a plain number"
            )
        if w < 0:
            errors.append(f"{where}, column 'weight': must be >= 0 (got {w:g})")
        estimates.append((name, lo, mode, hi, w))
    total = float(sum(e[4] for e in estimates))
    if not errors and total <= 0:
        errors.append(f"{path}: column 'weight': the weights must not all be 0")
    if errors:
        raise FitError(errors)
    return tuple(ExpertEstimate(n, Pert(lo, m, hi), w / total) for n, lo, m, hi, w in estimates)


@dataclass(frozen=True)
class ExpertPool:
    """Linear opinion pool of experts' PERTs, on a grid over the pooled range (input's units).

    ``grid``/``cdf``/``pdf`` tabulate the mixture; ``quantiles`` are the pooled quantiles at
    ``probabilities`` ((j − ½)/n); ``mean`` is integrated from the grid.
    """

    experts: tuple[ExpertEstimate, ...]
    grid: FloatArray
    cdf: FloatArray
    pdf: FloatArray
    mean: float
    p10: float
    p50: float
    p90: float
    probabilities: FloatArray
    quantiles: FloatArray

    def ppf(self, q: ArrayLike) -> FloatArray:
        """Pooled quantiles at probabilities ``q`` (inverse of the tabulated CDF)."""
        return _invert(self.grid, self.cdf, np.asarray(q, dtype=np.float64))

    def empirical(self) -> Empirical:
        """The pool as the catalogue's ``empirical`` distribution of its quantiles."""
        return Empirical(tuple(_near(float(v)) for v in self.quantiles))


def _invert(grid: FloatArray, cdf: FloatArray, q: FloatArray) -> FloatArray:
    """Generalised inverse of a tabulated non-decreasing CDF: flat stretches (gaps between
    experts) are collapsed to their left end before linear interpolation."""
    keep = np.concatenate(([True], np.diff(cdf) > 0))
    return np.asarray(np.interp(q, cdf[keep], grid[keep]), dtype=np.float64)


def pool_experts(
    experts: Sequence[ExpertEstimate],
    n_quantiles: int = POOL_QUANTILES,
    grid_points: int = POOL_GRID_POINTS,
    label: str = "expert pool",
) -> ExpertPool:
    """Combine the experts' PERTs by a linear opinion pool F = Σ wᵢ Fᵢ (weights sum to 1).

    The grid spans the ranges of the experts with a weight above 0 (an expert of weight 0 does
    not change the pool). A pool whose range, mean or quantiles are not finite numbers raises
    :class:`FitError` (``label``, e.g. the file, starts the message) rather than being shown.
    """
    weighted = [e for e in experts if e.weight > 0] or list(experts)
    lo = min(e.pert.min for e in weighted)
    hi = max(e.pert.max for e in weighted)
    if not math.isfinite(hi - lo):
        raise FitError(
            f"{label}: the experts' range {lo:g} .. {hi:g} is too wide to pool in floating point"
        )
    grid = np.linspace(lo, hi, grid_points)
    cdf = np.zeros_like(grid)
    pdf = np.zeros_like(grid)
    for e in experts:
        rv = frozen(e.pert)
        cdf += e.weight * rv.cdf(grid)
        pdf += e.weight * rv.pdf(grid)
    cdf = np.clip(np.maximum.accumulate(cdf), 0.0, 1.0)
    cdf[0], cdf[-1] = 0.0, 1.0
    # E[X] = lo + ∫ (1 − F(x)) dx over [lo, hi].
    mean = lo + float(np.trapezoid(1.0 - cdf, grid))
    probs = (np.arange(n_quantiles) + 0.5) / n_quantiles
    p10, p50, p90 = (float(v) for v in _invert(grid, cdf, np.array([0.1, 0.5, 0.9])))
    quantiles = _invert(grid, cdf, probs)
    figures = np.array([mean, p10, p50, p90, *quantiles, *cdf])
    if not np.all(np.isfinite(figures)):
        raise FitError(
            f"{label}: the pooled distribution is not made of finite numbers (mean {mean:g}, "
            f"P50 {p50:g}); the estimates are too extreme to pool"
        )
    return ExpertPool(tuple(experts), grid, cdf, pdf, mean, p10, p50, p90, probs, quantiles)


def fit_pool(pool: ExpertPool, families: Sequence[str] = PARAMETRIC_FAMILIES) -> FitSummary:
    """Fit single catalogue families to the pool (on :data:`POOL_PSEUDO_SAMPLE` quantile
    midpoints); the KS column is the exact distance sup |F_pool − F_fit| on the grid."""
    pseudo = pool.ppf((np.arange(POOL_PSEUDO_SAMPLE) + 0.5) / POOL_PSEUDO_SAMPLE)
    parametric = [f for f in families if f in PARAMETRIC_FAMILIES]
    summary = fit_distributions(pseudo, parametric)
    fits = []
    for f in summary.fits:
        distance = float(np.max(np.abs(frozen(f.distribution).cdf(pool.grid) - pool.cdf)))
        method = f"{f.method}, on {POOL_PSEUDO_SAMPLE:,} quantiles of the pool"
        fits.append(
            FitResult(
                f.family,
                f.distribution,
                f.n_params,
                f.log_likelihood,
                f.aic,
                distance,
                math.nan,
                method,
            )
        )
    return FitSummary(tuple(fits), summary.failures)


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


@dataclass(frozen=True)
class Curve:
    """A fitted family's density and CDF on the chart's grid."""

    label: str
    pdf: FloatArray
    cdf: FloatArray


@dataclass(frozen=True)
class FitChartData:
    """Everything the fit chart draws, already computed (units of the data on the x axis).

    ``reference_*`` is the data (ECDF steps: ``reference_x`` sorted values, ``reference_cdf`` i/n)
    or the expert pool (its tabulated CDF, ``reference_pdf`` its density); ``hist_*`` the data's
    density histogram (absent for a pool).
    """

    title: str
    x_label: str
    grid: FloatArray
    curves: tuple[Curve, ...]
    reference_label: str
    reference_x: FloatArray
    reference_cdf: FloatArray
    reference_steps: bool
    reference_pdf: FloatArray | None = None
    hist_edges: FloatArray | None = None
    hist_density: FloatArray | None = None


def _grid_for(lo: float, hi: float, points: int = 400) -> FloatArray:
    pad = 0.05 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, points)


def _curves(fits: Sequence[FitResult], grid: FloatArray, top: int) -> tuple[Curve, ...]:
    out = []
    for f in [f for f in fits if f.ranked][:top]:
        rv = frozen(f.distribution)
        out.append(Curve(f.family, np.asarray(rv.pdf(grid)), np.asarray(rv.cdf(grid))))
    return tuple(out)


def data_chart_data(
    column: Column, summary: FitSummary, x_label: str, top: int = 4
) -> FitChartData:
    """Chart data for a data fit: histogram, ECDF and the ``top`` ranked families."""
    x = np.sort(column.values)
    grid = _grid_for(float(x[0]), float(x[-1]))
    density, edges = np.histogram(x, bins="auto", density=True)
    return FitChartData(
        title=f"{column.path.name}: {column.name} (n = {len(x):,})",
        x_label=x_label,
        grid=grid,
        curves=_curves(summary.fits, grid, top),
        reference_label="data (ECDF)",
        reference_x=x,
        reference_cdf=np.arange(1, len(x) + 1) / len(x),
        reference_steps=True,
        hist_edges=edges,
        hist_density=density,
    )


def pool_chart_data(
    pool: ExpertPool, summary: FitSummary, x_label: str, top: int = 3
) -> FitChartData:
    """Chart data for an expert pool: pooled density and CDF and the ``top`` ranked families."""
    grid = _grid_for(float(pool.grid[0]), float(pool.grid[-1]))
    return FitChartData(
        title=f"linear opinion pool of {len(pool.experts)} experts",
        x_label=x_label,
        grid=grid,
        curves=_curves(summary.fits, grid, top),
        reference_label="expert pool",
        reference_x=pool.grid,
        reference_cdf=pool.cdf,
        reference_steps=False,
        reference_pdf=pool.pdf,
    )
