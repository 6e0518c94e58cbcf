"""Parsing a scenario's TOML value (a plain number or a ``{ dist = "...", ... }`` table) into a
frozen distribution of the catalogue, with one message per problem naming the field and what
was expected (:func:`parse_distribution`)."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.distributions.continuous import (
    Beta,
    Continuous,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)
from simulation.distributions.families import (
    Bernoulli,
    Discrete,
    Distribution,
    Empirical,
    Fixed,
    num,
)
from simulation.errors import DistributionError

FloatArray = NDArray[np.float64]

__all__ = [
    "CATALOGUE",
    "DISTRIBUTIONS",
    "parse_distribution",
]


_PERCENTILE_KEY = re.compile(r"^p([1-9][0-9]?)$")


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
            self.errors.append(f"{label} must be finite (got {num(x)})")
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
            self.errors.append(f"'{key}' must be > 0 (got {num(x)})")
            return None
        if bound == "nonneg" and not x >= 0:
            self.errors.append(f"'{key}' must be >= 0 (got {num(x)})")
            return None
        if bound == "fraction" and not 0.0 <= x <= 1.0:
            self.errors.append(f"'{key}' must be within [0, 1] (got {num(x)})")
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
            self.errors.append(f"{a} ({num(x)}) must be {op} {b} ({num(y)})")

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
            f"min ({num(lo)}) must be < max ({num(hi)}); write a plain number for a fixed value"
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
            r.errors.append(f"'weights' must be >= 0 (got {num(negative[0])})")
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
    if not isinstance(dist, Continuous) or dist.clip or isinstance(dist, Uniform | Beta):
        return []
    if (dist.low is None and dist.high is None) or dist.truncation_mass() > 0:
        return []
    low = -np.inf if dist.low is None else dist.low
    high = np.inf if dist.high is None else dist.high
    where = ""
    lo, hi = (float(v) for v in dist._untruncated().support())
    if math.isfinite(lo) or math.isfinite(hi):
        where = f" (the distribution lies within [{num(lo)}, {num(hi)}])"
    return [f"truncation to [{num(low)}, {num(high)}] leaves no probability{where}"]


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
            raise DistributionError(f"must be finite (got {num(float(value))})")
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
