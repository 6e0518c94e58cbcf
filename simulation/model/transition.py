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

__all__ = ["run_programme", "run_transition"]


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
    return int(next(counter)) - len(queue)
