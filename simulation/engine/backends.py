"""Where chunks of iterations run: in-process, a local process pool, or a Dask cluster.

Every backend runs the same :class:`ChunkWorker` on index ranges ``[start, stop)`` of one
:class:`WorkerSpec` (scenario + input matrix + seed), shipped to each worker once, and yields
:class:`ChunkResult` objects as they complete, in any order. The engine puts them back in
iteration order, so the backend, the number of workers and the chunk size never change a number:
iteration ``i`` always runs on its own stream, which depends only on (seed, i) (see
:mod:`simulation.sampling.seeds`).
"""

from __future__ import annotations

from simulation.engine.dask_backend import DaskBackend
from simulation.engine.local_pool import ProcessPoolBackend
from simulation.engine.worker import Backend, InProcessBackend, SharedOutputs, WorkerSpec
from simulation.errors import SimulationError
from simulation.scenario.run_options import BACKENDS


def make_backend(
    spec: WorkerSpec,
    backend: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    outputs: SharedOutputs | None = None,
) -> Backend:
    """The backend named ``backend`` (``local`` or ``dask``) for ``jobs`` workers; a local
    process pool writes into ``outputs`` when given (see :class:`SharedOutputs`)."""
    if backend == "dask":
        return DaskBackend(spec, jobs, scheduler)
    if backend != "local":
        raise SimulationError(f"unknown backend {backend!r} (expected one of {BACKENDS})")
    if scheduler:
        raise SimulationError("--scheduler needs --backend dask")
    if jobs == 1:
        return InProcessBackend(spec)
    return ProcessPoolBackend(spec, jobs, outputs)
