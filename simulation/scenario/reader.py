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

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulation.distributions.families import Distribution
from simulation.errors import ScenarioError
from simulation.scenario import schema
from simulation.scenario.checks import SIZE_KEYS, check_limit, check_shocks, check_value
from simulation.scenario.cross_checks import Reach, cross_checks
from simulation.scenario.extends import (
    MERGED_ARRAYS,
    Layer,
    extends_chain,
    file_identity,
    merge_layers,
    read_toml,
)
from simulation.scenario.messages import Collector, suggestion, type_name
from simulation.scenario.risks import read_risks
from simulation.scenario.run_options import SAMPLERS
from simulation.scenario.sections import (
    MAX_HORIZON_MONTHS,
    fee_checks,
    read_correlations,
    read_section,
    read_targets,
    size_checks,
)
from simulation.scenario.types import Scenario, freeze
from simulation.scenario.waves import read_waves

# pydantic records for the small structured tables ------------------------------------------------


# Reading files and resolving `extends` ------------------------------------------------------------


# Merging an `extends` chain -------------------------------------------------------------------


# Values -------------------------------------------------------------------------------------------


# Risk shocks (adds_to / scales) ---------------------------------------------------------------


# Rules across keys ----------------------------------------------------------------------------


def value_problems(path: str, dist: Distribution) -> list[str]:
    """What is wrong with one value (or distribution) of the numeric input ``path``: its key's
    bound, maximum (the horizon's and the iteration count's included) and whole-number kind,
    each as ``"<what was expected>"``; empty when it is fine or the key is unknown."""
    spec = schema.input_spec(path)
    if spec is None:
        return []
    c = Collector("")
    check_value(dist, spec, "", c)
    if path in SIZE_KEYS:
        check_limit(dist, spec, "", c)
    return c.messages


def check_inputs(scenario: Scenario) -> list[str]:
    """Every problem of a built scenario's inputs, as ``"<key>: <what was expected>"``: each
    value against its key's limits (:func:`value_problems`), each risk shock against its
    key's limits, the rules across keys (:func:`cross_checks`) and the status-quo keys that
    depend on each other — the checks a scenario file passes, for a scenario changed after
    loading (a sweep's settings)."""
    c = Collector("")
    for path, dist in scenario.inputs.items():
        for problem in value_problems(path, dist):
            c.add(path, problem)
    shocked = check_shocks(list(scenario.risks), scenario.inputs, c)
    cross_checks(Reach(scenario.inputs, shocked), scenario.options, c)
    fee_checks(scenario.options, scenario.inputs, scenario.risks, c)
    return c.messages


def _combined_sha256(chain: list[Layer]) -> str:
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
    first = Layer(file, data, sha256, file_identity(Path(file)), raw)
    chain = extends_chain(first)
    try:
        return _build(chain)
    except RecursionError:
        raise ScenarioError(f"{file}: values are nested too deeply") from None


def _build(chain: list[Layer]) -> Scenario:
    file = chain[0].file
    merged = merge_layers(chain)
    data = merged.tables
    c = Collector(file, merged.origins)
    c.messages.extend(merged.messages)
    for key in data:
        if key not in schema.TOP_LEVEL:
            c.add(key, f"unknown section{suggestion(key, schema.TOP_LEVEL)}")
    inputs: dict[str, Distribution] = {}
    options: dict[str, object] = {}
    for section in ("scenario", "simulation", *schema.MODEL_SECTIONS[1:]):
        read_section(section, data.get(section), c, inputs, options)
    horizon_dist = inputs.get("scenario.horizon_months")
    horizon = horizon_dist.mean() if horizon_dist is not None else 60.0
    if horizon_dist is not None and not horizon_dist.is_fixed:
        c.add("scenario.horizon_months", "must be a plain number (the horizon cannot be uncertain)")
        horizon = min(horizon, MAX_HORIZON_MONTHS)
    for name in MERGED_ARRAYS:
        if name in data:
            kind = f"[[{name}]] tables"
            c.add(name, f"must be a list of {kind}, got {type_name(data[name])}")
    risks, shocked = read_risks(merged.arrays.get("risks"), c, inputs, horizon)
    given = {
        f"{section}.{key}"
        for section in schema.MODEL_SECTIONS
        if isinstance(data.get(section), dict)
        for key in data[section]
    }
    cross_checks(Reach(inputs, shocked, frozenset(given)), options, c)
    correlations = read_correlations(
        merged.arrays.get("correlations"), c, inputs, given - set(inputs)
    )
    fee_checks(options, inputs, risks, c)
    targets = read_targets(data.get("targets"), c)
    waves = read_waves(merged.arrays.get("waves"), options, inputs, horizon, c)
    iterations = size_checks(options, inputs, horizon, len(risks), c)
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
