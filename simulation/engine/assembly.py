"""The parent's side of a run: the run's output arrays, preallocated and filled chunk by chunk
by index as the workers deliver them (:class:`Assembly`), each iteration checked to arrive
exactly once, and contiguous chunks handed in iteration order to a :class:`SampleSink` (the
incremental ``samples.csv`` / ``samples.parquet`` writer) while the run goes on. Completion
order therefore cannot change a number nor the order of a sample file."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from simulation.engine.worker import Backend, ChunkResult, OutputArrays, SharedOutputs
from simulation.errors import SimulationError
from simulation.sampling.designs import InputMatrix

#: A progress callback: the number of iterations just finished.
ProgressFn = Callable[[int], None]

__all__ = ["Assembly", "ProgressFn", "SampleSink", "run_chunks"]


class SampleSink(Protocol):
    """Receives iterations ``start .. start + len(scalars) - 1`` in iteration order, each once.

    ``inputs``: (n, k) float64 rows of the input matrix; ``scalars``: (n, len(SCALAR_NAMES))
    float64; ``risks``: (n, n_risks) uint8. The arrays are views: copy what must be kept.
    """

    def write(
        self,
        start: int,
        inputs: NDArray[np.float64],
        scalars: NDArray[np.float64],
        risks: NDArray[np.uint8],
    ) -> None: ...


class Assembly:
    """The run's output arrays, preallocated for ``capacity`` iterations and filled by index.

    ``np.empty`` only reserves address space: pages become resident as chunks fill them, so an
    ``--iterations auto`` run that stops early never pays for its cap.
    """

    def __init__(
        self,
        matrix: InputMatrix,
        capacity: int,
        n_risks: int,
        horizon: int,
        sink: SampleSink | None,
        shared: SharedOutputs | None = None,
    ) -> None:
        self.matrix = matrix
        # with ``shared``, the workers write into these arrays themselves
        out = (
            shared.rows(0, capacity)
            if shared is not None
            else OutputArrays.empty(capacity, n_risks, horizon)
        )
        self.scalars, self.risks, self.monthly = out.scalars, out.risks, out.monthly
        self.seen = np.zeros(capacity, dtype=np.bool_)
        self.sink = sink
        self.flushed = 0  # iterations [0, flushed) went to the sink
        self.waiting: list[tuple[int, int]] = []  # heap of arrived (start, stop) not yet flushed

    def add(self, part: ChunkResult) -> None:
        a, b = part.start, part.stop
        n = b - a
        if not (0 <= a < b <= self.seen.size) or (
            part.scalars is not None and part.scalars.shape[0] != n
        ):
            raise SimulationError(f"a worker returned a malformed chunk [{a}, {b})")
        if self.seen[a:b].any():
            dup = a + int(np.argmax(self.seen[a:b]))
            raise SimulationError(
                f"iteration {dup} arrived twice (chunk [{a}, {b})); the run was stopped"
            )
        if part.scalars is not None and part.risks is not None and part.monthly is not None:
            self.scalars[a:b] = part.scalars
            self.risks[a:b] = part.risks
            self.monthly[a:b] = part.monthly
        self.seen[a:b] = True
        heapq.heappush(self.waiting, (a, b))
        while self.waiting and self.waiting[0][0] == self.flushed:
            a, b = heapq.heappop(self.waiting)
            if self.sink is not None:
                self.sink.write(a, self.matrix.values[a:b], self.scalars[a:b], self.risks[a:b])
            self.flushed = b

    def check_complete(self, stop: int) -> None:
        """Every iteration ``0 .. stop - 1`` arrived exactly once (duplicates fail in ``add``)."""
        missing = np.flatnonzero(~self.seen[:stop])
        if missing.size or self.flushed != stop:
            shown = ", ".join(str(int(i)) for i in missing[:10])
            raise SimulationError(
                f"{missing.size:,} iteration(s) never arrived from the workers "
                f"(first: {shown or 'none'}); the run was stopped"
            )


def run_chunks(
    backend: Backend,
    assembly: Assembly,
    start: int,
    stop: int,
    chunk_size: int,
    progress: ProgressFn | None = None,
) -> None:
    """Run iterations ``start .. stop - 1`` on ``backend`` into ``assembly``."""
    for part in backend.run(start, stop, chunk_size):
        assembly.add(part)
        if progress:
            progress(part.stop - part.start)
    assembly.check_complete(stop)
