"""The input matrix: uniform percentiles (random / Latin hypercube / scrambled Sobol), rank
correlations imposed with Iman–Conover (:mod:`simulation.sampling.correlations`), and each column
mapped through its distribution's ``ppf``.

The whole matrix (iterations × uncertain inputs) is drawn once, before any model run. Values are
in the units of each input's scenario key.

Random streams and common random numbers (CRN)
----------------------------------------------
* ``random`` and ``lhs``: each input's column of uniform percentiles comes from its own stream,
  ``default_rng(SeedSequence(seed, spawn_key=(0, stable_int(name))))``, keyed by the input's
  dotted name (:func:`stable_int`: the first 8 bytes of the name's SHA-256, little-endian; never
  Python's salted ``hash``). An LHS column is ``(permutation of 0..n-1 + uniform jitter) / n``
  drawn from that stream. So the same input gets exactly the same column for the same
  (seed, n, sampler) whatever other inputs a scenario has — two scenarios that differ in one key
  (fixed by a sweep, a risk switched off, an extra input) share every other column.
* Correlated inputs: Iman–Conover reorders the correlated columns (taken in sorted name order)
  with the stream ``SeedSequence(seed, spawn_key=(2, stable_int(key)))``, ``key`` being the
  sorted list of correlated pairs (``"a~b;c~d"``, each pair's names sorted). Scenarios with the
  same correlations therefore reorder the same columns the same way; a scenario whose
  correlation list differs reorders its correlated columns differently (CRN is lost for those
  columns only).
* ``sobol``: a joint (n × k) scrambled Sobol' design from
  ``default_rng(SeedSequence(seed, spawn_key=(0,)))``. Its columns depend on k and on the order
  of the inputs, so CRN across scenarios with different uncertain inputs is *not* guaranteed
  with ``sobol`` (it is for identical input lists).
* Iteration ``i``'s model stream (Philox keyed by ``SeedSequence(seed, spawn_key=(1,))``, counter
  block ``i``; see :mod:`simulation.sampling.seeds`) is the engine's.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.random import Generator
from numpy.typing import NDArray
from scipy.stats import qmc

from simulation.distributions.families import Distribution
from simulation.sampling.correlations import correlation_target, iman_conover
from simulation.sampling.seeds import fresh_seed
from simulation.scenario.run_options import SAMPLERS, RunOptions
from simulation.scenario.types import Correlation

if TYPE_CHECKING:
    from simulation.scenario.types import Scenario

FloatArray = NDArray[np.float64]


#: Percentiles are kept this far from 0 and 1 so that every ``ppf`` is finite (Sobol points and
#: ``Generator.random`` can be exactly 0). Far below one LHS stratum for any feasible n.
_EDGE = 1e-12


# Uniform percentiles -----------------------------------------------------------------------------


def uniform_percentiles(n: int, k: int, sampler: str, rng: Generator) -> FloatArray:
    """An (n, k) array of uniform percentiles strictly inside (0, 1).

    ``random``: independent draws; ``lhs``: Latin hypercube (each of the n equal strata of every
    column holds exactly one point); ``sobol``: scrambled Sobol' points (any n; the balance
    properties are best when n is a power of two).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler '{sampler}' (one of: {', '.join(SAMPLERS)})")
    if n < 0 or k < 0:
        raise ValueError(f"n and k must be >= 0 (got n={n}, k={k})")
    if n == 0 or k == 0:
        return np.empty((n, k), dtype=np.float64)
    if sampler == "random":
        u = rng.random((n, k))
    elif sampler == "lhs":
        u = qmc.LatinHypercube(d=k, rng=rng).random(n)
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=".*balance properties.*", category=UserWarning
            )
            u = qmc.Sobol(d=k, scramble=True, rng=rng).random(n)
    return np.clip(np.asarray(u, dtype=np.float64), _EDGE, 1.0 - _EDGE)


def stable_int(name: str) -> int:
    """A stable 64-bit integer of a text: the first 8 bytes of its SHA-256, little-endian.

    Unlike Python's ``hash`` it is the same in every process and on every machine.
    """
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def input_stream(seed: int, name: str) -> Generator:
    """The stream of one uncertain input's column: ``SeedSequence(seed, (0, stable_int(name)))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, stable_int(name))))


def correlation_stream(seed: int, correlations: Sequence[Correlation]) -> Generator:
    """The Iman–Conover stream, keyed by the sorted list of correlated pairs (names only)."""
    key = ";".join(sorted("~".join(sorted((c.a, c.b))) for c in correlations))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, stable_int(key))))


def lhs_column(n: int, rng: Generator) -> FloatArray:
    """One Latin-hypercube column: ``(random permutation of 0..n-1 + uniform jitter) / n``, so
    each of the n equal strata of (0, 1) holds exactly one point."""
    return (rng.permutation(n) + rng.random(n)) / n


def named_percentiles(n: int, names: Sequence[str], sampler: str, seed: int) -> FloatArray:
    """An (n, len(names)) array of uniform percentiles strictly inside (0, 1), column j for
    input ``names[j]``.

    ``random`` / ``lhs``: column j depends only on (seed, names[j], n, sampler), drawn from
    :func:`input_stream`; ``sobol``: the joint design of :func:`uniform_percentiles` from
    ``SeedSequence(seed, spawn_key=(0,))`` (see the module notes on CRN).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler '{sampler}' (one of: {', '.join(SAMPLERS)})")
    k = len(names)
    if sampler == "sobol" or n == 0 or k == 0:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
        return uniform_percentiles(n, k, sampler, rng)
    u = np.empty((n, k), dtype=np.float64)
    for j, name in enumerate(names):
        rng = input_stream(seed, name)
        u[:, j] = lhs_column(n, rng) if sampler == "lhs" else rng.random(n)
    return np.clip(u, _EDGE, 1.0 - _EDGE)


# The input matrix --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class InputMatrix:
    """Sampled uncertain inputs: ``values[i, j]`` is input ``names[j]`` (in its key's units) in
    iteration ``i``. ``warnings`` holds user-facing notes (e.g. a repaired correlation matrix);
    ``seed`` is the root seed the matrix was drawn from (None when not known)."""

    names: tuple[str, ...]
    values: FloatArray
    warnings: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def n(self) -> int:
        """Number of iterations (rows)."""
        return int(self.values.shape[0])

    def row(self, i: int) -> dict[str, float]:
        """Iteration ``i``'s values by dotted path."""
        return dict(zip(self.names, (float(v) for v in self.values[i]), strict=True))

    def column(self, name: str) -> FloatArray:
        """All iterations' values of one input."""
        return np.asarray(self.values[:, self.names.index(name)])

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame with columns ``in.<dotted path>``."""
        return pd.DataFrame(self.values, columns=[f"in.{name}" for name in self.names])


def draw_inputs(
    inputs: Mapping[str, Distribution],
    names: Sequence[str],
    correlations: Sequence[Correlation],
    n: int,
    seed: int,
    sampler: str = "lhs",
    strict: bool = False,
) -> InputMatrix:
    """Draw the whole input matrix (n iterations × the uncertain inputs ``names``) at once.

    Uniform percentiles from :func:`named_percentiles` (one stream per input for ``random`` /
    ``lhs``), the correlated columns (in sorted name order) reordered by Iman–Conover to the
    requested rank correlations with :func:`correlation_stream` (a monotone ppf keeps the
    ranks), then each column through its distribution's ``ppf``.
    """
    names = tuple(names)
    u = named_percentiles(n, names, sampler, seed)
    notes: tuple[str, ...] = ()
    if correlations:
        target, notes = correlation_target(names, correlations, strict)
        involved = {c.a for c in correlations} | {c.b for c in correlations}
        cols = sorted((names.index(p) for p in involved), key=lambda j: names[j])
        sub = np.ix_(cols, cols)
        u[:, cols] = iman_conover(u[:, cols], target[sub], correlation_stream(seed, correlations))
    values = np.empty((n, len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        values[:, j] = inputs[name].ppf(u[:, j])
    values.flags.writeable = False
    return InputMatrix(names, values, notes, seed)


def sample_inputs(
    scenario: Scenario,
    iterations: int | None = None,
    *,
    seed: int | None = None,
    sampler: str | None = None,
    strict: bool = False,
) -> InputMatrix:
    """The uncertain inputs of ``scenario``, drawn exactly as a run of the same design draws
    them, without running the model (what ``simulate inputs`` shows).

    ``iterations`` defaults to the scenario's ``simulation.iterations``, ``seed`` to its
    ``simulation.seed`` or else a fresh one (the seed used is the result's ``seed``),
    ``sampler`` to its ``simulation.sampler``. ``strict`` refuses inconsistent rank
    correlations instead of repairing them. Bad values are refused as by
    :class:`~simulation.scenario.run_options.RunOptions`.
    """
    options = RunOptions(iterations, seed=seed, sampler=sampler, strict=strict)
    root = options.seed if options.seed is not None else scenario.seed
    return draw_inputs(
        scenario.inputs,
        scenario.uncertain,
        scenario.correlations,
        options.iterations or scenario.iterations,
        fresh_seed() if root is None else root,
        options.sampler or scenario.sampler,
        strict=strict,
    )
