"""Fuzzing the scenario reader with hypothesis.

Property: for any document, ``parse_scenario`` / ``load_scenario`` either returns a ``Scenario``
or raises ``ScenarioError`` whose messages are non-empty strings, each starting with the file's
path; no other exception escapes, and each example finishes within hypothesis's own deadline
(1 s). The documents are built as Python dicts by hypothesis strategies and serialised by the
small TOML writer below (``tomllib`` only reads); a round trip through ``tomllib`` checks the
writer itself.

Budget: a fixed number of examples (``derandomize=True``), about 250 in all.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.distributions.parsing import CATALOGUE
from simulation.errors import ScenarioError
from simulation.scenario import schema
from simulation.scenario.reader import load_scenario, parse_scenario
from simulation.scenario.types import Scenario

FILE = "fuzz/scenario.toml"

# the strategies below are nested deeply; hypothesis warns when it builds their repr
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FUZZ = settings(
    max_examples=60,
    deadline=1000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A small TOML writer ---------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(type(value))


def to_toml(doc: Mapping[str, Any]) -> str:
    """Serialise a document: scalars and inline tables first, then ``[table]`` and
    ``[[array]]`` sections (an array of tables needs a list of dicts)."""
    head: list[str] = []
    body: list[str] = []
    for key, value in doc.items():
        name = _toml_string(key)
        if isinstance(value, dict):
            body.append(f"[{name}]")
            body += [f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                body.append(f"[[{name}]]")
                body += [f"{_toml_string(k)} = {_toml_value(v)}" for k, v in entry.items()]
        else:
            head.append(f"{name} = {_toml_value(value)}")
    return "\n".join(head + body) + "\n"


# Strategies --------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "scenario": {"name": "fuzz", "horizon_months": 24},
    "simulation": {"iterations": 100, "seed": 1},
    "vendor": {"agents": 4, "tickets_per_agent_day": 10, "monthly_fee": 20000},
    "demand": {"tickets_per_day": 30},
    "staffing": {
        "target_agents": 4,
        "tickets_per_agent_day": 10,
        "salary_per_year": 50000,
        "time_to_hire_days": {"dist": "pert", "min": 10, "mode": 20, "max": 40},
    },
    "knowledge": {"domains": 4},
}

SECTIONS = sorted({k.section for k in schema.KEYS})
KEYS_BY_SECTION = {s: sorted(schema.section_keys(s)) for s in SECTIONS}
DIST_FIELDS = sorted({f for fam in CATALOGUE.values() for f in fam.fields} | {"p10", "p90", "p5"})

# hypothesis favours the first entries of a list and the first branch of one_of: the nastiest
# values come first so that a small, fixed budget still meets them
EXTREMES = [10**400, float("nan"), float("inf"), 2**63, 1e308, 5e-324, -(10**400), float("-inf")]
EXTREMES += [-(2**63) - 1, 1e-308, 1e300, -1e308, 1e-12, 1e12, 10**12, 0, 1, -1, 0.0, -0.0, 0.5]
numbers = st.one_of(
    st.sampled_from(EXTREMES),
    st.integers(min_value=-3, max_value=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(min_value=1e-6, max_value=1e6),
)
texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=300),
    st.integers(10_000, 30_000).map(lambda n: "x" * n),
    st.sampled_from(["../../etc/passwd", "__import__('os')", "{{ 7*7 }}", "\x1b[2J", "é😀"]),
)
scalars = st.one_of(
    numbers,
    texts,
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)


#: Finite numbers, often extreme: what a distribution's fields are drawn from.
_FINITE_EXTREMES = [10**400, 1e308, 5e-324, 2**63, 1e-308, 1e-300, 1e300, 1e-12, 1e12, 0, 1, 0.5]
finite = st.one_of(
    st.sampled_from(_FINITE_EXTREMES),
    st.sampled_from(_FINITE_EXTREMES[1:7]),
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-5, max_value=10**6),
)


def _sorted(n: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(finite, min_size=n, max_size=n).map(sorted)


def _bounds(draw: st.DrawFn) -> dict[str, Any]:
    """Optional truncation / clipping fields."""
    if not draw(st.booleans()):
        return {}
    low, high = draw(_sorted(2))
    out: dict[str, Any] = draw(st.sampled_from([{"low": low}, {"high": high}]))
    if draw(st.booleans()):
        out = {"low": low, "high": high}
    if draw(st.booleans()):
        out["clip"] = True
    return out


@st.composite
def family_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed table of one catalogue family (fields present, in order) with values that
    are often extreme; now and then one field dropped or a stray field added."""
    name = draw(st.sampled_from(sorted(CATALOGUE)))
    table: dict[str, Any] = {"dist": name}
    if name in ("triangular", "pert"):
        table.update(zip(("min", "mode", "max"), draw(_sorted(3)), strict=True))
        if name == "pert" and draw(st.booleans()):
            table["lambda"] = draw(finite)
        table.update(_bounds(draw))
    elif name == "uniform":
        table.update(zip(("low", "high"), draw(_sorted(2)), strict=True))
    elif name in ("normal", "lognormal", "gamma"):
        keys = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "gamma": ("mean", "sd")}
        fields = keys[name]
        if name == "lognormal" and draw(st.booleans()):
            q1, q2 = draw(
                st.lists(st.integers(1, 99), min_size=2, max_size=2, unique=True).map(sorted)
            )
            fields = (f"p{q1}", f"p{q2}")
            table.update(zip(fields, draw(_sorted(2)), strict=True))
        else:
            if name == "gamma" and draw(st.booleans()):
                fields = ("shape", "scale")
            table.update({f: abs(draw(finite)) for f in fields})
        table.update(_bounds(draw))
    elif name == "beta":
        table.update({"alpha": abs(draw(finite)), "beta": abs(draw(finite))})
        if draw(st.booleans()):
            table.update(zip(("low", "high"), draw(_sorted(2)), strict=True))
    elif name in ("discrete", "empirical"):
        n = draw(st.integers(1, 6))
        table["values"] = draw(st.lists(finite, min_size=n, max_size=n))
        if name == "discrete" and draw(st.booleans()):
            table["weights"] = draw(st.lists(finite.map(abs), min_size=n, max_size=n))
    elif name == "bernoulli":
        table["p"] = draw(st.one_of(st.floats(0, 1), finite))
    else:  # fixed
        table["value"] = draw(finite)
    if len(table) > 1 and draw(st.integers(0, 5)) == 0:
        del table[draw(st.sampled_from(sorted(k for k in table if k != "dist")))]
    if draw(st.integers(0, 5)) == 0:
        table[draw(st.sampled_from(DIST_FIELDS))] = draw(st.one_of(numbers, texts))
    return table


distributions = st.one_of(
    family_tables(),
    family_tables(),
    family_tables(),
    st.fixed_dictionaries(
        {"dist": st.one_of(st.sampled_from(sorted(CATALOGUE)), texts, numbers)},
        optional={
            f: st.one_of(numbers, st.lists(numbers, max_size=6), scalars) for f in DIST_FIELDS
        },
    ),
)
values = st.recursive(
    st.one_of(scalars, distributions),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
UNCERTAIN_PATHS = ["staffing.time_to_hire_days", "demand.tickets_per_day", "vendor.agents"]


@st.composite
def risk_entries(draw: st.DrawFn) -> dict[str, Any]:
    """A risk that is mostly well formed: a name, a probability, one kind, some event fields."""
    well_formed = draw(st.integers(0, 3)) > 0
    entry: dict[str, Any] = {
        "name": draw(st.sampled_from(["a", "b", "walkout"]))
        if well_formed
        else draw(st.one_of(texts, numbers)),
        "probability": draw(st.floats(0, 1))
        if well_formed
        else draw(st.one_of(numbers, distributions)),
    }
    kind = draw(st.sampled_from(["event", "event", "adds_to", "scales", "none", "both"]))
    if kind in ("event", "both"):
        events = st.sampled_from(list(schema.RISK_EVENTS))
        entry["event"] = draw(events if well_formed else st.one_of(events, texts))
    if kind in ("adds_to", "scales", "both"):
        entry[kind if kind != "both" else "scales"] = draw(
            st.one_of(st.sampled_from(sorted(schema.BY_PATH)), texts)
        )
        entry["impact"] = draw(st.one_of(numbers, distributions))
    fields = sorted(schema.RISK_NUMERIC)
    for key in draw(st.lists(st.sampled_from(fields), min_size=well_formed * 3, max_size=6)):
        entry[key] = draw(st.one_of(finite, finite, distributions, values))
    if draw(st.integers(0, 5)) == 0:
        entry[draw(st.one_of(st.just("remove"), st.text(max_size=8)))] = draw(scalars)
    return entry


correlation_entries = st.fixed_dictionaries(
    {
        "between": st.one_of(
            st.lists(st.sampled_from(UNCERTAIN_PATHS[:2]), min_size=2, max_size=2, unique=True),
            st.lists(st.sampled_from(UNCERTAIN_PATHS), min_size=2, max_size=2),
            st.lists(st.sampled_from([*UNCERTAIN_PATHS, "risks.a.occurs"]), max_size=3),
            st.lists(texts, max_size=3),
            values,
        ),
        "rank": st.one_of(st.floats(-1, 1), st.floats(-1, 1), numbers, values),
    },
    optional={"remove": st.one_of(st.booleans(), scalars), "extra": scalars},
)


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """The valid base with some keys changed, removed or added, and whole sections dropped."""
    doc: dict[str, Any] = {s: dict(t) for s, t in VALID.items()}
    doc["demand"]["tickets_per_day"] = {"dist": "uniform", "low": 20, "high": 40}
    for section in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=2, unique=True)):
        del doc[section]
    for _ in range(draw(st.integers(0, 6))):
        section = draw(st.one_of(st.sampled_from(SECTIONS), st.text(max_size=10)))
        table = doc.setdefault(section, {})
        if not isinstance(table, dict):
            continue
        known = KEYS_BY_SECTION.get(section) or ["x"]
        key = draw(st.one_of(st.sampled_from(known), st.sampled_from(known), st.text(max_size=30)))
        if draw(st.booleans()) and key in table:
            del table[key]
        else:
            table[key] = draw(st.one_of(finite, distributions, values))
    if draw(st.booleans()):
        doc["risks"] = draw(st.lists(risk_entries(), min_size=1, max_size=4))
    if draw(st.booleans()):
        doc["correlations"] = draw(st.lists(correlation_entries, min_size=1, max_size=3))
    if draw(st.booleans()):
        doc["targets"] = draw(
            st.dictionaries(
                st.one_of(st.sampled_from(["transition_months", "npv_savings"]), texts),
                st.one_of(
                    numbers,
                    st.fixed_dictionaries({}, optional={"at_most": numbers, "at_least": numbers}),
                    values,
                ),
                max_size=3,
            )
        )
    if draw(st.integers(0, 9)) == 0:
        doc[draw(st.sampled_from(["scenario", "risks", "targets", "extends"]))] = draw(scalars)
    return doc


def _check(load: Any, file: str) -> Scenario | None:
    try:
        return load()  # type: ignore[no-any-return]
    except ScenarioError as exc:
        assert exc.messages, "a ScenarioError must carry messages"
        for message in exc.messages:
            assert isinstance(message, str)
            assert message.startswith(f"{file}: ") and len(message) > len(file) + 2, message
        return None


# Tests -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def test_writer_round_trips() -> None:
    assert tomllib.loads(to_toml(VALID)) == VALID
    odd = {"s": {'a"\\\n\x01': ["é", 1.5, float("inf"), -0.0, dt.date(2027, 1, 4), {"x": True}]}}
    assert tomllib.loads(to_toml(odd)) == odd
    assert isinstance(parse_scenario(VALID, FILE), Scenario)


@FUZZ
@given(mutated_scenarios())
def test_mutated_scenarios(doc: dict[str, Any]) -> None:
    data = tomllib.loads(to_toml(doc))
    _check(lambda: parse_scenario(data, FILE), FILE)


@settings(FUZZ, max_examples=40)
@given(st.dictionaries(st.text(max_size=12), values, max_size=6))
def test_random_sections(doc: dict[str, Any]) -> None:
    """Arbitrary top-level documents: unknown sections, scalars where tables belong."""
    data = tomllib.loads(to_toml(doc))
    _check(lambda: parse_scenario(data, FILE), FILE)


@settings(FUZZ, max_examples=60)
@given(st.sampled_from(sorted(schema.BY_PATH)), distributions)
def test_random_distribution_tables(path: str, table: dict[str, Any]) -> None:
    """Every key with a random distribution table of random fields."""
    doc = {s: dict(t) for s, t in VALID.items()}
    section, key = path.split(".")
    doc.setdefault(section, {})[key] = table
    data = tomllib.loads(to_toml(doc))
    _check(lambda: parse_scenario(data, FILE), FILE)


MAGNITUDES = st.sampled_from(
    [5e-324, 1e-308, 1e-300, 1e-100, 1e-12, 1.0, 1e12, 1e100, 1e300, 1e308]
)


@settings(FUZZ, max_examples=50)
@given(
    st.sampled_from(
        [
            ("gamma", "mean", "sd"),
            ("gamma", "shape", "scale"),
            ("beta", "alpha", "beta"),
            ("lognormal", "mean", "sd"),
            ("lognormal", "p10", "p90"),
            ("lognormal", "p1", "p99"),
            ("normal", "mean", "sd"),
            ("pert", "mode", "lambda"),
        ]
    ),
    MAGNITUDES,
    MAGNITUDES,
)
def test_extreme_parameter_magnitudes(family: tuple[str, str, str], a: float, b: float) -> None:
    """Two-parameter families at the edges of the float range: scipy overflows there (found by
    this fuzzer: gamma from mean/sd, lognormal from percentiles, beta's ppf)."""
    name, first, second = family
    table: dict[str, Any] = {"dist": name, first: a, second: b}
    if first.startswith("p"):
        table[first], table[second] = min(a, b), max(a, b) * 2
    if name == "pert":
        table.update({"min": 0.0, "mode": min(a, 1.0), "max": 1.0})
    doc = {s: dict(t) for s, t in VALID.items()}
    doc["staffing"]["ramp_up_days"] = table
    _check(lambda: parse_scenario(doc, FILE), FILE)


@settings(FUZZ, max_examples=40)
@given(
    st.one_of(
        st.text(max_size=300).map(str.encode),
        st.binary(max_size=300),
        mutated_scenarios()
        .map(lambda doc: to_toml(doc).encode())
        .flatmap(lambda raw: st.integers(0, len(raw)).map(lambda n: raw[:n])),
        st.integers(1, 3000).map(lambda n: b"x = " + b"[" * n + b"]" * n),
        st.integers(1, 3000).map(lambda n: b"[scenario" + b".a" * n + b"]\nb = 1\n"),
    )
)
def test_raw_bytes_from_disk(folder: Path, raw: bytes) -> None:
    """Raw bytes (truncated documents, invalid UTF-8, deep nesting) read by ``load_scenario``."""
    path = folder / "raw.toml"
    path.write_bytes(raw)
    _check(lambda: load_scenario(path), str(path))


@settings(FUZZ, max_examples=30)
@given(mutated_scenarios(), mutated_scenarios())
def test_extends_pairs(folder: Path, base: dict[str, Any], child: dict[str, Any]) -> None:
    """A mutated child extending a mutated base: messages name one of the two files."""
    (folder / "base.toml").write_text(to_toml(base), encoding="utf-8")
    child = {"extends": "base.toml", **{k: v for k, v in child.items() if k != "extends"}}
    (folder / "child.toml").write_text(to_toml(child), encoding="utf-8")
    try:
        load_scenario(folder / "child.toml")
    except ScenarioError as exc:
        assert exc.messages
        starts = (f"{folder / 'child.toml'}: ", f"{folder / 'base.toml'}: ")
        assert all(m.startswith(starts) for m in exc.messages), exc.messages
