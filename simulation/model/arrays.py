"""Small array helpers shared by the outcome computations of a batch of runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: A batch's calendar: (months, working days a month, working days a week, SLA days, stable
#: weeks, review window weeks); runs are batched by it (simulation.model.outcomes).
Calendar = tuple[int, int, int, int, int, int]

FloatArray = NDArray[np.float64]


def vec(records: Sequence[Any], name: str) -> FloatArray:
    """One input of every run of a batch (``record.p.<name>``)."""
    return np.fromiter((getattr(r.p, name) for r in records), np.float64, len(records))


def recvec(records: Sequence[Any], name: str) -> FloatArray:
    """One recorded number of every run of a batch (``record.<name>``)."""
    return np.fromiter((getattr(r, name) for r in records), np.float64, len(records))


def share(lo: FloatArray, hi: FloatArray, a: FloatArray, b: FloatArray, D: float) -> FloatArray:
    """Working-day share of each month ``[lo, hi)`` inside each run's ``[a, b)`` (runs × months)."""
    return np.clip(np.minimum(hi, b[:, None]) - np.maximum(lo, a[:, None]), 0.0, None) / D


def spread(
    row: NDArray[np.intp], start: FloatArray, stop: FloatArray, k: int, n: int
) -> FloatArray:
    """(k × n): for each interval ``[start, stop)`` of run ``row`` (working days, fractional
    allowed), its overlap with every day ``[d, d + 1)``, summed per run and day."""
    out = np.zeros((k, n + 1))
    if row.size == 0 or n == 0:
        return out[:, :n]
    s = np.clip(start, 0.0, float(n))
    e = np.clip(stop, 0.0, float(n))
    keep = e > s
    row, s, e = row[keep], s[keep], e[keep]
    first = np.ceil(s)
    last = np.floor(e)
    flat = out.reshape(-1)
    base = row * (n + 1)
    inside = first < last  # whole days first .. last - 1
    np.add.at(flat, base[inside] + first[inside].astype(np.intp), 1.0)
    np.add.at(flat, base[inside] + last[inside].astype(np.intp), -1.0)
    out = np.cumsum(out, axis=1)
    flat = out.reshape(-1)
    same = np.floor(s) == np.floor(e)  # inside one day
    np.add.at(flat, base[same] + np.floor(s[same]).astype(np.intp), (e - s)[same])
    head = ~same & (first > s)  # the part day before the first whole day
    np.add.at(flat, base[head] + np.floor(s[head]).astype(np.intp), (first - s)[head])
    tail = ~same & (e > last)  # the part day after the last whole day
    np.add.at(flat, base[tail] + last[tail].astype(np.intp), (e - last)[tail])
    return out[:, :n]


def periods(records: Sequence[Any], name: str) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
    """Every ``(start, end)`` period of ``record.<name>`` in a batch, as run index, starts and
    ends (end ``inf``: still on at the horizon)."""
    rows: list[int] = []
    starts: list[float] = []
    ends: list[float] = []
    for i, r in enumerate(records):
        for a, b in getattr(r, name):
            rows.append(i)
            starts.append(a)
            ends.append(b)
    return np.asarray(rows, dtype=np.intp), np.asarray(starts), np.asarray(ends)


def waves(
    records: Sequence[Any],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Each run's waves as (runs × waves) arrays, padded with empty waves: their share of the
    contract, planned exit and cutover day (``inf``: not within the horizon); and (runs) the
    share the vendor keeps for good. One big bang is one wave of share 1."""
    k = len(records)
    width = max([len(r.wave_cutover) for r in records] + [1])
    shares = np.zeros((k, width))
    planned = np.full((k, width), np.inf)
    cut = np.full((k, width), np.inf)
    kept = np.zeros(k)
    for i, r in enumerate(records):
        if r.p.strategy == "stay":  # no wave: the vendor keeps everything
            kept[i] = 1.0
            continue
        if not r.wave_cutover:  # a record without waves: one big bang
            shares[i, 0], planned[i, 0], cut[i, 0] = 1.0, r.planned_exit, r.cutover_day
            continue
        n = len(r.wave_cutover)
        shares[i, :n] = [w for w, _ in r.p.waves]
        planned[i, :n] = r.wave_planned
        cut[i, :n] = r.wave_cutover
        kept[i] = r.p.kept_share
    return shares, planned, cut, kept
