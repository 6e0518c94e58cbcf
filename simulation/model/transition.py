"""One run of the transition model: its SimPy part (``run_programme``) and, with the outputs
that follow from it, ``run_transition`` (see :mod:`simulation.model`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from simulation.model.outcomes import outcomes
from simulation.model.parameters import ModelInputs
from simulation.model.programme import Programme
from simulation.model.record import RunRecord
from simulation.model.result import RunResult, to_result
from simulation.model.review import Review

__all__ = ["PausedRun", "run_programme", "run_transition"]

#: Whole months after the cutover's month at which a :class:`PausedRun` first pauses. The
#: transitions of the shipped scenarios end within three months of cutover in about 95% of
#: futures (it_helpdesk: 95%, app_maintenance: 90%, datacenter_ops and payroll_bpo: 99%; 400
#: iterations each, seed 1); the others run on. Only speed depends on it, never a number.
PAUSE_MONTHS_AFTER_CUTOVER = 3


def run_programme(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunRecord:
    """The SimPy part of one run: what the programme did (see :mod:`simulation.model.outcomes`
    for the outputs that follow from it). ``rng`` as in :func:`run_transition`."""
    programme = Programme(inputs, rng, record_events)
    programme.start().run()
    return _record(programme)


def run_transition(
    inputs: ModelInputs, rng: np.random.Generator | None, record_events: bool = False
) -> RunResult:
    """Run the transition model once.

    ``rng`` is the iteration's own stream; it may be ``None`` (and is never used) when
    ``inputs.variability == "none"``.
    """
    record = run_programme(inputs, rng, record_events)
    out = outcomes([record])
    return to_result(record, out.scalars[0], out.monthly[0])


class PausedRun:
    """One run that pauses soon after its cutover, for outputs fixed once the transition has
    ended (:data:`simulation.model.outcomes.FINAL_AT_END`): its record at the pause gives them
    exactly when the transition ended before the pause (:func:`simulation.model.outcomes.ended`),
    and :meth:`finish` runs it on to the horizon when it did not, exactly as one uninterrupted
    run (:meth:`CapacityRecorder.run`). ``rng`` as in :func:`run_programme`; it must be at the
    state it paused with when :meth:`finish` is called.

    A transition usually ends months after cutover, years before the horizon (it_helpdesk: P50
    at month 11 of 60): pausing takes about 40% off a risk ranking's re-run in Python, 24%
    compiled (docs/scale.md)."""

    def __init__(self, inputs: ModelInputs, rng: np.random.Generator | None) -> None:
        self.programme = Programme(inputs, rng, False)
        self.recorder = self.programme.start()
        ctx = self.programme.ctx
        D = ctx.D
        day = 0
        done = False
        while not done and self.programme.cutover_day == float("inf"):
            day += D  # month by month until the (last) cutover
            done = self.recorder.run(day)
        if not done:
            month = int(self.programme.cutover_day // D)
            done = self.recorder.run((month + 1 + PAUSE_MONTHS_AFTER_CUTOVER) * D)
        #: whether the run has reached its horizon
        self.done = done

    @property
    def paused_day(self) -> int:
        """The day the run paused on (the horizon when it is done): the capacity of every
        earlier day is recorded."""
        return self.recorder.paused_day

    def record(self) -> RunRecord:
        """What the programme did so far (valid until :meth:`finish`)."""
        return _record(self.programme)

    def finish(self) -> RunRecord:
        """Run on to the horizon; what the programme did."""
        self.done = self.recorder.run()
        return _record(self.programme)


def _record(programme: Programme) -> RunRecord:
    """What the programme of a finished run did (see :class:`RunRecord`)."""
    ctx = programme.ctx
    seg = programme.recorder.segments
    team = programme.team
    knowledge = programme.knowledge
    return RunRecord(
        p=ctx.p,
        arrivals=programme.arrivals,
        seg_start=seg.start,
        seg_internal=seg.internal,
        seg_learning=seg.learning,
        seg_vendor=seg.vendor,
        seg_r=seg.r,
        seg_heads=seg.heads,
        seg_known=seg.known,
        q=seg.q,
        hired=[a.hired for a in team.all_agents],
        left=[a.left for a in team.all_agents],
        moved=[a.transferred for a in team.all_agents],
        transferred_agents=programme.transferred_agents,
        eval_end=programme.eval_end,
        notice_day=programme.notice_day,
        planned_exit=programme.planned_exit,
        cutover_day=programme.cutover_day,
        failure_day=programme.failure_day,
        sq_arrivals=programme.status_quo_arrivals,
        extensions=programme.extensions,
        lost=knowledge.lost,
        transferred=knowledge.transferred,
        hires=team.hires,
        leavers=team.leavers,
        sim_events=processed_events(ctx.env),
        log=tuple(ctx.log),
        seg_agency=seg.agency,
        seg_hypercare=seg.hypercare,
        seg_target=seg.target,
        seg_overtime=seg.overtime,
        seg_vendor_fixed=seg.vendor_fixed,
        risk_flags=programme.struck,
        first_cutover_day=programme.first_cutover_day,
        wave_planned=tuple(programme.wave_planned),
        wave_cutover=tuple(programme.wave_cutover),
        **_management_record(programme.review),
    )


def _management_record(review: Review | None) -> dict[str, Any]:
    """The levers' periods, the tickets triage closed and what each review saw (with the log)."""
    if review is None:
        return {}

    def periods(spells: list[list[float]]) -> tuple[tuple[float, float], ...]:
        return tuple((a, b) for a, b in spells)

    return {
        "agency_periods": periods(review.agency.periods),
        "hypercare_periods": periods(review.hypercare.periods),
        "overtime_periods": periods(review.overtime.periods),
        "abandoned": review.abandoned,
        "reviews": tuple(review.views),
    }


def processed_events(env: simpy.Environment) -> int:
    """SimPy events processed so far: events scheduled less those still queued.

    Read from SimPy's own event counter (``Environment._eid``, an ``itertools.count``) so the
    run loop stays SimPy's; ``-1`` when a SimPy version has no such counter."""
    counter = getattr(env, "_eid", None)
    queue = getattr(env, "_queue", None)
    if counter is None or queue is None:  # pragma: no cover - SimPy internals changed
        return -1
    # read without moving it (the run may go on, PausedRun): its repr is "count(<next>)"
    text = repr(counter)
    if not (text.startswith("count(") and text.endswith(")")):  # pragma: no cover
        return -1
    return int(text[6:-1]) - len(queue)
