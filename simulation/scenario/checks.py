"""Checks of single values against their key: bounds and upper limits (with the memory a count
would take), and risk shocks that would push an input out of its range (the rules across keys
are :mod:`simulation.scenario.cross_checks`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.distributions.families import Distribution
from simulation.scenario import schema
from simulation.scenario.messages import Collector, bytes_text, num_text
from simulation.scenario.types import Risk

__all__ = []


#: Rough memory of one SimPy process with its state, in bytes (for the limit messages).
_PROCESS_BYTES = 2_048

#: Count keys the model runs a SimPy process (or keeps an object) for, one per unit: their limit
#: messages also state the memory the count would take in every iteration.
_PER_PROCESS = frozenset(
    {
        "knowledge.domains",
        "knowledge.parallel_sessions",
        "staffing.target_agents",
        "staffing.parallel_hiring",
        "vendor.agents",
    }
)

#: Keys whose upper limit is checked with the memory they would take (:func:`size_checks`).
SIZE_KEYS = frozenset({"simulation.iterations", "scenario.horizon_months"})

#: The range of a shocked key over every iteration, and the risks that may shock it.
Shocked = dict[str, tuple[float, float, list[str]]]

#: Families whose values are listed (or fixed) and can therefore be exactly 0.
_EXPLICIT_VALUES = frozenset({"fixed", "discrete", "bernoulli", "empirical"})


#: What each bound expects, for messages.
_EXPECTED: dict[str, str] = {
    "nonneg": "must not be negative",
    "positive": "must be > 0",
    "fraction": "must be within [0, 1]",
    "rate": "must be > -1 (a rate of -100% or less is meaningless)",
}


def _within(lo: float, hi: float, bound: schema.Bound, open_at_zero: bool) -> bool:
    """Whether values from ``lo`` to ``hi`` respect ``bound``; ``open_at_zero``: a value of
    exactly ``lo`` = 0 is never drawn (a continuous distribution's end)."""
    if bound == "nonneg":
        return lo >= 0
    if bound == "positive":
        return lo > 0 or (lo == 0 and open_at_zero)
    if bound == "fraction":
        return lo >= 0 and hi <= 1
    if bound == "rate":
        return lo > -1
    return True


def _check_bound(
    dist: Distribution, bound: schema.Bound, key: str, unit: str, c: Collector
) -> None:
    """Check a value's support against the key's bound; one message naming what was expected."""
    lo, hi = dist.support()
    # A continuous distribution whose range starts at 0 (lognormal, gamma, uniform from 0) never
    # draws exactly 0, so it is a valid positive input; values listed explicitly must be > 0.
    if _within(lo, hi, bound, dist.name not in _EXPLICIT_VALUES):
        return
    expected = _EXPECTED[bound]
    if dist.is_fixed:
        c.add(key, f"{expected} (got {lo:g}{_unit(unit)})")
    else:
        c.add(key, f"{expected}, but its distribution reaches from {lo:g} to {hi:g}{_unit(unit)}")


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit not in ("fraction", "") else ""


def upper_bound(dist: Distribution) -> float:
    """Largest value a distribution gives in practice (its support, or its 1 - 1e-9 quantile)."""
    hi = dist.support()[1]
    if math.isfinite(hi):
        return hi
    return float(dist.ppf([1.0 - 1e-9])[0])


def lower_bound(dist: Distribution) -> float:
    """Smallest value a distribution gives in practice (its support, or its 1e-9 quantile)."""
    lo = dist.support()[0]
    if math.isfinite(lo):
        return lo
    return float(dist.ppf([1e-9])[0])


def _limit_text(spec: schema.KeySpec) -> str:
    """``31 days a month``: a key's maximum with its unit, for messages."""
    assert spec.maximum is not None
    unit = schema.unit_words(spec.unit)
    return f"{num_text(spec.maximum)} {unit}".rstrip()


def check_limit(dist: Distribution, spec: schema.KeySpec, key: str, c: Collector) -> None:
    """Refuse values above the key's maximum, stating the limit, why, and for counts of model
    processes the memory they would take."""
    limit = spec.maximum
    if limit is None:
        return
    top = upper_bound(dist)
    if not top > limit:  # also catches NaN
        return
    got = f"got {num_text(top)}" if dist.is_fixed else f"its distribution reaches {num_text(top)}"
    cost = ""
    if spec.path in _PER_PROCESS:
        cost = (
            f"; at about {bytes_text(_PROCESS_BYTES)} each, {num_text(top)} would need about "
            f"{bytes_text(top * _PROCESS_BYTES)} of memory in every iteration"
        )
    c.add(key, f"must be at most {_limit_text(spec)} ({got}): {spec.why}{cost}")


def check_value(dist: Distribution, spec: schema.KeySpec, key: str, c: Collector) -> None:
    """A numeric value against its key's bound, maximum and (fixed values) whole-number kind."""
    _check_bound(dist, spec.bound, key, spec.unit, c)
    if spec.path not in SIZE_KEYS:
        check_limit(dist, spec, key, c)
    if spec.kind == "integer" and dist.is_fixed and not float(dist.mean()).is_integer():
        c.add(key, f"must be a whole number, got {dist.mean():g}")


def _span(lo: float, hi: float) -> str:
    return num_text(lo) if lo == hi else f"{num_text(lo)} to {num_text(hi)}"


def target_range(target: str, inputs: Mapping[str, Distribution]) -> tuple[float, float, bool]:
    """The practical range of a shocked key before any shock, and whether exactly its ends can
    be drawn (values listed explicitly); a key the file does not give takes its default."""
    dist = inputs.get(target)
    if dist is None:
        spec = schema.input_spec(target)
        default = spec.default if spec is not None else 0.0
        value = float(default) if isinstance(default, int | float) else 0.0
        return value, value, True
    return lower_bound(dist), upper_bound(dist), dist.name in _EXPLICIT_VALUES


def check_shocks(
    risks: list[Risk],
    inputs: Mapping[str, Distribution],
    c: Collector,
    files: Mapping[str, str] | None = None,
) -> Shocked:
    """Each parameter shock against its key's bound and maximum, at validation time; returns
    the range each shocked key reaches with the risks accepted (and their names).

    The risks shocking one key are taken in register order, as the model applies them: the range
    of the key after a risk is the hull of its range without the risk (unless it always occurs)
    and of the extreme combinations of its range and the impact's range (sum for ``adds_to``,
    the four products for ``scales``). The first risk whose shocked range leaves the key's bound
    or passes its maximum is reported on its ``impact``, naming the values that give it (the
    risks after it on the same key are checked without it); a key whose own value was already
    reported is not checked again. The model's clamping (:mod:`simulation.model.inputs`) is then
    only a numerical safety net.
    """
    ranges: dict[str, tuple[float, float, bool, list[str]]] = {}
    for risk in risks:
        target = risk.target
        if risk.kind == "event" or target is None or target in c.keys:
            continue
        spec = schema.input_spec(target)
        impact = inputs.get(risk.path("impact"))
        occurs = inputs.get(risk.path("occurs"))
        if spec is None or impact is None or occurs is None:
            continue
        p = occurs.mean()
        if p == 0.0:
            continue
        lo, hi, exact, before = ranges.get(target) or (*target_range(target, inputs), [])
        shock = _Shock.of(risk, lo, hi, impact)
        exact_new = exact and impact.name in _EXPLICIT_VALUES
        problem = _shock_problem(spec, shock.low, shock.high, exact_new, bool(shock.nan))
        if problem is not None:
            where = files.get(risk.name) if files else None
            c.add(risk.path("impact"), shock.describe(risk, before, problem), where)
            continue  # the next risks on the key are checked without this one
        new_lo, new_hi = shock.low, shock.high
        if p < 1.0:
            new_lo, new_hi, exact_new = min(lo, new_lo), max(hi, new_hi), exact or exact_new
        ranges[target] = (new_lo, new_hi, exact_new, [*before, f"risks.{risk.name}"])
    return {key: (lo, hi, names) for key, (lo, hi, _, names) in ranges.items()}


@dataclass(frozen=True)
class _Shock:
    """The extreme combinations of a shocked key's range ``lo``–``hi`` (before the risk) and
    of the risk's impact (from ``ilo``): ``pairs`` (key value, impact) and what each gives
    (``results``: the sum for ``adds_to``, the product for ``scales``); ``nan``: the indexes of
    the results that are not a number (inf × 0)."""

    lo: float
    hi: float
    ilo: float
    impact_fixed: bool
    pairs: list[tuple[float, float]]
    results: list[float]
    nan: list[int]

    @classmethod
    def of(cls, risk: Risk, lo: float, hi: float, impact: Distribution) -> _Shock:
        ilo, ihi = lower_bound(impact), upper_bound(impact)
        pairs = [(a, b) for a in (lo, hi) for b in (ilo, ihi)]
        with np.errstate(all="ignore"):  # inf * 0 is NaN, reported by the caller
            results = [
                float(np.float64(a) + b if risk.kind == "adds_to" else np.float64(a) * b)
                for a, b in pairs
            ]
        nan = [j for j, r in enumerate(results) if math.isnan(r)]
        return cls(lo, hi, ilo, impact.is_fixed, pairs, results, nan)

    @property
    def low(self) -> float:
        """The least value the shock can give the key."""
        return min(self.results)

    @property
    def high(self) -> float:
        """The largest value the shock can give the key."""
        return max(self.results)

    def describe(self, risk: Risk, before: list[str], problem: tuple[bool, str]) -> str:
        """The message on the risk's impact: what it does to the key (its range, after the
        risks ``before`` it), what that gives and what is wrong (``problem``, from
        :func:`_shock_problem`)."""
        low_side, what_is_wrong = problem
        j = self.nan[0] if self.nan else self.results.index(self.low if low_side else self.high)
        i = self.pairs[j][1]
        after = f" after {', '.join(before)}" if before else ""
        shown_i = (
            num_text(i)
            if self.impact_fixed
            else f"{'down' if i == self.ilo else 'up'} to {num_text(i)}"
        )
        giving = (
            num_text(self.results[j])
            if self.impact_fixed and self.lo == self.hi
            else (f"{'as little as' if low_side else 'up to'} {num_text(self.results[j])}")
        )
        rng = _span(self.lo, self.hi) + after
        if risk.kind == "adds_to":
            what = f"adds {shown_i} to {risk.target} ({rng})"
        else:
            what = f"scales {risk.target} ({rng}) by {shown_i}"
        return f"{what}, giving {giving}, {what_is_wrong}"


def _shock_problem(
    spec: schema.KeySpec, lo: float, hi: float, exact: bool, nan: bool = False
) -> tuple[bool, str] | None:
    """What is wrong with a shocked range ``lo``–``hi`` of a key (``nan``: some combination is
    not a number): ``(below, text)`` or None."""
    if nan:
        return False, "which is not a number"
    if not _within(lo, hi, spec.bound, open_at_zero=not exact):
        below = spec.bound != "fraction" or lo < 0
        return below, f"but {spec.path} {_EXPECTED[spec.bound]}"
    if spec.maximum is not None and hi > spec.maximum:
        return False, f"above its limit of {_limit_text(spec)}"
    return None
