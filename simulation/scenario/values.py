"""Reading one value of the schema: a number or a distribution for a numeric key (huge integers
and non-finite numbers refused), and a plain string, choice, date or boolean for the others."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable

import numpy as np

from simulation.distributions.families import Distribution
from simulation.distributions.parsing import parse_distribution
from simulation.errors import DistributionError
from simulation.scenario import schema
from simulation.scenario.messages import Collector, num_text, suggestion, type_name

#: TOML integers are 64-bit; larger ones (which Python's reader accepts) are refused.
_INT64 = 2**63

#: Percentiles at which every distribution must give finite values.
_PROBE = (1e-6, 0.5, 1.0 - 1e-6)

__all__ = [
    "exact_integer",
    "is_finite_number",
    "read_numeric",
    "read_plain",
]


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
    reader = _PLAIN_READERS.get(spec.kind)
    if reader is None:
        raise AssertionError(spec.kind)
    return reader(spec, value, key, c)


def _read_string(spec: schema.KeySpec, value: object, key: str, c: Collector) -> object:
    """A text of printable characters (new lines and tabs allowed), at most 10,000 long."""
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


def _read_choice(spec: schema.KeySpec, value: object, key: str, c: Collector) -> object:
    """One of the key's choices, with a did-you-mean for a text that is close to one."""
    if not isinstance(value, str) or value not in spec.choices:
        shown = type_name(value)
        hint = suggestion(value, spec.choices) if isinstance(value, str) else ""
        c.add(key, f"must be one of {', '.join(spec.choices)}, got {shown}{hint}")
        return None
    return value


def _read_date(spec: schema.KeySpec, value: object, key: str, c: Collector) -> object:
    """A TOML date or date-time (its day) or an ISO text, as ``YYYY-MM-DD``."""
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


def _read_boolean(spec: schema.KeySpec, value: object, key: str, c: Collector) -> object:
    """``true`` or ``false`` (a quoted ``"true"`` is refused, saying so)."""
    if not isinstance(value, bool):
        quotes = " (without quotes)" if isinstance(value, str) else ""
        c.add(key, f"must be true or false{quotes}, got {type_name(value)}")
        return None
    return value


#: The reader of each non-numeric kind of key.
_PLAIN_READERS: dict[str, Callable[[schema.KeySpec, object, str, Collector], object]] = {
    "string": _read_string,
    "choice": _read_choice,
    "date": _read_date,
    "boolean": _read_boolean,
}
