"""What the SimPy part of one run did: the contract between the programme and its outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from simulation.model.parameters import ModelInputs
from simulation.model.watch import QueueView


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What one run of the programme did (times in working days from programme start).

    ``arrivals``: tickets per day (horizon); capacity segment ``s`` starts on day
    ``seg_start[s]`` and its day ``d`` has ``seg_internal - seg_learning · q^j + rate ·
    seg_vendor · seg_r^j`` tickets (``j = d - seg_start``; ``rate``: the vendor's tickets per
    agent-day); ``seg_heads`` internal agents and ``seg_known`` the share of domains known on it.
    ``hired`` / ``left``: every agent's first and last day (``inf``: still employed).
    ``sim_events``: SimPy events processed.

    Both sides (issue 15): ``sq_arrivals`` the tickets a day of the status-quo path (the
    arrivals drawn at programme start, without the surges timed from cutover, which only the
    backsourcing path has); ``failure_day`` the day a ``vendor_failure`` forced the cutover
    (inf: none did).

    Management (issue 14): ``seg_agency`` / ``seg_hypercare`` agents present, ``seg_target`` the
    team target and ``seg_overtime`` overtime on each segment; ``agency_periods``,
    ``hypercare_periods`` and ``overtime_periods`` the ``(start, end)`` working days of every
    person or spell (``end`` inf: to the horizon); ``abandoned`` the tickets closed unworked by
    triage, ``{day: tickets}``; ``reviews`` what each review saw (only with the event log);
    ``risk_flags`` whether each register risk struck within the horizon.

    Strategies (issue 15): ``seg_vendor_fixed`` the vendor's agents that do not ramp down beside
    a part that does (see :class:`simulation.model.capacity.Segments`); ``wave_planned`` /
    ``wave_cutover`` each wave's planned exit and cutover day (``inf``: not within the
    horizon); ``first_cutover_day`` the first wave's; ``cutover_day`` is the last wave's.
    ``moved``: per agent (as ``hired``), whether it came from the vendor (staff transfer);
    ``transferred_agents`` how many did.
    """

    p: ModelInputs
    arrivals: NDArray[np.float64]
    seg_start: list[int]
    seg_internal: list[float]
    seg_learning: list[float]
    seg_vendor: list[float]
    seg_r: list[float]
    seg_heads: list[int]
    seg_known: list[float]
    q: float
    hired: list[float]
    left: list[float]
    eval_end: float
    notice_day: float
    planned_exit: float
    cutover_day: float
    failure_day: float
    sq_arrivals: NDArray[np.float64]
    extensions: int
    lost: int
    transferred: int
    hires: int
    leavers: int
    sim_events: int
    log: tuple[tuple[float, str], ...] = ()
    seg_agency: list[int] = field(default_factory=list)
    seg_hypercare: list[int] = field(default_factory=list)
    seg_target: list[int] = field(default_factory=list)
    seg_overtime: list[bool] = field(default_factory=list)
    agency_periods: tuple[tuple[float, float], ...] = ()
    hypercare_periods: tuple[tuple[float, float], ...] = ()
    overtime_periods: tuple[tuple[float, float], ...] = ()
    abandoned: Mapping[int, float] = field(default_factory=dict)
    reviews: tuple[QueueView, ...] = ()
    risk_flags: Mapping[str, bool] = field(default_factory=dict)
    seg_vendor_fixed: list[float] = field(default_factory=list)
    first_cutover_day: float = float("inf")
    wave_planned: tuple[float, ...] = ()
    wave_cutover: tuple[float, ...] = ()
    moved: list[bool] = field(default_factory=list)
    transferred_agents: int = 0
