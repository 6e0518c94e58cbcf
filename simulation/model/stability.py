"""When the service counts as stable, from the queue of a batch of runs (docs/model.md,
section 7).

A week counts as stable when its SLA compliance reaches ``policy.sla_target`` and, when
``policy.stable_backlog_days`` is set, the backlog at its end is at most that many days of
expected demand and the capacity of the trailing ``response.window_weeks`` weeks covers their
arrivals (so a queue that is still growing while every ticket due this week met its SLA is not
stable). The transition ends at the end of the first week that completes ``policy.stable_weeks``
consecutive stable weeks after cutover; weeks below the SLA target after that are relapses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.model.arrays import FloatArray


@dataclass(frozen=True)
class Stability:
    """Per run: ``stabilised`` (bool), ``end_day`` (working day the transition ends, inf when it
    never does), ``relapse_weeks`` (weeks below the SLA target after it ended) and per week
    ``compliance`` and ``stable``."""

    stabilised: np.ndarray
    end_day: FloatArray
    relapse_weeks: FloatArray
    compliance: FloatArray
    below_target: np.ndarray


def weekly_sums(x: FloatArray, W: int) -> FloatArray:
    """Sums over whole weeks of a (runs × days) array (a last partial week is left out)."""
    k, n = x.shape
    nw = n // W
    return x[:, : nw * W].reshape(k, nw, W).sum(axis=2)


def stability(
    due: FloatArray,
    breached: FloatArray,
    cutover: FloatArray,
    target: FloatArray,
    W: int,
    stable_weeks: int,
    queue_ok: np.ndarray | None = None,
) -> Stability:
    """Stabilisation of a batch of runs; ``queue_ok`` (runs × weeks, optional) says which weeks
    pass the queue checks (backlog and capacity), ``target`` the SLA target of each run."""
    k, n = due.shape
    nw = n // W
    due_w = weekly_sums(due, W)
    br_w = weekly_sums(breached, W)
    comp_w = np.where(due_w > 0, 1.0 - br_w / np.where(due_w > 0, due_w, 1.0), 1.0)
    below = ~(comp_w >= target[:, None] - 1e-12)
    ok = ~below if queue_ok is None else ~below & queue_ok
    ends = (np.arange(nw) + 1.0) * W
    after = ends[None, :] > cutover[:, None]
    hit = after
    if stable_weeks > 0:
        run_ok = np.cumsum(ok & after, axis=1)
        before = np.zeros_like(run_ok)
        if nw > stable_weeks:
            before[:, stable_weeks:] = run_ok[:, :-stable_weeks]
        hit = np.greater_equal(run_ok - before, stable_weeks)
    stabilised = np.asarray(hit.any(axis=1))
    first = np.argmax(hit, axis=1)
    end_day = np.where(stabilised, ends[first], np.inf) if nw else np.full(k, np.inf)
    later = np.arange(nw)[None, :] > first[:, None]
    relapse = np.where(stabilised, np.sum(below & later, axis=1), 0).astype(np.float64)
    return Stability(stabilised, end_day, relapse, comp_w, below)


def queue_checks(
    backlog: FloatArray,
    capacity: FloatArray,
    arrivals: FloatArray,
    expected: FloatArray,
    limit_days: FloatArray,
    window_days: int,
    W: int,
) -> np.ndarray:
    """(runs × weeks) whether each week's end passes the queue checks: backlog at most
    ``limit_days`` days of ``expected`` daily demand, and capacity over the trailing
    ``window_days`` covering the arrivals (runs with an infinite limit always pass)."""
    k, n = backlog.shape
    nw = n // W
    ends = np.arange(1, nw + 1) * W - 1  # the last day of each week
    b_ok = backlog[:, ends] <= limit_days[:, None] * expected[:, ends] + 1e-9
    net = np.zeros((k, n + 1))
    np.cumsum(capacity - arrivals, axis=1, out=net[:, 1:])
    lo = np.maximum(ends + 1 - window_days, 0)
    c_ok = net[:, ends + 1] - net[:, lo] >= -1e-9
    return (b_ok & c_ok) | ~np.isfinite(limit_days)[:, None]
