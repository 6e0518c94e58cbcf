"""A batch's working days rebuilt from its records (runs × days): the capacity, head count,
overtime and vendor capacity, from the capacity segments the SimPy part recorded, with the
month-end team, vendor, knowledge and lever series (:func:`daily_capacity`); and the tickets
triage closed unworked each day (:func:`abandoned_by_day`), the queue's other outflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import recvec, vec
from simulation.model.record import RunRecord


def _segments(records: Sequence[RunRecord], name: str) -> NDArray[np.float64]:
    return np.concatenate([getattr(r, name) for r in records]).astype(np.float64)


def daily_capacity(
    records: Sequence[RunRecord], n: int, D: int
) -> tuple[NDArray[np.float64], Mapping[str, NDArray[np.float64]]]:
    """Daily capacity (runs × days), the daily head count, overtime flag and vendor capacity,
    and the month-end team, vendor, knowledge and lever series."""
    k = len(records)
    counts = np.fromiter((len(r.seg_start) for r in records), np.int64, k)
    starts = np.concatenate([r.seg_start for r in records]).astype(np.int64)
    starts += np.repeat(np.arange(k, dtype=np.int64) * n, counts)  # day index in the flat array
    lengths = np.diff(starts, append=k * n)
    j = np.arange(k * n, dtype=np.float64)
    j -= np.repeat(starts.astype(np.float64), lengths)  # day within its segment
    # q**j as exp(j ln q), several times cheaper than pow; q = 0 (no learning curve) comes
    # with a zero learning term, and ln of a tiny q keeps 0 * ln q finite on a segment's day 0
    log_q = np.log(np.maximum(recvec(records, "q"), 1e-300))
    fading = j * np.repeat(log_q, n)
    np.exp(fading, out=fading)
    fading *= np.repeat(np.concatenate([r.seg_learning for r in records]), lengths)
    rate = vec(records, "vendor_tickets_per_agent_day")
    vendor = np.repeat(np.concatenate([r.seg_vendor for r in records]), lengths)
    seg_r = np.concatenate([r.seg_r for r in records])
    if np.any(seg_r != 1.0):  # the deterministic vendor ramp-down of variability "none"
        vendor *= np.exp(j * np.log(np.repeat(seg_r, lengths)))
    if any(any(r.seg_vendor_fixed) for r in records):  # waves: a part beside the ramp-down
        vendor += np.repeat(_segments(records, "seg_vendor_fixed"), lengths)
    capacity = np.repeat(np.concatenate([r.seg_internal for r in records]), lengths)
    capacity -= fading
    vendor_capacity = vendor * np.repeat(rate, n)
    capacity += vendor_capacity
    month_ends = (np.arange(D - 1, n, D)[None, :] + (np.arange(k) * n)[:, None]).ravel()
    seg = np.searchsorted(starts, month_ends, side="right") - 1
    heads = _segments(records, "seg_heads")
    overtime = _segments(records, "seg_overtime")
    series = {
        "internal": heads[seg].reshape(k, -1),
        "vendor": vendor[month_ends].reshape(k, -1),
        "known": _segments(records, "seg_known")[seg].reshape(k, -1),
        "agency": _segments(records, "seg_agency")[seg].reshape(k, -1),
        "hypercare": _segments(records, "seg_hypercare")[seg].reshape(k, -1),
        "target": _segments(records, "seg_target")[seg].reshape(k, -1),
        "heads_day": np.repeat(heads, lengths).reshape(k, n),
        "overtime_day": np.repeat(overtime, lengths).reshape(k, n),
        "vendor_day": vendor_capacity.reshape(k, n),
    }
    return capacity.reshape(k, n), series


def abandoned_by_day(records: Sequence[RunRecord], n: int) -> NDArray[np.float64] | None:
    """(runs × days) tickets closed unworked by triage, or None when no run has any."""
    if not any(r.abandoned for r in records):
        return None
    out = np.zeros((len(records), n))
    for i, r in enumerate(records):
        for day, x in r.abandoned.items():
            if day < n:
                out[i, day] = x
    return out
