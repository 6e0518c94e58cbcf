"""A local worker process killed mid-run or mid-ranking (out of memory, a signal): the pool is
rebuilt and the chunks (or ranking batches) not yet delivered re-run, with identical numbers; a
worker that keeps dying ends the run with a clear message and no traceback."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from fault_models import always_kill_model, kill_once_model

from simulation import load_scenario
from simulation.analysis.risk_removal import risk_removal
from simulation.engine.run import simulate
from simulation.errors import SimulationError
from simulation.scenario.run_options import RunOptions

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"


def test_a_killed_pool_worker_is_survived_with_identical_numbers(tmp_path: Path) -> None:
    scenario = load_scenario(MINIMAL)
    marker = tmp_path / "kill-me"
    model = functools.partial(kill_once_model, scenario, str(marker))
    expected = simulate(scenario, RunOptions(60, seed=5, jobs=1), model=model)  # no marker: no kill
    marker.touch()
    got = simulate(scenario, RunOptions(60, seed=5, jobs=2, chunk_size=5), model=model)
    assert not marker.exists()  # a worker did die
    np.testing.assert_array_equal(got.scalars, expected.scalars)
    np.testing.assert_array_equal(got.monthly, expected.monthly)
    np.testing.assert_array_equal(got.risks, expected.risks)


def test_a_worker_that_keeps_dying_stops_the_run_clearly() -> None:
    scenario = load_scenario(MINIMAL)
    with pytest.raises(SimulationError, match="a worker process died 3 times"):
        simulate(scenario, RunOptions(20, seed=5, jobs=2, chunk_size=5), model=always_kill_model)


HELPDESK = ROOT / "scenarios" / "it_helpdesk.toml"


def test_a_worker_killed_while_ranking_the_risks_is_survived(tmp_path: Path) -> None:
    """Before: BrokenProcessPool in the ranking threw the whole run away. Now the ranking's
    batches not yet delivered re-run on a new pool, with identical numbers."""
    scenario = load_scenario(HELPDESK)
    marker = tmp_path / "kill-me"
    model = functools.partial(kill_once_model, scenario, str(marker))
    base = simulate(scenario, RunOptions(80, seed=5, jobs=1), model=model)
    expected = risk_removal(scenario, base, jobs=1, model=model)
    marker.touch()
    got = risk_removal(scenario, base, jobs=2, model=model)
    assert not marker.exists()  # a ranking worker did die
    pd.testing.assert_frame_equal(got, expected)


def test_a_ranking_worker_that_keeps_dying_stops_clearly() -> None:
    scenario = load_scenario(HELPDESK)
    base = simulate(scenario, RunOptions(80, seed=5, jobs=1))
    with pytest.raises(SimulationError) as info:
        risk_removal(scenario, base, jobs=2, model=always_kill_model)
    (message,) = info.value.messages
    assert message.startswith("a worker process died 3 times while ranking the risks")
    assert message.endswith("Try fewer --jobs, or --no-rank-risks")


def test_simulate_run_survives_a_ranking_worker_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the command line: a worker of the ranking is killed (SIGKILL, as the OOM killer
    does); the run completes and its risks table equals an undisturbed run's."""
    import simulation.api
    from simulation.cli import main

    scenario = load_scenario(HELPDESK)
    marker = tmp_path / "kill-me"
    real = simulation.api.risk_removal

    def ranking_with_a_kill(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["model"] = functools.partial(kill_once_model, scenario, str(marker))
        if kill:
            marker.touch()  # only now: the simulation phase runs undisturbed
        return real(*args, **kwargs)

    monkeypatch.setattr(simulation.api, "risk_removal", ranking_with_a_kill)
    tables = []
    for kill in (False, True):
        out = tmp_path / f"run-{kill}"
        result = CliRunner().invoke(
            main,
            [
                "run",
                str(HELPDESK),
                "-n",
                "80",
                "--seed",
                "5",
                "-j",
                "2",
                "--no-report",
                "-q",
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        tables.append(pd.read_csv(out / "risks.csv"))
    assert not marker.exists()
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_the_retrying_pool_delivers_every_task_once_when_the_pool_breaks_at_submit() -> None:
    """A pool found broken while submitting (not only while waiting) loses no task."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from simulation.engine.local_pool import RetryingPool

    made: list[int] = []

    class Inline:
        """An executor running tasks at once; the first one breaks at its third submit."""

        def __init__(self) -> None:
            made.append(1)
            self.broken_at = 3 if len(made) == 1 else -1
            self.submitted = 0

        def submit(self, fn, *args):  # type: ignore[no-untyped-def]
            self.submitted += 1
            if self.submitted == self.broken_at:
                raise BrokenProcessPool("gone")
            fut: Future[int] = Future()
            fut.set_result(fn(*args))
            return fut

        def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
            pass

    pool = RetryingPool(Inline, lambda n: f"died {n} times")  # type: ignore[arg-type]
    got = list(pool.run(lambda x: 2 * x, [(i,) for i in range(10)], window=4))
    assert sorted(got) == [((i,), 2 * i) for i in range(10)]
    assert pool.failures == 1 and len(made) == 2


def _block(path: str) -> None:
    """A task that never ends on its own: it waits for a file nobody writes."""
    import time

    Path(path).touch()
    while True:
        time.sleep(0.05)


def test_cancelling_the_pool_stops_its_workers_without_finishing_their_tasks(
    tmp_path: Path,
) -> None:
    """An interrupt closes the pool with ``cancel``: the workers are terminated, not waited for
    (a worker holding a chunk used to finish it first: a Ctrl-C took as long as a chunk). The
    task here never ends, so waiting for it would hang; the thread's join is only a guard."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from simulation.engine.local_pool import RetryingPool

    pool = RetryingPool(lambda: ProcessPoolExecutor(1), lambda n: f"died {n}")
    started = tmp_path / "started"
    assert pool.pool is not None
    processes_before = pool.pool
    future = processes_before.submit(_block, str(started))
    while not started.exists():
        future.done()  # (the worker is starting the task)
    workers = list(processes_before._processes.values())
    closing = threading.Thread(target=pool.close, kwargs={"cancel": True}, daemon=True)
    closing.start()
    closing.join(timeout=60)
    assert not closing.is_alive(), "close(cancel=True) waited for a task that never ends"
    assert workers and all(not w.is_alive() for w in workers)
    assert pool.pool is None
