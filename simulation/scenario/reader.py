"""Read a TOML scenario file, validate every key in one pass, and build a frozen :class:`Scenario`.

Validation follows *fill defaults → validate → build*: every problem is collected (never only the
first), each message naming the file, the dotted key and what was expected, e.g.
``scenarios/x.toml: staffing.time_to_hire_days: min (40) must be <= mode (30)``. When anything is
wrong a single :class:`~simulation.errors.ScenarioError` carries all messages; every message starts
with the path of the file in which the offending key lives.

Scenario inheritance (``extends``)
----------------------------------
A scenario may start with ``extends = "it_helpdesk.toml"`` and give only the keys it changes.
The path is relative to the folder of the file that says ``extends`` (an absolute path works too);
it must name a regular ``.toml`` file. Chains are allowed (A extends B extends C) up to
:data:`MAX_EXTENDS_DEPTH` files; a cycle is an error naming every file of the cycle. The base is
read first and each extending file is merged on top of it:

* **tables** (``[vendor]``, ``[staffing]`` ...) merge key by key, recursively: a child that gives
  ``staffing.target_agents`` keeps every other ``[staffing]`` key of its base;
* a **value** replaces the base value as a whole: numbers, strings, arrays, a **distribution
  table** (``{ dist = ... }``: when either the base or the child value is one, the child's value
  replaces it, so a child never inherits stray fields such as ``mode`` from a base ``pert``) and a
  target (``[targets]`` entries such as ``{ at_least = 0 }``);
* ``[[risks]]`` merge **by name**: a child risk with the name of a base risk replaces the base
  entry as a whole (in the base's position); a new name is appended. ``remove = true`` in a child
  entry (``[[risks]] name = "x" remove = true``) deletes the base's entry;
* ``[[correlations]]`` merge **by their pair** (``between``, in either order) in the same way:
  same pair replaces (so a child can change a ``rank``), ``remove = true`` deletes, new pairs are
  appended. Entries without a usable name / pair are appended (and validation reports them).

Every key keeps the file it came from through the merge, so a typo in the base is reported with
the base's path and a child's typo with the child's path. Keys that are missing altogether (a
required key nobody gave) are reported with the extending (first) file's path.
:attr:`Scenario.files` lists every file involved, the extending file first, and
:attr:`Scenario.sha256` is the SHA-256 of the file's bytes for a single file, or for a chain the
SHA-256 of the files' hex digests joined by newlines, extending file first (so editing any file
of the chain changes it).

Limits and hostile input
------------------------
Absurd sizes are refused with the limit and the cost they would have: every key's upper limit
lives in its :class:`~simulation.scenario.schema.KeySpec` (``maximum``, with ``why``), and so does
the horizon's (:data:`MAX_HORIZON_MONTHS`) and the iteration count's (:data:`MAX_ITERATIONS`); see
also :data:`MAX_FILE_BYTES`. A risk that ``adds_to`` or ``scales`` a key is checked against the same
bound and limit for the extreme combinations of the key's range and the impact's range (after
the risks before it on the same key), and may not shock a key whose value must be the same in
every iteration (``KeySpec.structural``: the horizon, the calendar). Integers beyond
TOML's 64-bit range are refused. Every distribution is evaluated once at load, at the
percentiles 1e-6, 0.5 and 1 - 1e-6: parameters so extreme that scipy overflows or gives
non-finite values are reported as input errors on their key here, never as a crash later while
sampling. Loading reports only :class:`~simulation.errors.ScenarioError`.

A scenario file is only ever parsed as TOML data: nothing in it is evaluated, imported or
fetched, and ``extends`` only reads regular ``.toml`` files. The scenario *name* is display text
only: it never becomes part of a path (results folders are named after the file's stem), so a
name such as ``"../../etc/passwd"`` is accepted as a harmless label; control characters in texts
are refused and shown escaped.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import os
import tomllib
import warnings
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation.distributions.families import Distribution, Fixed
from simulation.distributions.parsing import parse_distribution
from simulation.errors import DistributionError, ScenarioError
from simulation.inputfiles import decode_utf8, os_reason, read_input
from simulation.scenario import schema
from simulation.scenario.run_options import SAMPLERS
from simulation.scenario.size import per_iteration_bytes, size_text
from simulation.scenario.types import Correlation, Risk, Scenario, Target, Wave, freeze

#: Largest iteration count a scenario or the command line may ask for (see the schema).
MAX_ITERATIONS = schema.MAX_ITERATIONS
#: Longest horizon the monthly series may cover (see the schema).
MAX_HORIZON_MONTHS = schema.MAX_HORIZON_MONTHS
#: Most files in an ``extends`` chain (the extending file included).
MAX_EXTENDS_DEPTH = 10
#: Largest scenario file read, in bytes.
MAX_FILE_BYTES = 5_000_000
#: TOML integers are 64-bit; larger ones (which Python's reader accepts) are refused.
_INT64 = 2**63
#: Percentiles at which every distribution must give finite values.
_PROBE = (1e-6, 0.5, 1.0 - 1e-6)
#: Monthly series each iteration keeps (the model's contract), for memory estimates.
_MONTHLY_SERIES = len(schema.SERIES_NAMES)
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
#: Keys whose upper limit is checked with the memory they would take (:func:`_size_checks`).
_SIZE_KEYS = frozenset({"simulation.iterations", "scenario.horizon_months"})

#: Scalar outputs a target may name (the model's contract; ``stabilised`` is a 0/1 flag).
TARGET_METRICS = tuple(name for name in schema.SCALAR_NAMES if name != "stabilised")


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word[:200], list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _printable(text: str) -> str:
    """``text`` with control and other non-printable characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string '{value[:40]}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float | int):
        return f"{type(value).__name__} {_num(value)}"
    return f"{type(value).__name__} {value}"


def _num(value: float) -> str:
    """A number for a message: ``40``, ``1.2``, ``1e+300`` (never thousands of digits)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) and abs(value) < 10**24:
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    try:
        return f"{float(value):g}"
    except OverflowError:
        return "a number with more than 300 digits"


_bytes = size_text


class _Collector:
    """Collects messages, each prefixed with the file in which its key lives.

    ``origins`` maps a dotted key (``staffing``, ``staffing.time_to_hire_days``, ``risks``) to
    the file that gave it; a message's key is looked up, then its parents (``a.b[2].c`` →
    ``a.b[2]`` → ``a.b`` → ``a``), and the first (extending) file is the fallback.
    """

    def __init__(self, file: str, origins: Mapping[str, str] | None = None) -> None:
        self.file = file
        self.origins: Mapping[str, str] = origins or {}
        self.messages: list[str] = []
        self.keys: set[str] = set()  # every key a message was given for

    def file_of(self, key: str) -> str:
        while key:
            found = self.origins.get(key)
            if found is not None:
                return found
            cut = max(key.rfind("."), key.rfind("["))
            key = key[:cut] if cut > 0 else ""
        return self.file

    def add(self, key: str, message: str, file: str | None = None) -> None:
        where = file if file is not None else self.file_of(key)
        text = f"{key}: {message}" if key else message
        self.keys.add(key)
        self.messages.append(f"{where}: {_printable(text)}" if where else _printable(text))


# pydantic records for the small structured tables ------------------------------------------------


class _CorrelationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    between: list[str] = Field(min_length=2, max_length=2)
    rank: float = Field(ge=-1.0, le=1.0)

    @field_validator("rank", mode="before")
    @classmethod
    def _finite(cls, v: object) -> object:
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v) if abs(v) < 10**300 else math.inf
        return v


def _pydantic_messages(err: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "is required"
        out.append((loc, msg))
    return out


# Reading files and resolving `extends` ------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    """One file of an ``extends`` chain: its display path, parsed document and SHA-256 (hex)."""

    file: str
    data: Mapping[str, Any]
    sha256: str
    identity: str
    raw: bytes = b""


def _identity(path: Path) -> str:
    """A path's identity for cycle detection (symlinks and ``..`` resolved)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(path)


def read_toml(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read and parse a TOML file; any problem becomes a :class:`ScenarioError` naming the file.

    Reads through :func:`simulation.inputfiles.read_input`: at most :data:`MAX_FILE_BYTES` + 1
    bytes, never blocking (a pipe with a writer is read, a FIFO nobody writes to is refused at
    once), devices and sockets refused unopened. A UTF-8 byte-order mark at the start is ignored
    (the SHA-256 is of the bytes as they are).
    """
    raw = read_input(path, limit=MAX_FILE_BYTES, what="scenario file", error=ScenarioError)
    text = decode_utf8(raw, path, ScenarioError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: TOML nesting is too deep") from None
    return data, raw


def _extends_chain(first: _Layer) -> list[_Layer]:
    """``first`` followed by the files it extends, in order (base last)."""
    chain = [first]
    while "extends" in chain[-1].data:
        child = chain[-1]
        target = child.data["extends"]
        if not isinstance(target, str) or not target.strip():
            raise ScenarioError(
                f"{child.file}: extends: must be the file name of the base scenario, e.g. "
                f'"it_helpdesk.toml", got {_printable(_type_name(target))}'
            )
        if "\x00" in target or not target.endswith(".toml"):
            raise ScenarioError(
                f"{child.file}: extends: must name a .toml file, got '{_printable(target)}'"
            )
        resolved = Path(os.path.normpath(Path(child.file).parent / target))
        try:
            exists, regular = resolved.exists(), resolved.is_file()
        except OSError as exc:  # e.g. a name too long for the file system
            raise ScenarioError(
                f"{child.file}: extends: cannot be read: {_printable(str(resolved))[:200]} "
                f"({os_reason(exc)})"
            ) from None
        shown = _printable(str(resolved))
        if not exists:
            raise ScenarioError(f"{child.file}: extends: file not found: {shown}")
        if not regular:
            raise ScenarioError(f"{child.file}: extends: not a regular file: {shown}")
        identity = _identity(resolved)
        seen = [layer.identity for layer in chain]
        if identity in seen:
            loop = [layer.file for layer in chain[seen.index(identity) :]] + [str(resolved)]
            raise ScenarioError(
                f"{child.file}: extends: cycle of scenario files: {' -> '.join(loop)}"
            )
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                f"{chain[0].file}: extends: the chain is longer than {MAX_EXTENDS_DEPTH} files "
                f"({' -> '.join(layer.file for layer in chain)} -> {resolved})"
            )
        data, raw = read_toml(resolved)
        chain.append(_Layer(str(resolved), data, hashlib.sha256(raw).hexdigest(), identity, raw))
    return chain


# Merging an `extends` chain -------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One ``[[risks]]`` / ``[[correlations]]`` entry with the file that gave it and its label
    (``risks[2]``: index within that file)."""

    value: object
    file: str
    label: str


#: Arrays of tables merged by identity, with the function giving an entry's identity.
def _risk_id(entry: Mapping[str, Any]) -> Hashable | None:
    name = entry.get("name")
    return name if isinstance(name, str) else None


def _pair_id(entry: Mapping[str, Any]) -> Hashable | None:
    pair = entry.get("between")
    if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
        return frozenset(pair)
    return None


_MERGED_ARRAYS: dict[str, Callable[[Mapping[str, Any]], Hashable | None]] = {
    "risks": _risk_id,
    "correlations": _pair_id,
    "waves": _risk_id,
}
#: Tables nested this deep are values (replaced whole); such nesting is never valid anyway.
_MAX_MERGE_DEPTH = 4


@dataclass
class _Merged:
    """An ``extends`` chain merged into one document, with each key's file of origin."""

    tables: dict[str, Any]
    arrays: dict[str, list[_Entry] | None]
    origins: dict[str, str]
    messages: list[str]


def _is_value_table(path: str, old: Mapping[str, Any], new: Mapping[str, Any], depth: int) -> bool:
    """True when the table ``new`` replaces ``old`` as a whole rather than merging key by key."""
    return (
        "dist" in old or "dist" in new or path.startswith("targets.") or depth >= _MAX_MERGE_DEPTH
    )


def _drop_origins(origins: dict[str, str], path: str) -> None:
    for key in [k for k in origins if k.startswith((f"{path}.", f"{path}["))]:
        del origins[key]


def _merge_table(
    dst: dict[str, Any],
    src: Mapping[str, Any],
    file: str,
    prefix: str,
    origins: dict[str, str],
    depth: int,
) -> None:
    for key, value in src.items():
        path = f"{prefix}.{key}" if prefix else key
        old = dst.get(key)
        if isinstance(value, dict) and not _is_value_table(
            path, old if isinstance(old, dict) else {}, value, depth
        ):
            if not isinstance(old, dict):
                dst[key] = {}
            origins[path] = file
            _merge_table(dst[key], value, file, path, origins, depth + 1)
            continue
        if isinstance(old, dict):
            _drop_origins(origins, path)
        dst[key] = value
        origins[path] = file


def _merge_entries(
    base: list[_Entry] | None,
    new: list[object],
    file: str,
    section: str,
    messages: list[str],
) -> list[_Entry]:
    identity = _MERGED_ARRAYS[section]
    slots: list[_Entry | None] = list(base or [])
    index: dict[Hashable, int] = {}
    for i, entry in enumerate(slots):
        key = identity(entry.value) if entry and isinstance(entry.value, dict) else None
        if key is not None:
            index.setdefault(key, i)
    for i, value in enumerate(new):
        label = f"{section}[{i}]"
        if not isinstance(value, dict):
            slots.append(_Entry(value, file, label))
            continue
        key = identity(value)
        where = f"{section}.{key}" if section in ("risks", "waves") and key is not None else label
        remove = value.get("remove", False)
        if remove is not True and remove is not False:
            messages.append(f"{file}: {_printable(where)}.remove: must be true or false")
            continue
        value = {k: v for k, v in value.items() if k != "remove"}
        # pop: a second entry with the same identity in the same file is appended, so that
        # validation reports it as given twice
        pos: int | None = index.pop(key, None) if key is not None else None
        if pos is not None:
            slots[pos] = None if remove else _Entry(value, file, label)
        elif remove:
            messages.append(
                f"{file}: {_printable(where)}.remove: the base scenario has no such entry to remove"
            )
        else:
            slots.append(_Entry(value, file, label))
    return [e for e in slots if e is not None]


def _merge(chain: list[_Layer]) -> _Merged:
    """Merge an ``extends`` chain (extending file first) base-first into one document."""
    merged = _Merged({}, {}, {}, [])
    for layer in reversed(chain):
        for key, value in layer.data.items():
            if key == "extends":
                continue
            if key in _MERGED_ARRAYS:
                merged.origins[key] = layer.file
                if isinstance(value, list):
                    merged.tables.pop(key, None)
                    merged.arrays[key] = _merge_entries(
                        merged.arrays.get(key), value, layer.file, key, merged.messages
                    )
                else:  # not an array of tables: kept as is, validation reports it
                    merged.arrays[key] = None
                    merged.tables[key] = value
                continue
            _merge_table(merged.tables, {key: value}, layer.file, "", merged.origins, 0)
    return merged


# Values -------------------------------------------------------------------------------------------


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
    dist: Distribution, bound: schema.Bound, key: str, unit: str, c: _Collector
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


def _upper(dist: Distribution) -> float:
    """Largest value a distribution gives in practice (its support, or its 1 - 1e-9 quantile)."""
    hi = dist.support()[1]
    if math.isfinite(hi):
        return hi
    return float(dist.ppf([1.0 - 1e-9])[0])


def _lower(dist: Distribution) -> float:
    """Smallest value a distribution gives in practice (its support, or its 1e-9 quantile)."""
    lo = dist.support()[0]
    if math.isfinite(lo):
        return lo
    return float(dist.ppf([1e-9])[0])


def _limit_text(spec: schema.KeySpec) -> str:
    """``31 days a month``: a key's maximum with its unit, for messages."""
    assert spec.maximum is not None
    unit = schema.unit_words(spec.unit)
    return f"{_num(spec.maximum)} {unit}".rstrip()


def _check_limit(dist: Distribution, spec: schema.KeySpec, key: str, c: _Collector) -> None:
    """Refuse values above the key's maximum, stating the limit, why, and for counts of model
    processes the memory they would take."""
    limit = spec.maximum
    if limit is None:
        return
    top = _upper(dist)
    if not top > limit:  # also catches NaN
        return
    got = f"got {_num(top)}" if dist.is_fixed else f"its distribution reaches {_num(top)}"
    cost = ""
    if spec.path in _PER_PROCESS:
        cost = (
            f"; at about {_bytes(_PROCESS_BYTES)} each, {_num(top)} would need about "
            f"{_bytes(top * _PROCESS_BYTES)} of memory in every iteration"
        )
    c.add(key, f"must be at most {_limit_text(spec)} ({got}): {spec.why}{cost}")


def _check_value(dist: Distribution, spec: schema.KeySpec, key: str, c: _Collector) -> None:
    """A numeric value against its key's bound, maximum and (fixed values) whole-number kind."""
    _check_bound(dist, spec.bound, key, spec.unit, c)
    if spec.path not in _SIZE_KEYS:
        _check_limit(dist, spec, key, c)
    if spec.kind == "integer" and dist.is_fixed and not float(dist.mean()).is_integer():
        c.add(key, f"must be a whole number, got {dist.mean():g}")


# Risk shocks (adds_to / scales) ---------------------------------------------------------------


def _span(lo: float, hi: float) -> str:
    return _num(lo) if lo == hi else f"{_num(lo)} to {_num(hi)}"


def _target_range(target: str, inputs: Mapping[str, Distribution]) -> tuple[float, float, bool]:
    """The practical range of a shocked key before any shock, and whether exactly its ends can
    be drawn (values listed explicitly); a key the file does not give takes its default."""
    dist = inputs.get(target)
    if dist is None:
        spec = schema.input_spec(target)
        default = spec.default if spec is not None else 0.0
        value = float(default) if isinstance(default, int | float) else 0.0
        return value, value, True
    return _lower(dist), _upper(dist), dist.name in _EXPLICIT_VALUES


#: The range of a shocked key over every iteration, and the risks that may shock it.
_Shocked = dict[str, tuple[float, float, list[str]]]


def _check_shocks(
    risks: list[Risk],
    inputs: Mapping[str, Distribution],
    c: _Collector,
    files: Mapping[str, str] | None = None,
) -> _Shocked:
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
        ilo, ihi = _lower(impact), _upper(impact)
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
            shown_i = _num(i) if impact.is_fixed else f"{'down' if i == ilo else 'up'} to {_num(i)}"
            giving = (
                _num(results[j])
                if impact.is_fixed and lo == hi
                else (f"{'as little as' if low_side else 'up to'} {_num(results[j])}")
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


# Rules across keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """The values each numeric input can take over every iteration: its distribution's practical
    range (:func:`_lower`, :func:`_upper`), widened by the risks that may shock it
    (:func:`_check_shocks`); a key the files do not give has its default.

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

    def file(self, path: str, c: _Collector) -> str | None:
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
        shown = f"{_num(value)} {unit}".rstrip()
        if lo == hi:
            default = self.given is not None and path not in self.given
            return f"{shown} (the default)" if default else shown
        shocks = self.shocked.get(path)
        risks = f" with {', '.join(shocks[2])}" if shocks is not None else ""
        return f"{'as little as' if low else 'up to'} {shown}{risks}"


def input_reach(scenario: Scenario) -> Reach:
    """The :class:`Reach` of a built scenario's inputs (risk shocks included), for the checks
    across keys of :mod:`simulation.engine.guards`."""
    shocked = _check_shocks(list(scenario.risks), scenario.inputs, _Collector(""))
    return Reach(scenario.inputs, shocked)


def _lever_on(options: Mapping[str, object], switch: str) -> bool:
    """Whether a lever of the response layer is used: its switch and ``response.enabled``."""
    return bool(options.get("response.enabled", True)) and bool(options.get(switch, True))


def _cross_checks(reach: Reach, options: Mapping[str, object], c: _Collector) -> None:
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


def _finite(x: object) -> bool:
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


def _numeric(value: object, key: str, c: _Collector) -> Distribution | None:
    """Parse a number or distribution table; every problem becomes a message on ``key``.

    Besides the catalogue's own checks, the distribution must give finite values at its extreme
    percentiles (1e-6 and 1 - 1e-6): parameters so large or small that scipy overflows are
    input problems, reported rather than raised.
    """
    big = _huge_int(value)
    if big is not None:
        c.add(key, f"{_num(big)} is outside the 64-bit integer range of TOML (about ±9.2e18)")
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


def _exact_integer(value: object, dist: Distribution) -> int:
    """A whole-number option (``simulation.seed``, ``simulation.iterations``) exactly as written:
    TOML integers are 64-bit, and a seed such as 2**53 + 1 must not be rounded through the float
    of the distribution catalogue (which would make two seeds give the same streams)."""
    if isinstance(value, dict) and value.get("dist") == "fixed":
        value = value.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(dist.mean())


def _plain(spec: schema.KeySpec, value: object, key: str, c: _Collector) -> object:
    """Validate a non-numeric key; return its value or None."""
    if spec.kind == "string":
        if not isinstance(value, str):
            c.add(key, f"must be a text, got {_type_name(value)}")
            return None
        if len(value) > 10_000:
            c.add(key, "is too long (more than 10,000 characters)")
            return None
        if not value.replace("\n", "").replace("\t", "").isprintable():
            c.add(key, f"must not contain control characters, got {_type_name(value)}")
            return None
        return value
    if spec.kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            shown = _type_name(value)
            hint = _suggest(value, spec.choices) if isinstance(value, str) else ""
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
        c.add(key, f"must be a date like 2027-01-01, got {_type_name(value)}")
        return None
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            quotes = " (without quotes)" if isinstance(value, str) else ""
            c.add(key, f"must be true or false{quotes}, got {_type_name(value)}")
            return None
        return value
    raise AssertionError(spec.kind)


def _section(
    name: str,
    table: object,
    c: _Collector,
    inputs: dict[str, Distribution],
    options: dict[str, object],
) -> None:
    specs = schema.section_keys(name)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        c.add(name, f"must be a table ([{name}]), got {_type_name(table)}")
        table = {}
    numeric_section = name in schema.MODEL_SECTIONS
    for key, value in table.items():
        path = f"{name}.{key}"
        spec = specs.get(key) or schema.prefix_spec(name, key)
        if spec is None:
            options_list = list(specs) + [p for s, p, _, _ in schema.PREFIX_KEYS if s == name]
            c.add(path, f"unknown key{_suggest(key, options_list)}")
            continue
        if spec.numeric:
            dist = _numeric(value, path, c)
            if dist is None:
                continue
            if not numeric_section and not dist.is_fixed:
                c.add(path, "must be a plain number (this section's values cannot be uncertain)")
                continue
            _check_value(dist, spec, path, c)
            if numeric_section:
                inputs[path] = dist
            elif spec.kind == "integer":
                options[path] = _exact_integer(value, dist)
            else:
                options[path] = dist.mean()
        else:
            v = _plain(spec, value, path, c)
            if v is not None:
                options[path] = v
    for key, spec in specs.items():
        path = spec.path
        if key in table:
            continue
        if spec.required:  # nobody gave it: reported on the extending (first) file
            unit = f", in {spec.unit}" if spec.unit else ""
            c.add(path, f"is required ({spec.doc}{unit})", c.file)
            continue
        if spec.default is None:
            continue
        if spec.numeric and numeric_section:
            inputs[path] = Fixed(float(spec.default))
        else:
            options[path] = spec.default


def _risks(
    entries: list[_Entry] | None,
    c: _Collector,
    inputs: dict[str, Distribution],
    horizon: float,
) -> tuple[list[Risk], _Shocked]:
    """Validate the risk register, then every parameter shock against its key's limits; returns
    the risks and the range of each shocked key (:func:`_check_shocks`)."""
    risks: list[Risk] = []
    seen: set[str] = set()
    files: dict[str, str] = {}
    for entry in entries or []:
        risk = _risk(entry, c, inputs, horizon, seen)
        if risk is not None:
            risks.append(risk)
            files[risk.name] = entry.file
    shocked = _check_shocks(risks, inputs, c, files)
    return risks, shocked


def _risk(
    item: _Entry,
    c: _Collector,
    inputs: dict[str, Distribution],
    horizon: float,
    seen: set[str],
) -> Risk | None:
    """Validate one ``[[risks]]`` entry; add its inputs; messages name the entry's own file."""
    allowed = list(schema.RISK_NUMERIC) + list(schema.RISK_TEXT)
    file, where, entry = item.file, item.label, item.value
    if not isinstance(entry, dict):
        c.add(where, f"must be a table, got {_type_name(entry)}", file)
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        c.add(f"{where}.name", "is required: a name of letters, digits and underscores", file)
        return None
    where = f"risks.{name}"
    if name in seen:
        c.add(where, "is defined twice", file)
        return None
    seen.add(name)
    for key in entry:
        if key not in allowed:
            c.add(f"{where}.{key}", f"unknown key{_suggest(key, allowed)}", file)
    modes = [k for k in ("adds_to", "scales", "event") if k in entry]
    if len(modes) != 1:
        c.add(where, "needs exactly one of 'adds_to', 'scales' or 'event'", file)
        return None
    mode = modes[0]
    target = entry[mode]
    if not isinstance(target, str):
        c.add(f"{where}.{mode}", f"must be a text, got {_type_name(target)}", file)
        return None
    risk: Risk
    if mode == "event":
        if target not in schema.RISK_EVENTS:
            c.add(
                f"{where}.event",
                f"must be one of {', '.join(schema.RISK_EVENTS)}, got '{target[:40]}'"
                f"{_suggest(target, schema.RISK_EVENTS)}",
                file,
            )
            return None
        risk = Risk(name=name, kind="event", event=target)
    else:
        spec = schema.BY_PATH.get(target)
        if spec is None and "." in target:
            spec = schema.prefix_spec(*target.split(".", 1))
        if spec is None or not spec.numeric or spec.section not in schema.MODEL_SECTIONS:
            known = [k.path for k in schema.KEYS if k.numeric]
            c.add(
                f"{where}.{mode}",
                f"'{target[:80]}' is not a numeric model input{_suggest(target, known)}",
                file,
            )
            return None
        if spec.structural:
            verb = "add to" if mode == "adds_to" else "scale"
            c.add(f"{where}.{mode}", f"a risk cannot {verb} {target}: {spec.structural}", file)
            return None
        if "impact" not in entry:
            c.add(f"{where}.impact", f"is required with '{mode}'", file)
            return None
        risk = Risk(name=name, kind=mode, target=target)  # type: ignore[arg-type]
    desc = entry.get("description", "")
    if isinstance(desc, str):
        risk = Risk(risk.name, risk.kind, risk.target, risk.event, desc)
    relative = _relative_to(entry, where, mode, target, c, file)
    if relative is None:
        return None
    if relative != "start":
        risk = Risk(risk.name, risk.kind, risk.target, risk.event, risk.description, relative)
    prob = entry.get("probability")
    if prob is None:
        c.add(f"{where}.probability", "is required (chance the risk occurs, within [0, 1])", file)
        return None
    if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 <= prob <= 1:
        shown = _num(prob) if isinstance(prob, int | float) else _type_name(prob)
        c.add(f"{where}.probability", f"must be a number within [0, 1], got {shown}", file)
        return None
    p = float(prob)
    inputs[risk.path("occurs")] = (
        Fixed(p) if p in (0.0, 1.0) else parse_distribution({"dist": "bernoulli", "p": p})
    )
    sub = _Collector(file)
    for key, field_spec in schema.RISK_FIELDS.items():
        if key in ("probability", "window_start_month", "window_end_month") or key not in entry:
            continue
        dist = _numeric(entry[key], f"{where}.{key}", sub)
        if dist is not None:
            _check_value(dist, field_spec, f"{where}.{key}", sub)
            inputs[risk.path(key)] = dist
    c.messages.extend(sub.messages)
    c.keys |= sub.keys
    if mode == "event":
        _event_fields(entry, where, target, risk, horizon, inputs, c, file)
    return risk


#: The milestones a timed event's window may count from.
RELATIVE_TO = ("start", "notice", "cutover")


def _relative_to(
    entry: Mapping[str, Any], where: str, mode: str, target: str, c: _Collector, file: str
) -> str | None:
    """The milestone an event's window counts from (``start`` when not given); None when the
    entry's value is refused (reported). ``target``: the event, or the key a shock changes."""
    value = entry.get("window_relative_to", "start")
    key = f"{where}.window_relative_to"
    if mode != "event":
        if "window_relative_to" in entry:
            c.add(
                key,
                f"only a timed event has a window; a risk that "
                f"{'adds to' if mode == 'adds_to' else 'scales'} {target} does so for the whole "
                "run (remove window_relative_to)",
                file,
            )
            return None
        return "start"
    if not isinstance(value, str) or value not in RELATIVE_TO:
        shown = _type_name(value)
        hint = _suggest(value, RELATIVE_TO) if isinstance(value, str) else ""
        c.add(
            key,
            f"must be one of {', '.join(RELATIVE_TO)} (the milestone the window's months count "
            f"from), got {shown}{hint}",
            file,
        )
        return None
    if value == "cutover" and target == "vendor_walkout":
        c.add(
            key,
            "a vendor walkout cannot be timed from cutover: the vendor has left by then (use "
            "start or notice)",
            file,
        )
        return None
    if value == "cutover" and target == "vendor_failure":
        c.add(
            key,
            "a vendor failure cannot be timed from cutover: the vendor has left by then (use "
            "start or notice)",
            file,
        )
        return None
    return value


def _event_fields(
    entry: Mapping[str, Any],
    where: str,
    event: str,
    risk: Risk,
    horizon: float,
    inputs: dict[str, Distribution],
    c: _Collector,
    file: str,
) -> None:
    """Timing window (months) and the required fields of a timed event."""
    start = entry.get("window_start_month", 0)
    end = entry.get("window_end_month", min(12.0, horizon))
    ok = True
    for key, val in (("window_start_month", start), ("window_end_month", end)):
        if not (_finite(val) and 0 <= val <= schema.LONG_MONTHS):
            shown = _num(val) if isinstance(val, int | float) else _type_name(val)
            c.add(
                f"{where}.{key}",
                f"must be a number of months within [0, {schema.LONG_MONTHS}], got {shown}",
                file,
            )
            ok = False
    if ok and start > end:
        c.add(
            where,
            f"window_start_month ({start:g}) must be <= window_end_month ({end:g})",
            file,
        )
        ok = False
    if ok:
        inputs[risk.path("at_month")] = (
            Fixed(float(start))
            if start == end
            else parse_distribution({"dist": "uniform", "low": start, "high": end})
        )
    needed = {
        "staff_loss": "agents",
        "ticket_surge": "extra_tickets_per_day",
        "vendor_walkout": "level",
        "hiring_freeze": "duration_days",
        "vendor_failure": None,  # the event itself is all: the vendor exits at short notice
    }[event]
    if needed is not None and needed not in entry:
        c.add(f"{where}.{needed}", f"is required for event '{event}'", file)
    if event == "ticket_surge" and "duration_days" not in entry:
        c.add(f"{where}.duration_days", "is required for event 'ticket_surge'", file)


#: Keys of one ``[[waves]]`` entry.
WAVE_KEYS = ("name", "share", "earliest_month", "description")


def _waves(
    entries: list[_Entry] | None,
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    horizon: float,
    c: _Collector,
) -> tuple[Wave, ...]:
    """Validate ``[[waves]]`` against ``policy.strategy``: the waves of a ``"waves"`` strategy,
    in order, their shares summing to at most 1 (the rest stays with the vendor); none under
    any other strategy."""
    strategy = options.get("policy.strategy", "big_bang")
    if strategy != "waves":
        if entries:
            c.add(
                "waves",
                f"[[waves]] are read only under policy.strategy = 'waves' (it is '{strategy}')",
                entries[0].file,
            )
        retained = inputs.get("policy.retained_share")
        if retained is not None and strategy != "selective" and _upper(retained) > 0.0:
            c.add("policy.retained_share", "is read only under policy.strategy = 'selective'")
        elif retained is not None and strategy == "selective" and _upper(retained) >= 1.0:
            c.add(
                "policy.retained_share",
                "must be < 1 (a part must be taken back; to keep everything use strategy 'stay')",
            )
        elif retained is not None and strategy == "selective" and _lower(retained) > 0.0:
            agents = inputs.get("vendor.agents")
            n = round(_lower(agents)) if agents is not None else 0
            low = _lower(retained)
            kept = n - math.floor(n * (1.0 - low) + 0.5)
            if n > 0 and kept < 1:
                c.add(
                    "policy.retained_share",
                    f"keeps no vendor agent: {low:g} of the vendor's {n} agents rounds to 0, "
                    "so the part kept would be paid for and served by nobody (use at least "
                    f"{0.5 / n:.2g}, or strategy 'big_bang')",
                )
        return ()
    if not entries:
        c.add("waves", "policy.strategy = 'waves' needs at least one [[waves]] table")
        return ()
    waves: list[Wave] = []
    seen: set[str] = set()
    for item in entries:
        file, where, entry = item.file, item.label, item.value
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {_type_name(entry)}", file)
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            c.add(f"{where}.name", "is required: a name of letters, digits and underscores", file)
            continue
        where = f"waves.{name}"
        if name in seen:
            c.add(where, "is defined twice", file)
            continue
        seen.add(name)
        for key in entry:
            if key not in WAVE_KEYS:
                c.add(f"{where}.{key}", f"unknown key{_suggest(key, WAVE_KEYS)}", file)
        share = entry.get("share")
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
            shown = _num(share) if isinstance(share, int | float) else _type_name(share)
            c.add(
                f"{where}.share",
                f"is required: the wave's share of demand and domains, within (0, 1], got {shown}",
                file,
            )
            continue
        month = entry.get("earliest_month", 0)
        if (
            not isinstance(month, int | float)
            or isinstance(month, bool)
            or not 0 <= month <= horizon
        ):
            shown = _num(month) if isinstance(month, int | float) else _type_name(month)
            c.add(
                f"{where}.earliest_month",
                f"must be a month within [0, {horizon:g}] (the horizon), got {shown}",
                file,
            )
            continue
        if waves and month < waves[-1].earliest_month:
            c.add(
                f"{where}.earliest_month",
                f"waves cut over one after another: {month:g} is before the earliest month of "
                f"the wave before it ({waves[-1].earliest_month:g})",
                file,
            )
            continue
        waves.append(Wave(name, float(share), float(month)))
    total = sum(w.share for w in waves)
    if total > 1.0 + 1e-9:
        shares = " + ".join(f"{w.share:g}" for w in waves)
        c.add(
            "waves",
            f"the waves' shares must sum to at most 1 (the rest stays with the vendor), got "
            f"{shares} = {total:g}",
        )
    return tuple(waves)


def _correlations(
    entries: list[_Entry] | None,
    c: _Collector,
    inputs: Mapping[str, Distribution],
    invalid: Collection[str] = (),
) -> list[Correlation]:
    """Validate ``[[correlations]]``; inputs in ``invalid`` (given, but with a value already
    reported as wrong) make an entry silently skipped rather than reported twice."""
    out: list[Correlation] = []
    seen: set[frozenset[str]] = set()
    for item in entries or []:
        where, entry, file = item.label, item.value, item.file
        if not isinstance(entry, dict):
            c.add(where, f"must be a table, got {_type_name(entry)}", file)
            continue
        try:
            rec = _CorrelationEntry.model_validate(entry)
        except ValidationError as exc:
            for loc, msg in _pydantic_messages(exc):
                if loc.startswith("rank"):
                    rank = entry.get("rank")
                    shown = _num(rank) if isinstance(rank, int | float) else _type_name(rank)
                    msg = f"must be a number within [-1, 1], got {shown}"
                if loc.startswith("between"):
                    loc, msg = "between", 'must list two inputs, e.g. ["a.b", "c.d"]'
                c.add(f"{where}.{loc}", msg, file)
            continue
        a, b = rec.between
        if a in invalid or b in invalid:
            continue
        bad = False
        for name in (a, b):
            dist = inputs.get(name)
            if dist is None:
                c.add(
                    f"{where}.between",
                    f"'{name[:80]}' is not an input{_suggest(name, list(inputs))}",
                    file,
                )
                bad = True
            elif dist.is_fixed:
                c.add(
                    f"{where}.between",
                    f"'{name}' is fixed: only uncertain inputs can correlate",
                    file,
                )
                bad = True
        if bad:
            continue
        if a == b:
            c.add(f"{where}.between", f"'{a}' cannot be correlated with itself", file)
            continue
        pair = frozenset((a, b))
        if pair in seen:
            c.add(f"{where}.between", f"the pair {a} ~ {b} is given twice", file)
            continue
        seen.add(pair)
        out.append(Correlation(a, b, float(rec.rank)))
    return out


def _targets(table: object, c: _Collector) -> list[Target]:
    if table is None:
        return []
    if not isinstance(table, dict):
        c.add("targets", f"must be a table ([targets]), got {_type_name(table)}")
        return []
    out = []
    for metric, value in table.items():
        key = f"targets.{metric}"
        if metric not in TARGET_METRICS:
            c.add(key, f"unknown output{_suggest(metric, TARGET_METRICS)}")
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {"at_most": value}
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or not set(value) <= {"at_most", "at_least"}
        ):
            c.add(key, "must be a number (at most) or { at_most = x } or { at_least = x }")
            continue
        ((kind, limit),) = value.items()
        if not _finite(limit) or abs(limit) > 1e300:
            shown = _num(limit) if isinstance(limit, int | float) else _type_name(limit)
            c.add(key, f"{kind} must be a finite number, got {shown}")
            continue
        out.append(
            Target(metric, float(limit), None)
            if kind == "at_most"
            else Target(metric, None, float(limit))
        )
    return out


def _fee_checks(
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    risks: Collection[Risk],
    c: _Collector,
) -> None:
    """The status-quo keys that depend on each other: a per-ticket fee needs its price and a
    fixed fee must not have one (a price given without ``fee_model = "per_ticket"`` would be
    ignored); a vendor that can miss the SLA needs the lateness of its late tickets. A missing
    key is reported on the extending (first) file, as a missing required key is."""
    per_ticket = options.get("vendor.fee_model", "fixed") == "per_ticket"
    price = "vendor.price_per_ticket"
    if per_ticket and price not in inputs and price not in c.keys:
        c.add(
            price, "is required with vendor.fee_model = 'per_ticket' (currency per ticket)", c.file
        )
    if not per_ticket and price in inputs:
        c.add(
            price,
            "is used only with vendor.fee_model = 'per_ticket' (the fee model is 'fixed': set "
            "fee_model = 'per_ticket' or remove the price)",
        )
    late = "vendor.late_days"
    switching = options.get("incoming.kind", "in_house") == "vendor"
    for key in ("vendor.sla_compliance", "incoming.sla_compliance", "staffing.sla_compliance"):
        if key.startswith("incoming.") and not switching:
            continue
        compliance = inputs.get(key)
        can_be_late = (compliance is not None and _lower(compliance) < 1.0) or any(
            r.target == key for r in risks
        )
        if can_be_late and late not in inputs and late not in c.keys:
            c.add(
                late,
                f"is required when {key} can be below 1 (mean working days beyond the SLA of "
                "a late vendor ticket)",
                c.file,
            )


def _size_checks(
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    horizon: float,
    n_risks: int,
    c: _Collector,
) -> int:
    """Refuse iteration counts and horizons above their limits (schema ``maximum``), stating
    the memory they would take (:func:`simulation.scenario.size.per_iteration_bytes`); return the
    iterations. Whether a run fits the machine's memory is checked when it starts
    (:mod:`simulation.engine.memory`)."""
    iterations = options.get("simulation.iterations", 1000)
    iterations = int(iterations) if isinstance(iterations, int | float) else 1000
    uncertain = sum(1 for d in inputs.values() if not d.is_fixed)
    per_iteration = per_iteration_bytes(min(horizon, 1e9), uncertain, n_risks)
    series = 4 * _MONTHLY_SERIES * min(horizon, 1e9)
    if iterations > MAX_ITERATIONS:
        c.add(
            "simulation.iterations",
            f"must be at most {MAX_ITERATIONS:,} (got {_num(iterations)}): the results would "
            f"need about {_bytes(iterations * per_iteration)} of memory",
        )
    if horizon > MAX_HORIZON_MONTHS:
        months = _num(horizon)
        c.add(
            "scenario.horizon_months",
            f"must be at most {MAX_HORIZON_MONTHS} months ({MAX_HORIZON_MONTHS // 12} years), got "
            f"{months}: every iteration keeps {_MONTHLY_SERIES} monthly series (about "
            f"{_bytes(series)} per iteration, "
            f"{_bytes(series * min(iterations, MAX_ITERATIONS))} for "
            f"{min(iterations, MAX_ITERATIONS):,} iterations) and steps through every working "
            "day of the horizon",
        )
    return iterations


def value_problems(path: str, dist: Distribution) -> list[str]:
    """What is wrong with one value (or distribution) of the numeric input ``path``: its key's
    bound, maximum (the horizon's and the iteration count's included) and whole-number kind,
    each as ``"<what was expected>"``; empty when it is fine or the key is unknown."""
    spec = schema.input_spec(path)
    if spec is None:
        return []
    c = _Collector("")
    _check_value(dist, spec, "", c)
    if path in _SIZE_KEYS:
        _check_limit(dist, spec, "", c)
    return c.messages


def check_inputs(scenario: Scenario) -> list[str]:
    """Every problem of a built scenario's inputs, as ``"<key>: <what was expected>"``: each
    value against its key's limits (:func:`value_problems`), each risk shock against its
    key's limits, the rules across keys (:func:`_cross_checks`) and the status-quo keys that
    depend on each other — the checks a scenario file passes, for a scenario changed after
    loading (a sweep's settings)."""
    c = _Collector("")
    for path, dist in scenario.inputs.items():
        for problem in value_problems(path, dist):
            c.add(path, problem)
    shocked = _check_shocks(list(scenario.risks), scenario.inputs, c)
    _cross_checks(Reach(scenario.inputs, shocked), scenario.options, c)
    _fee_checks(scenario.options, scenario.inputs, scenario.risks, c)
    return c.messages


def _combined_sha256(chain: list[_Layer]) -> str:
    if len(chain) == 1:
        return chain[0].sha256
    joined = "\n".join(layer.sha256 for layer in chain)
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def parse_scenario(
    data: Mapping[str, Any], file: str, sha256: str = "", raw: bytes = b""
) -> Scenario:
    """Validate a parsed TOML document and build the :class:`Scenario` (all errors at once).

    ``file`` is the document's path (used in messages and to resolve ``extends``, whose base
    files are read from disk); ``sha256`` is the hex digest of the document's bytes and ``raw``
    the bytes themselves (kept in :attr:`Scenario.sources`).
    """
    first = _Layer(file, data, sha256, _identity(Path(file)), raw)
    chain = _extends_chain(first)
    try:
        return _build(chain)
    except RecursionError:
        raise ScenarioError(f"{file}: values are nested too deeply") from None


def _build(chain: list[_Layer]) -> Scenario:
    file = chain[0].file
    merged = _merge(chain)
    data = merged.tables
    c = _Collector(file, merged.origins)
    c.messages.extend(merged.messages)
    for key in data:
        if key not in schema.TOP_LEVEL:
            c.add(key, f"unknown section{_suggest(key, schema.TOP_LEVEL)}")
    inputs: dict[str, Distribution] = {}
    options: dict[str, object] = {}
    for section in ("scenario", "simulation", *schema.MODEL_SECTIONS[1:]):
        _section(section, data.get(section), c, inputs, options)
    horizon_dist = inputs.get("scenario.horizon_months")
    horizon = horizon_dist.mean() if horizon_dist is not None else 60.0
    if horizon_dist is not None and not horizon_dist.is_fixed:
        c.add("scenario.horizon_months", "must be a plain number (the horizon cannot be uncertain)")
        horizon = min(horizon, MAX_HORIZON_MONTHS)
    for name in _MERGED_ARRAYS:
        if name in data:
            kind = f"[[{name}]] tables"
            c.add(name, f"must be a list of {kind}, got {_type_name(data[name])}")
    risks, shocked = _risks(merged.arrays.get("risks"), c, inputs, horizon)
    given = {
        f"{section}.{key}"
        for section in schema.MODEL_SECTIONS
        if isinstance(data.get(section), dict)
        for key in data[section]
    }
    _cross_checks(Reach(inputs, shocked, frozenset(given)), options, c)
    correlations = _correlations(merged.arrays.get("correlations"), c, inputs, given - set(inputs))
    _fee_checks(options, inputs, risks, c)
    targets = _targets(data.get("targets"), c)
    waves = _waves(merged.arrays.get("waves"), options, inputs, horizon, c)
    iterations = _size_checks(options, inputs, horizon, len(risks), c)
    sampler = str(options.get("simulation.sampler", "lhs"))
    if sampler not in SAMPLERS:  # pragma: no cover - guarded by the schema's choices
        c.add("simulation.sampler", f"must be one of {', '.join(SAMPLERS)}")
    seed_opt = options.get("simulation.seed")
    if c.messages:
        raise ScenarioError(c.messages)
    return Scenario(
        path=file,
        sha256=_combined_sha256(chain),
        name=str(options.get("scenario.name", Path(file).stem)),
        inputs=freeze(inputs),  # type: ignore[arg-type]
        options=freeze(options),
        risks=tuple(risks),
        correlations=tuple(correlations),
        targets=tuple(targets),
        waves=waves,
        iterations=iterations,
        seed=None if seed_opt is None else int(seed_opt),  # type: ignore[call-overload]
        sampler=sampler,
        files=tuple(layer.file for layer in chain),
        sources=tuple((layer.file, layer.raw) for layer in chain),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and build a scenario (following ``extends``); raises
    :class:`ScenarioError` listing every problem, each message starting with a file path."""
    data, raw = read_toml(path)
    return parse_scenario(data, str(path), hashlib.sha256(raw).hexdigest(), raw)
