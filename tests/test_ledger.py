"""The FIFO cohort ledger against hand-made sequences and a per-ticket brute force."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.ledger import TicketLedger


def run(arrivals: list[float], capacity: list[float], sla: float) -> TicketLedger:
    led = TicketLedger(sla, record=True)
    for a, c in zip(arrivals, capacity, strict=True):
        led.step(a, c)
    return led


def test_single_cohort_resolved_within_sla() -> None:
    led = run([10, 0, 0, 0, 0], [4, 4, 4, 4, 4], sla=2)
    assert led.resolutions == [(0, 0, 4), (0, 1, 4), (0, 2, 2)]
    assert led.backlog_by_day == [6, 2, 0, 0, 0]
    assert led.total_breached == 0
    assert led.total_ticket_days_beyond == 0
    assert led.total_within_sla == 10
    assert led.mean_resolution_days == pytest.approx((0 * 4 + 1 * 4 + 2 * 2) / 10)


def test_single_cohort_breaching() -> None:
    # 10 tickets on day 0, 2 resolved a day: ages 0,0,1,1,2,2 within; 3,3,4,4 late.
    led = run([10, 0, 0, 0, 0, 0], [2] * 6, sla=2)
    assert [r[1] for r in led.resolutions] == [0, 1, 2, 3, 4]
    assert led.total_within_sla == 6
    assert led.total_breached == 4  # counted on day 2, when cohort 0 falls due
    assert led.breached_by_day == [0, 0, 4, 0, 0, 0]
    # lateness: 2 tickets 1 day late + 2 tickets 2 days late = 6 ticket-days
    assert led.overdue_by_day == [0, 0, 4, 2, 0, 0]
    assert led.total_ticket_days_beyond == 6
    assert led.mean_resolution_days == pytest.approx(2.0)


def test_fractional_capacity_several_cohorts() -> None:
    # sla 0.5 day rounds down to 0: a ticket must be resolved on its arrival day.
    led = run([3, 3, 3], [1.5, 1.5, 10], sla=0.5)
    assert led.resolutions == [(0, 0, 1.5), (0, 1, 1.5), (1, 2, 3), (2, 2, 3)]
    assert led.backlog_by_day == [1.5, 3, 0]
    assert led.breached_by_day == [1.5, 3, 0]
    assert led.overdue_by_day == [1.5, 3, 0]
    assert led.total_within_sla == pytest.approx(4.5)
    assert led.due_by_day == [3, 3, 3]
    assert led.open_cohorts() == []


def test_open_cohorts_and_due_shift() -> None:
    led = run([5, 5, 5], [0, 0, 7], sla=1)
    assert led.open_cohorts() == [(1, 3.0), (2, 5.0)]
    assert led.due_by_day == [0, 5, 5]
    # cohort 0 falls due on day 1 with all 5 open; cohort 1 on day 2 with 3 still open
    assert led.breached_by_day == [0, 5, 3]
    assert led.total_resolved == 7


def test_infinite_capacity_never_breaches() -> None:
    led = run([100, 0, 250, 7], [1e12] * 4, sla=0)
    assert led.total_breached == 0
    assert led.backlog_by_day == [0, 0, 0, 0]
    assert led.total_within_sla == 357


def _brute_force(arrivals: list[int], capacity: list[int], sla: int) -> dict[str, float]:
    """One ticket at a time, FIFO; independent of the ledger's cohort arithmetic."""
    queue: list[int] = []
    ages: list[int] = []
    for day, (a, c) in enumerate(zip(arrivals, capacity, strict=True)):
        queue.extend([day] * a)
        for _ in range(min(c, len(queue))):
            ages.append(day - queue.pop(0))
    last = len(arrivals) - 1
    late = [x for x in ages if x > sla]
    open_due = [a for a in queue if last - a >= sla]
    return {
        "breached": len(late) + len(open_due),
        "ticket_days": sum(x - sla for x in late) + sum(last - a - sla + 1 for a in open_due),
        "mean_age": sum(ages) / len(ages),
        "backlog": len(queue),
    }


@pytest.mark.parametrize("seed", range(8))
def test_matches_per_ticket_fifo(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    arrivals = rng.poisson(20, n).tolist()
    capacity = rng.integers(5, 35, n).tolist()
    sla = int(rng.integers(0, 4))
    led = run(arrivals, capacity, sla)
    ref = _brute_force(arrivals, capacity, sla)
    assert led.total_breached == ref["breached"]
    assert led.total_ticket_days_beyond == ref["ticket_days"]
    assert led.mean_resolution_days == pytest.approx(ref["mean_age"])
    assert led.backlog == ref["backlog"]
