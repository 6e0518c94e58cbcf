"""The plan of a transition strategy (docs/model.md, section 11): the waves' cumulative shares,
planned exits, requisition and notice days, and the team, domains and vendor agents that go with
each wave. One big bang is one wave of share 1; ``stay`` has none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.model.parameters import ModelInputs


def count(n: int, share: float) -> int:
    """``n × share`` rounded to the nearest whole number (halves up)."""
    return math.floor(n * share + 0.5)


@dataclass(frozen=True)
class WavePlan:
    """Per wave, in order (working days from programme start): ``cum`` the cumulative share of
    demand and domains, ``planned`` the planned exit, ``hiring`` the day its requisitions open,
    ``notice`` the day its part of the contract is given notice, ``agents_upto`` /
    ``domains_upto`` the internal team and the domains after it; ``vendor_teams`` the vendor's
    agents of each wave, then those of the part it keeps (if any)."""

    cum: tuple[float, ...]
    planned: tuple[float, ...]
    hiring: tuple[float, ...]
    notice: tuple[float, ...]
    agents_upto: tuple[int, ...]
    domains_upto: tuple[int, ...]
    vendor_teams: tuple[int, ...]


def plan_waves(
    p: ModelInputs, planned: float, eval_end: float, notice_day: float, D: int
) -> WavePlan:
    """The plan of ``p.waves``: wave ``k``'s planned exit is ``max(planned, earliest_k · D)``
    (``planned``: the big bang's exit), its requisitions open as long before it as the first
    wave's do before its own, and its notice is served so that the notice period ends at its
    exit (the first wave's is the programme's, ``notice_day``)."""
    cum: list[float] = []
    total = 0.0
    for share, _ in p.waves:
        total += share
        cum.append(total)
    if cum and abs(cum[-1] - 1.0) < 1e-9:
        cum[-1] = 1.0
    lead = planned - eval_end  # what the plan gives the first wave from hiring to exit
    exits = [max(planned, earliest * D) for _, earliest in p.waves]
    hiring = [max(eval_end, x - lead) for x in exits]
    notice = [
        notice_day if k == 0 else max(notice_day, x - p.notice_months * D)
        for k, x in enumerate(exits)
    ]
    edges = [count(p.vendor_agents, c) for c in cum]
    teams = [b - a for a, b in zip([0, *edges], edges, strict=False)]
    if not cum or cum[-1] < 1.0:
        teams.append(p.vendor_agents - (edges[-1] if edges else 0))
    return WavePlan(
        tuple(cum),
        tuple(exits),
        tuple(hiring),
        tuple(notice),
        tuple(count(p.target_agents, c) for c in cum),
        tuple(count(p.domains, c) for c in cum),
        tuple(teams),
    )
