"""Checks of single values and across keys: bounds and upper limits (with the memory a count
would take), risk shocks that would push an input out of its range, the levers the options
reach (:class:`Reach`), cross-key rules, and reading a plain or numeric value of the schema."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulation.distributions.families import Distribution
from simulation.distributions.parsing import parse_distribution
from simulation.errors import DistributionError
from simulation.scenario import schema
from simulation.scenario.messages import Collector, bytes_text, num_text, suggestion, type_name
from simulation.scenario.types import Risk, Scenario

__all__ = [
    "Reach",
    "input_reach",
]


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


def _target_range(target: str, inputs: Mapping[str, Distribution]) -> tuple[float, float, bool]:
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
        lo, hi, exact, before = ranges.get(target) or (*_target_range(target, inputs), [])
        ilo, ihi = lower_bound(impact), upper_bound(impact)
        pairs = [(a, b) for a in (lo, hi) for b in (ilo, ihi)]
        with np.errstate(all="ignore"):  # inf * 0 is NaN, reported below
            results = [
                float(np.float64(a) + b if risk.kind == "adds_to" else np.float64(a) * b)
                for a, b in pairs
            ]
        nan = [j for j, r in enumerate(results) if math.isnan(r)]
        new_lo, new_hi = min(results), max(results)
        exact_new = exact and impact.name in _EXPLICIT_VALUES
        key = risk.path("impact")
        where = files.get(risk.name) if files else None
        problem = _shock_problem(spec, new_lo, new_hi, exact_new, bool(nan))
        if problem is not None:
            low_side = problem[0]
            j = nan[0] if nan else results.index(new_lo if low_side else new_hi)
            i = pairs[j][1]
            after = f" after {', '.join(before)}" if before else ""
            shown_i = (
                num_text(i)
                if impact.is_fixed
                else f"{'down' if i == ilo else 'up'} to {num_text(i)}"
            )
            giving = (
                num_text(results[j])
                if impact.is_fixed and lo == hi
                else (f"{'as little as' if low_side else 'up to'} {num_text(results[j])}")
            )
            rng = _span(lo, hi) + after
            if risk.kind == "adds_to":
                what = f"adds {shown_i} to {target} ({rng})"
            else:
                what = f"scales {target} ({rng}) by {shown_i}"
            c.add(key, f"{what}, giving {giving}, {problem[1]}", where)
            continue  # the next risks on the key are checked without this one
        if p < 1.0:
            new_lo, new_hi, exact_new = min(lo, new_lo), max(hi, new_hi), exact or exact_new
        ranges[target] = (new_lo, new_hi, exact_new, [*before, f"risks.{risk.name}"])
    return {key: (lo, hi, names) for key, (lo, hi, _, names) in ranges.items()}


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


@dataclass(frozen=True)
class Reach:
    """The values each numeric input can take over every iteration: its distribution's practical
    range (:func:`lower_bound`, :func:`upper_bound`), widened by the risks that may shock it
    (:func:`check_shocks`); a key the files do not give has its default.

    ``given``: the keys the files give (``None`` when not known, e.g. for a sweep's setting), so
    that a message can say a value is the default rather than something the user wrote.
    """

    inputs: Mapping[str, Distribution]
    shocked: Mapping[str, tuple[float, float, list[str]]]
    given: frozenset[str] | None = None

    def __call__(self, path: str) -> tuple[float, float]:
        """The least and the largest value of ``path``, in its key's unit."""
        found = self.shocked.get(path)
        if found is not None:
            return found[0], found[1]
        lo, hi, _ = _target_range(path, self.inputs)
        return lo, hi

    def file(self, path: str, c: Collector) -> str | None:
        """The file a message on ``path`` names: the one that gives it, or for a key no file
        gives (its default) the extending file, as for a required key nobody gave."""
        return None if self.given is None or path in self.given else c.file

    def text(self, path: str, low: bool, whole: bool = False) -> str:
        """One end of ``path``'s values for a message, with its unit: ``6 agents``,
        ``20 working days (the default)``, ``as little as 3 working days`` (a distribution),
        ``up to 25 working days with risks.x`` (a risk's shock); ``whole``: rounded as the model
        rounds whole-number keys."""
        lo, hi = self(path)
        value = lo if low else hi
        if whole:
            value = round(value)
        spec = schema.input_spec(path)
        unit = schema.unit_words(spec.unit) if spec is not None else ""
        shown = f"{num_text(value)} {unit}".rstrip()
        if lo == hi:
            default = self.given is not None and path not in self.given
            return f"{shown} (the default)" if default else shown
        shocks = self.shocked.get(path)
        risks = f" with {', '.join(shocks[2])}" if shocks is not None else ""
        return f"{'as little as' if low else 'up to'} {shown}{risks}"


def input_reach(scenario: Scenario) -> Reach:
    """The :class:`Reach` of a built scenario's inputs (risk shocks included), for the checks
    across keys of :mod:`simulation.engine.guards`."""
    shocked = check_shocks(list(scenario.risks), scenario.inputs, Collector(""))
    return Reach(scenario.inputs, shocked)


def _lever_on(options: Mapping[str, object], switch: str) -> bool:
    """Whether a lever of the response layer is used: its switch and ``response.enabled``."""
    return bool(options.get("response.enabled", True)) and bool(options.get(switch, True))


def cross_checks(reach: Reach, options: Mapping[str, object], c: Collector) -> None:
    """Rules between keys that must hold in every iteration, each judged on every value the
    inputs can take (:class:`Reach`) and reported on the key to change. A rule on a key whose
    own value was already reported, or on a lever that is switched off, is not checked.

    Further relations between the response keys are only doubtful, not contradictory; they are
    warnings of :mod:`simulation.engine.guards`.
    """
    # Triage closes stale tickets unworked, and the queue's ledger counts each of them as
    # already breached on its due day (simulation/model/queue.py): a ticket closed younger than
    # the SLA would count as breached without having breached, so every possible triage age
    # must exceed every possible SLA.
    tri, sla = "response.triage_age_days", "demand.sla_days"
    if (
        _lever_on(options, "response.triage")
        and not {tri, sla} & c.keys
        and not reach(tri)[0] > reach(sla)[1]
    ):
        c.add(
            tri,
            f"must be more than {sla} ({reach.text(sla, low=False)}), got "
            f"{reach.text(tri, low=True)}: triage closes stale tickets as already breached, "
            "so they must be older than the SLA; raise it or set response.triage = false",
            reach.file(tri, c),
        )
    # The largest team target the review may approve starts from the plan: a cap below the
    # plan (in any future) would be silently lifted to it (simulation/model/levers.py,
    # TeamSize), so the value written could never hold. The model rounds both to whole agents.
    cap, plan = "response.max_target_agents", "staffing.target_agents"
    if (
        _lever_on(options, "response.resize")
        and cap in reach.inputs
        and not {cap, plan} & c.keys
        and round(reach(cap)[0]) < round(reach(plan)[1])
    ):
        c.add(
            cap,
            f"must be at least {plan} ({reach.text(plan, low=False, whole=True)}), got "
            f"{reach.text(cap, low=True, whole=True)}: it caps the team target the review may "
            "raise the plan to; raise it, or leave it out for 1.5 × the plan",
            reach.file(cap, c),
        )
    # Staff transfer: only the vendor's agents can be offered a post.
    offers, vendor = "staffing.transfer_offers", "vendor.agents"
    if (
        offers in reach.inputs
        and not {offers, vendor} & c.keys
        and round(reach(offers)[1]) > round(reach(vendor)[0])
    ):
        c.add(
            offers,
            f"must be at most {vendor} ({reach.text(vendor, low=True, whole=True)}), got "
            f"{reach.text(offers, low=False, whole=True)}: only the vendor's agents on the "
            "service can be offered a post",
            reach.file(offers, c),
        )
    target = "staffing.target_agents"
    if (
        offers in reach.inputs
        and target in reach.inputs
        and not {offers, target} & c.keys
        and round(reach(offers)[1]) > round(reach(target)[0])
    ):
        c.add(
            offers,
            f"must be at most {target} ({reach.text(target, low=True, whole=True)}), got "
            f"{reach.text(offers, low=False, whole=True)}: each offer is a post in the team",
            reach.file(offers, c),
        )
    # Staying with the vendor has no transition: its terms are read only under "stay", and
    # nothing that builds a team goes with it.
    staying = options.get("policy.strategy", "big_bang") == "stay"
    if not staying:  # (a term at its neutral default changes nothing and is let through)
        for key in sorted(k for k in reach.inputs if k.startswith("stay.")):
            default = schema.BY_PATH[key].default
            neutral = isinstance(default, int | float) and reach(key) == (default, default)
            if key not in c.keys and reach.given is not None and key in reach.given and not neutral:
                c.add(
                    key,
                    "is read only under policy.strategy = 'stay' (staying with the vendor on "
                    "renegotiated terms)",
                    reach.file(key, c),
                )
    else:
        if options.get("incoming.kind", "in_house") == "vendor":
            c.add(
                "incoming.kind",
                "must be 'in_house' under policy.strategy = 'stay': staying has no incoming team "
                "(to switch vendor, use another strategy)",
            )
        if offers in reach.inputs and reach(offers)[1] > 0 and offers not in c.keys:
            c.add(
                offers,
                "must be 0 under policy.strategy = 'stay': staying transfers no one",
                reach.file(offers, c),
            )
    # The incoming team's own parameters are read only when a new vendor builds it, and a new
    # vendor needs a fee.
    if options.get("incoming.kind", "in_house") == "vendor":
        fee, price = "incoming.monthly_fee", "incoming.price_per_ticket"
        if not {fee, price} & (set(reach.inputs) | c.keys):
            c.add(
                fee,
                "is required when incoming.kind = 'vendor': the new vendor's fee a month (or "
                "give incoming.price_per_ticket)",
            )
    else:
        for key in sorted(k for k in reach.inputs if k.startswith("incoming.")):
            if key not in c.keys and reach.given is not None and key in reach.given:
                c.add(
                    key,
                    "is read only under incoming.kind = 'vendor' (a new vendor builds the "
                    "team); the in-house team's values are the staffing keys",
                    reach.file(key, c),
                )


def is_finite_number(x: object) -> bool:
    """True for a finite int or float (never raises, unlike ``math.isfinite`` on huge ints)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return False
    return abs(x) < _INT64 if isinstance(x, int) else math.isfinite(x)


def _huge_int(value: object, depth: int = 0) -> int | None:
    """The first integer outside TOML's 64-bit range in a value (searched 3 levels deep)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if not -_INT64 <= value < _INT64 else None
    items: list[object] = []
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = list(value)
    if depth < 3:
        for item in items:
            found = _huge_int(item, depth + 1)
            if found is not None:
                return found
    return None


def read_numeric(value: object, key: str, c: Collector) -> Distribution | None:
    """Parse a number or distribution table; every problem becomes a message on ``key``.

    Besides the catalogue's own checks, the distribution must give finite values at its extreme
    percentiles (1e-6 and 1 - 1e-6): parameters so large or small that scipy overflows are
    input problems, reported rather than raised.
    """
    big = _huge_int(value)
    if big is not None:
        c.add(key, f"{num_text(big)} is outside the 64-bit integer range of TOML (about ±9.2e18)")
        return None
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dist = parse_distribution(value)
            probe = dist.ppf(np.array(_PROBE))
            lo, hi = dist.support()
    except DistributionError as exc:
        for m in exc.messages:
            c.add(key, m)
        return None
    except (ArithmeticError, ValueError) as exc:
        c.add(
            key,
            f"cannot be computed with these values ({type(exc).__name__}: {str(exc)[:80]}); "
            "use parameters of a sensible size",
        )
        return None
    if not (np.all(np.isfinite(probe)) and not math.isnan(lo) and not math.isnan(hi)):
        shown = ", ".join(f"{v:g}" for v in probe)
        c.add(
            key,
            f"gives values that are not finite numbers (at percentiles 0.0001%, 50%, 99.9999%: "
            f"{shown}); use parameters of a sensible size",
        )
        return None
    return dist


def exact_integer(value: object, dist: Distribution) -> int:
    """A whole-number option (``simulation.seed``, ``simulation.iterations``) exactly as written:
    TOML integers are 64-bit, and a seed such as 2**53 + 1 must not be rounded through the float
    of the distribution catalogue (which would make two seeds give the same streams)."""
    if isinstance(value, dict) and value.get("dist") == "fixed":
        value = value.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(dist.mean())


def read_plain(spec: schema.KeySpec, value: object, key: str, c: Collector) -> object:
    """Validate a non-numeric key; return its value or None."""
    if spec.kind == "string":
        if not isinstance(value, str):
            c.add(key, f"must be a text, got {type_name(value)}")
            return None
        if len(value) > 10_000:
            c.add(key, "is too long (more than 10,000 characters)")
            return None
        if not value.replace("\n", "").replace("\t", "").isprintable():
            c.add(key, f"must not contain control characters, got {type_name(value)}")
            return None
        return value
    if spec.kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            shown = type_name(value)
            hint = suggestion(value, spec.choices) if isinstance(value, str) else ""
            c.add(key, f"must be one of {', '.join(spec.choices)}, got {shown}{hint}")
            return None
        return value
    if spec.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        c.add(key, f"must be a date like 2027-01-01, got {type_name(value)}")
        return None
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            quotes = " (without quotes)" if isinstance(value, str) else ""
            c.add(key, f"must be true or false{quotes}, got {type_name(value)}")
            return None
        return value
    raise AssertionError(spec.kind)


#: TOML integers are 64-bit; larger ones (which Python's reader accepts) are refused.
_INT64 = 2**63


#: Percentiles at which every distribution must give finite values.
_PROBE = (1e-6, 0.5, 1.0 - 1e-6)


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
