"""What runs a chunk of iterations, wherever it runs: the :class:`WorkerSpec` shipped to a worker
once, the :class:`ChunkWorker` that rebuilds each iteration's inputs and stream and runs the model
(outputs of up to :data:`OUTCOME_BATCH` runs computed together) into :class:`OutputArrays`, its
:class:`ChunkResult`, the :class:`SharedOutputs` a local pool writes into, and the in-process
:class:`Backend`."""

from __future__ import annotations

import copy
import mmap
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from simulation.errors import ModelError
from simulation.model import (
    SCALAR_NAMES,
    SERIES_NAMES,
    RunRecord,
    RunResult,
    run_programme,
    run_transition,
)
from simulation.model.inputs import build_inputs, cost_keys
from simulation.model.outcomes import FINAL_AT_END, Outcomes, ended, outcomes
from simulation.model.parameters import ModelInputs
from simulation.model.transition import PausedRun
from simulation.sampling.designs import InputMatrix
from simulation.sampling.seeds import IterationStreams
from simulation.scenario.types import Scenario

#: An alternative model (benchmarks, fault-injection tests): one iteration's values by dotted
#: path and its stream (``None`` when ``simulation.variability = "none"``) -> a RunResult.
ModelFn = Callable[[Mapping[str, float], np.random.Generator | None], RunResult]

__all__ = [
    "ModelFn",
    "Backend",
    "ChunkResult",
    "ChunkWorker",
    "InProcessBackend",
    "OUTCOME_BATCH",
    "OutputArrays",
    "SharedOutputs",
    "WorkerSpec",
    "chunks",
]


_SCALARS_OF = operator.itemgetter(*SCALAR_NAMES)


_SERIES_OF = operator.itemgetter(*SERIES_NAMES)


_BREAKEVEN = SCALAR_NAMES.index("breakeven_month")


#: Iterations whose outputs are computed together (:func:`simulation.model.outcomes.outcomes`): its
#: (runs × days) arrays then stay in the CPU cache; a whole 1,000-iteration chunk at once was
#: about twice as slow per iteration (scripts/bench_model.py).
OUTCOME_BATCH = 64


@dataclass(frozen=True)
class OutputArrays:
    """The three output arrays of some iterations, row ``j`` for the ``j``-th of them.

    ``scalars``: (n, len(SCALAR_NAMES)) float64, in each metric's units (months, currency, …);
    ``risks``: (n, n_risks) uint8 occurrence flags; ``monthly``: (n, len(SERIES_NAMES),
    horizon_months) float32. The arrays may be views into larger ones (a run's
    :class:`SharedOutputs`): writing a row writes there.
    """

    scalars: NDArray[np.float64]
    risks: NDArray[np.uint8]
    monthly: NDArray[np.float32]

    @classmethod
    def empty(cls, n: int, n_risks: int, horizon: int) -> OutputArrays:
        """New (uninitialised) arrays for ``n`` iterations."""
        return cls(
            np.empty((n, len(SCALAR_NAMES)), dtype=np.float64),
            np.empty((n, n_risks), dtype=np.uint8),
            np.empty((n, len(SERIES_NAMES), horizon), dtype=np.float32),
        )

    def rows(self, a: int, b: int) -> OutputArrays:
        """Views of rows ``a .. b - 1`` of the three arrays."""
        return OutputArrays(self.scalars[a:b], self.risks[a:b], self.monthly[a:b])


@dataclass(frozen=True)
class ChunkResult:
    """Compact outputs of iterations ``start`` .. ``stop - 1``.

    ``scalars``: (n, len(SCALAR_NAMES)) float64, in each metric's units (months, currency, …);
    ``risks``: (n, n_risks) uint8 occurrence flags; ``monthly``: (n, len(SERIES_NAMES),
    horizon_months) float32 (the series' units; 24-bit mantissa is ample for percentile bands).
    All three are ``None`` when the worker wrote them in place into the run's
    :class:`SharedOutputs` (local process pool).
    """

    start: int
    stop: int
    scalars: NDArray[np.float64] | None
    risks: NDArray[np.uint8] | None
    monthly: NDArray[np.float32] | None


class SharedOutputs:
    """The run's output arrays in one anonymous shared memory map, for ``capacity`` iterations.

    Made before the local process pool forks (only where :func:`fork_is_safe`), so its workers
    write each chunk's outputs straight into the parent's arrays and send back only
    ``(start, stop)``: no pickling and no copy of the monthly series (2 kB an iteration for a
    60-month horizon). Pages are committed only when written, so an ``--iterations auto`` run
    that stops early never pays for its cap.
    """

    def __init__(self, capacity: int, n_risks: int, horizon: int) -> None:
        n_scalars, n_series = len(SCALAR_NAMES), len(SERIES_NAMES)
        sizes = (capacity * n_scalars * 8, capacity * n_series * horizon * 4, capacity * n_risks)
        self.buffer = mmap.mmap(-1, max(1, sum(sizes)))
        offset = 0
        self.scalars: NDArray[np.float64] = np.frombuffer(
            self.buffer, np.float64, capacity * n_scalars, offset
        ).reshape(capacity, n_scalars)
        offset += sizes[0]
        self.monthly: NDArray[np.float32] = np.frombuffer(
            self.buffer, np.float32, capacity * n_series * horizon, offset
        ).reshape(capacity, n_series, horizon)
        offset += sizes[1]
        self.risks: NDArray[np.uint8] = np.frombuffer(
            self.buffer, np.uint8, capacity * n_risks, offset
        ).reshape(capacity, n_risks)

    def rows(self, a: int, b: int) -> OutputArrays:
        """Views of iterations ``a .. b - 1`` of the shared arrays (a worker writes into them)."""
        return OutputArrays(self.scalars[a:b], self.risks[a:b], self.monthly[a:b])


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs, shipped once per worker: the scenario, the whole input matrix
    (iterations × uncertain inputs), the root seed, the sampler name (for failure messages) and
    an optional replacement ``model`` (``None``: the transition model)."""

    scenario: Scenario
    matrix: InputMatrix
    seed: int
    sampler: str = "lhs"
    model: ModelFn | None = None


class ChunkWorker:
    """Runs index ranges of one :class:`WorkerSpec`; built once per worker process."""

    def __init__(self, spec: WorkerSpec) -> None:
        scenario = spec.scenario
        self.spec = spec
        self.scenario = scenario
        self.matrix = spec.matrix
        self.seed = spec.seed
        self.model = spec.model
        self.base = dict(scenario.fixed_values())
        self.columns = tuple(spec.matrix.names)
        self.risk_names = tuple(r.name for r in scenario.risks)
        self.stochastic = scenario.variability != "none"
        self.streams = IterationStreams(spec.seed)
        self.horizon = int(self.base["scenario.horizon_months"])
        self.cost_keys = cost_keys(self.base)
        self.overrides: Mapping[str, float] = {}

    def values(self, i: int) -> dict[str, float]:
        """Iteration ``i``'s values by dotted path (fixed inputs + its row of the matrix, then
        the :meth:`with_values` overrides)."""
        values = self.base.copy()
        values.update(zip(self.columns, self.matrix.values[i].tolist(), strict=True))
        if self.overrides:
            values.update(self.overrides)
        return values

    def with_values(self, overrides: Mapping[str, float]) -> ChunkWorker:
        """This worker with the given inputs fixed in every iteration, e.g. a risk switched off
        (``risks.<name>.occurs`` = 0); the spec, matrix and streams are shared, not copied.

        Iteration ``i`` then runs exactly as in the scenario with those inputs fixed, provided
        fixing them leaves every other column of the matrix unchanged (per-input streams, see
        :mod:`simulation.analysis.risk_removal`)."""
        other = copy.copy(self)
        other.overrides = dict(overrides)
        return other

    def stream(self, i: int) -> np.random.Generator | None:
        """Iteration ``i``'s model stream (``None`` under variability "none"); valid until the
        next call (one generator is rewound, see :class:`IterationStreams`)."""
        return self.streams.stream(i) if self.stochastic else None

    def inputs(self, i: int) -> ModelInputs:
        """Iteration ``i``'s model parameters (risk shocks applied)."""
        scenario = self.scenario
        return build_inputs(
            self.values(i), scenario.options, scenario.risks, self.cost_keys, scenario.waves
        )

    def run_one(self, i: int, record_events: bool = False) -> RunResult:
        """Run iteration ``i`` on its own stream."""
        if self.model is not None:
            return self.model(self.values(i), self.stream(i))
        inputs = self.inputs(i)
        return run_transition(inputs, self.stream(i), record_events=record_events)

    def programme(self, i: int) -> RunRecord:
        """The SimPy part of iteration ``i`` on its own stream."""
        inputs = self.inputs(i)
        return run_programme(inputs, self.stream(i))

    def outputs(self, n: int) -> OutputArrays:
        """New (uninitialised) output arrays for ``n`` iterations."""
        return OutputArrays.empty(n, len(self.risk_names), self.horizon)

    def run_range(self, start: int, stop: int) -> ChunkResult:
        """Run iterations ``start .. stop - 1`` into new compact arrays."""
        out = self.outputs(stop - start)
        self.run_into(range(start, stop), out)
        return ChunkResult(start, stop, out.scalars, out.risks, out.monthly)

    def run_scalars(self, indices: Sequence[int]) -> NDArray[np.float64]:
        """Scalar outputs of the given iterations, rows in that order."""
        out = self.outputs(len(indices))
        self.run_into(indices, out)
        return out.scalars

    def run_final_at_end(
        self, indices: Sequence[int], columns: Sequence[int]
    ) -> NDArray[np.float64]:
        """The scalar outputs ``columns`` (indices into ``SCALAR_NAMES``) of the given
        iterations, rows in that order: the numbers of :meth:`run_scalars`, faster when every
        column is fixed once the transition has ended
        (:data:`~simulation.model.outcomes.FINAL_AT_END`): each run then pauses soon after its
        cutover (:class:`~simulation.model.transition.PausedRun`) and runs on to the horizon
        only if its transition had not ended by then. So a model failure after a run's pause
        is not seen here, nor a non-finite output not asked for (the risk ranking's re-runs;
        its baseline ran every iteration to the horizon and checked every output)."""
        cols = list(columns)
        if self.model is not None or any(SCALAR_NAMES[c] not in FINAL_AT_END for c in cols):
            return self.run_scalars(indices)[:, cols]
        out = np.empty((len(indices), len(cols)))
        for a in range(0, len(indices), OUTCOME_BATCH):
            b = min(a + OUTCOME_BATCH, len(indices))
            out[a:b] = self._ended_batch(indices[a:b])[:, cols]
        self._check_scalars(indices, out, cols)
        return out

    def _ended_batch(self, indices: Sequence[int]) -> NDArray[np.float64]:
        """:meth:`run_final_at_end` for one batch: every scalar, final for ``FINAL_AT_END``."""
        runs: list[PausedRun] = []
        states: list[object] = []
        for i in indices:
            rng = self.stream(i)
            try:
                run = PausedRun(self.inputs(i), rng)
            except Exception as exc:  # noqa: BLE001 - reported with the iteration
                raise ModelError(self.failure_message(i, exc)) from exc
            runs.append(run)
            # the shared stream is rewound for the next run: keep where this one paused
            states.append(None if rng is None or run.done else rng.bit_generator.state)
        records = [run.record() for run in runs]
        scalars = self._outcomes(indices, records).scalars
        paused = np.array([run.paused_day for run in runs], dtype=np.float64)
        done = np.array([run.done for run in runs], dtype=bool)
        rest = np.flatnonzero(~(done | ended(records, paused, scalars))).tolist()
        for j in rest:
            rng = self.stream(indices[j])
            if rng is not None:
                rng.bit_generator.state = states[j]  # type: ignore[assignment]
            try:
                records[j] = runs[j].finish()
            except Exception as exc:  # noqa: BLE001 - reported with the iteration
                raise ModelError(self.failure_message(indices[j], exc)) from exc
        if rest:
            again = [indices[j] for j in rest]
            scalars[rest] = self._outcomes(again, [records[j] for j in rest]).scalars
        return scalars

    def _outcomes(self, indices: Sequence[int], records: Sequence[RunRecord]) -> Outcomes:
        """The outputs of a batch's records; a failure names the iteration that fails."""
        try:
            return outcomes(records)
        except Exception as exc:  # noqa: BLE001 - find the iteration whose outputs fail
            for i, record in zip(indices, records, strict=True):
                try:
                    outcomes([record])
                except Exception as single:  # noqa: BLE001
                    raise ModelError(self.failure_message(i, single)) from single
            raise ModelError(self.failure_message(indices[0], exc)) from exc

    def run_into(self, indices: Sequence[int], out: OutputArrays) -> None:
        """Run the given iterations and write row ``j`` of each of ``out``'s arrays for
        ``indices[j]``.

        The SimPy part runs iteration by iteration; the outputs that follow from it (queue,
        monthly series, costs) are computed for batches of ``OUTCOME_BATCH`` of them at once
        (:func:`simulation.model.outcomes.outcomes`), which gives the same numbers as one at a time.
        Every scalar output must be finite (a NaN break-even means "never"), and so must every
        value of the monthly series, which are stored as float32 (at most about 3.4e38): a
        cumulative cost beyond that would become ``inf`` while the float64 scalars stay finite.
        A failure names its iteration (and the series and month).
        """
        with np.errstate(over="ignore"):  # float64 -> float32 overflow is reported below
            if self.model is not None:
                self._run_custom(indices, out)
            else:
                for a in range(0, len(indices), OUTCOME_BATCH):
                    b = min(a + OUTCOME_BATCH, len(indices))
                    self._run_batch(indices[a:b], out.rows(a, b))
        self._check_finite(indices, out)

    def _check_scalars(
        self, indices: Sequence[int], scalars: NDArray[np.float64], columns: Sequence[int]
    ) -> None:
        """Refuse a non-finite value in ``scalars`` (row ``j``: iteration ``indices[j]``; column
        ``c``: the output ``SCALAR_NAMES[columns[c]]``), but a NaN break-even, naming its
        iteration and output."""
        bad = ~np.isfinite(scalars)
        for c, column in enumerate(columns):
            if column == _BREAKEVEN:
                bad[:, c] = False  # NaN there means "never within the horizon"
        if bad.any():
            j, k = np.argwhere(bad)[0]
            why = ValueError(f"output {SCALAR_NAMES[columns[k]]} is {scalars[j, k]}")
            raise ModelError(self.failure_message(indices[int(j)], why))

    def _check_finite(self, indices: Sequence[int], out: OutputArrays) -> None:
        """Refuse a non-finite scalar output (but a NaN break-even) or monthly value, naming its
        iteration (see :meth:`run_into`)."""
        monthly = out.monthly
        self._check_scalars(indices, out.scalars, range(len(SCALAR_NAMES)))
        if not np.isfinite(monthly).all():
            j, k, m = np.argwhere(~np.isfinite(monthly))[0]
            value = monthly[j, k, m]
            limit = float(np.finfo(np.float32).max)
            why = (
                f" (monthly series are kept as 32-bit floats, at most {limit:.3g}: are the "
                "scenario's amounts in the right unit?)"
                if np.isinf(value)
                else ""
            )
            raise ModelError(
                self.failure_message(
                    indices[int(j)],
                    ValueError(
                        f"monthly series {SERIES_NAMES[k]} is {value} in month {m + 1}{why}"
                    ),
                )
            )

    def _run_batch(self, indices: Sequence[int], out: OutputArrays) -> None:
        """:meth:`run_into` for one batch of at most ``OUTCOME_BATCH`` iterations."""
        records = []
        for i in indices:
            try:
                records.append(self.programme(i))
            except Exception as exc:  # noqa: BLE001 - reported with the iteration
                raise ModelError(self.failure_message(i, exc)) from exc
        computed = self._outcomes(indices, records)
        out.scalars[...] = computed.scalars
        out.monthly[...] = computed.monthly
        names = self.risk_names
        if names:
            out.risks[...] = [[r.risk_flags.get(k, False) for k in names] for r in records]

    def _run_custom(self, indices: Sequence[int], out: OutputArrays) -> None:
        """:meth:`run_into` for a replacement ``model`` returning one RunResult a time."""
        risk_names = self.risk_names
        for j, i in enumerate(indices):
            try:
                result = self.run_one(i)
            except Exception as exc:  # noqa: BLE001 - reported with the iteration that failed
                raise ModelError(self.failure_message(i, exc)) from exc
            out.scalars[j] = _SCALARS_OF(result.scalars)
            out.monthly[j] = _SERIES_OF(result.monthly)
            if risk_names:
                flags = result.risks
                out.risks[j] = [flags.get(name, False) for name in risk_names]

    def failure_message(self, i: int, exc: BaseException) -> str:
        shown = ", ".join(
            f"{k} = {v:.6g}" for k, v in zip(self.columns, self.matrix.values[i], strict=True)
        )
        if self.overrides:
            shown += " (with " + ", ".join(f"{k} = {v:g}" for k, v in self.overrides.items()) + ")"
        return (
            f"{self.scenario.path}: the model failed in iteration {i}: {exc}\n"
            f"  inputs: {shown or '(all fixed)'}\n"
            f"  reproduce with: simulate trace {self.scenario.path} --iteration {i} "
            f"--seed {self.seed} --iterations {self.matrix.n} --sampler {self.spec.sampler}"
        )


class Backend(Protocol):
    """Runs index ranges of one WorkerSpec; yields chunk results as they complete."""

    jobs: int

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]: ...

    def close(self, cancel: bool = False) -> None: ...


def chunks(start: int, stop: int, size: int) -> Iterator[tuple[int, int]]:
    """Index ranges ``[a, b)`` of at most ``size`` iterations covering ``[start, stop)``."""
    for a in range(start, stop, size):
        yield a, min(stop, a + size)


class InProcessBackend:
    """Runs every chunk in this process (``jobs = 1``): no pickling, no processes."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.jobs = 1
        self.worker = ChunkWorker(spec)

    def run(self, start: int, stop: int, chunk_size: int) -> Iterator[ChunkResult]:
        for a, b in chunks(start, stop, chunk_size):
            yield self.worker.run_range(a, b)

    def close(self, cancel: bool = False) -> None:
        return None
