"""The tickets of one run as known at programme start, and when its risk events strike
(docs/model.md, sections 5 and 7).

Mean arrivals grow at ``demand.growth_per_year`` plus the ticket surges whose time is known at
the start; a risk event is timed from the start, from notice or from cutover
(``window_relative_to``), and those timed from cutover are known only once it happens.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulation.model.parameters import ModelInputs, RiskEvent
from simulation.model.streams import growth

#: risk events by when their time is known: ``start`` (working day from programme start, for
#: windows relative to the start or to notice) and ``cutover`` (working days after cutover)
TimedEvents = dict[str, list[tuple[float, RiskEvent]]]


def timed_events(events: Sequence[RiskEvent], notice_day: float, D: int) -> TimedEvents:
    """The risk events that struck, by when their time is known (see :data:`TimedEvents`);
    ``notice_day`` in working days from programme start, ``D`` working days a month."""
    out: TimedEvents = {"start": [], "cutover": []}
    for e in events:
        offset = e.at_month * D
        if e.relative_to == "cutover":
            out["cutover"].append((offset, e))
        else:
            base = notice_day if e.relative_to == "notice" else 0.0
            out["start"].append((base + offset, e))
    return out


def mean_demand(
    p: ModelInputs, n: int, D: int, start_events: Sequence[tuple[float, RiskEvent]]
) -> np.ndarray:
    """Mean arrivals of each of the ``n`` working days (tickets/day): growth, plus the ticket
    surges timed from the start."""
    mean = p.tickets_per_day * growth(p.demand_growth_per_year, D, n)
    for s, e in start_events:
        if e.event == "ticket_surge" and e.duration_days > 0:
            mean = mean + e.extra_tickets_per_day * window(n, s, e.duration_days)
    return mean


def window(n: int, start: float, days: float) -> np.ndarray:
    """1.0 on the working days ``[start, start + days)`` of an ``n``-day horizon, else 0."""
    d = np.arange(n, dtype=np.float64)
    return ((d >= start) & (d < start + days)).astype(np.float64)
