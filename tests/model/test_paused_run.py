"""A run that pauses and goes on is the run that did not pause, and the outputs a paused run
gives as final (``FINAL_AT_END``, used by the risk ranking's re-runs) are those of the whole run.

Checked on every shipped scenario, with each of its risks switched off as the ranking does, and
against constructed cases for the rule that decides when a paused run's outputs are final."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from simulation.engine.run import make_worker
from simulation.engine.worker import ChunkWorker
from simulation.model import SCALAR_NAMES, run_programme, transition
from simulation.model.outcomes import FINAL_AT_END, ended
from simulation.model.programme import Programme
from simulation.model.record import RunRecord
from simulation.model.transition import PausedRun, _record
from simulation.sampling.designs import draw_inputs
from simulation.sampling.seeds import iteration_stream
from simulation.scenario.reader import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))
COLUMNS = [SCALAR_NAMES.index(name) for name in FINAL_AT_END]


def _worker(path: Path, n: int, seed: int) -> ChunkWorker:
    sc = load_scenario(path)
    matrix = draw_inputs(sc.inputs, sc.uncertain, sc.correlations, n, seed, sc.sampler)
    return make_worker(sc, matrix, seed)


def _same(a: RunRecord, b: RunRecord) -> None:
    for field in dataclasses.fields(RunRecord):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y), field.name
        elif field.name != "p":
            assert x == y, field.name


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_run_paused_anywhere_goes_on_as_if_it_had_not_paused(path: Path) -> None:
    """Paused on random days (including several times on one day and beyond the horizon),
    every run's record, event log included, equals the uninterrupted run's."""
    worker = _worker(path, 6, 11)
    pick = np.random.default_rng(5)
    for i in range(6):
        inputs = worker.inputs(i)
        whole = run_programme(inputs, iteration_stream(11, i), record_events=True)
        programme = Programme(inputs, iteration_stream(11, i), True)
        recorder = programme.start()
        n = programme.ctx.n_days
        stops = np.sort(pick.integers(0, n + 40, size=12))
        days = [int(d) for d in np.concatenate((stops, stops[:2]))]
        for day in sorted(days):
            recorder.run(day)
            assert recorder.paused_day >= min(day, n)
        assert recorder.run() is True
        assert recorder.paused_day == n
        _same(_record(programme), whole)


@pytest.mark.parametrize("months", [3, 0], ids=["pause as shipped", "pause at cutover month"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_paused_runs_give_the_whole_runs_outputs(
    path: Path, months: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every risk in turn switched off, as the ranking re-runs them: the FINAL_AT_END
    outputs of runs that pause after their cutover equal those of whole runs, whether the run
    ended before its pause or had to go on. Pausing at the end of the cutover's month makes
    many runs go on; pausing three months later (as shipped) lets most end before it."""
    monkeypatch.setattr(transition, "PAUSE_MONTHS_AFTER_CUTOVER", months)
    n = 24
    worker = _worker(path, n, 3)
    finished: list[PausedRun] = []
    finish = PausedRun.finish

    def counted(self: PausedRun) -> RunRecord:
        finished.append(self)
        return finish(self)

    monkeypatch.setattr(PausedRun, "finish", counted)
    rows = list(range(n))
    cases = [worker] + [worker.with_values({r.path("occurs"): 0.0}) for r in worker.scenario.risks]
    for case in cases:
        whole = case.run_scalars(rows)[:, COLUMNS]
        assert np.array_equal(case.run_final_at_end(rows, COLUMNS), whole)
    runs = n * len(cases)
    if worker.base.get("policy.strategy") == "stay" or path.stem.endswith("renegotiate"):
        return  # no cutover: every run goes to its horizon at once
    if months == 0:
        assert len(finished) > 0
    else:
        assert len(finished) < runs / 4


def _scalars(stabilised: list[float], months: list[float]) -> np.ndarray:
    s = np.zeros((len(months), len(SCALAR_NAMES)))
    s[:, SCALAR_NAMES.index("stabilised")] = stabilised
    s[:, SCALAR_NAMES.index("transition_months")] = months
    return s


def test_outputs_are_final_only_after_the_transition_ended_and_its_cutover_month() -> None:
    """21 working days a month: a transition ended on day 105 is final at a pause on day 105
    or later, not before; not when it never ended; not when the cutover's month was not over
    at the pause, nor without a cutover."""
    worker = _worker(SCENARIOS[0], 1, 1)
    record = worker.programme(0)
    D = record.p.working_days_per_month
    assert D == 21
    cut = 63.0  # day 0 of month 3: that month ends on day 84
    cuts = (cut,) * 5 + (np.inf, 90.0, 90.0)
    recs = [dataclasses.replace(record, cutover_day=c) for c in cuts]
    scalars = _scalars([1, 1, 0, 1, 1, 1, 1, 1], [5.0] * 8)
    paused = np.array([105.0, 104.0, 400.0, 84.0, 200.0, 400.0, 104.0, 101.0])
    month = SCALAR_NAMES.index("transition_months")
    scalars[3, month] = 80.0 / 21.0  # ended on day 80, its cutover's month over on day 84
    scalars[7, month] = 100.0 / 21.0  # ended on day 100, its cutover's month not over (105)
    got = ended(recs, paused, scalars)
    assert got.tolist() == [True, False, False, True, True, False, False, False]
