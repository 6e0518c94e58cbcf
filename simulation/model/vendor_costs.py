"""The outgoing vendor's side of the backsourcing path for a batch of runs, month by month: the
share of the service it still serves wave by wave, the fee, extension premiums, termination fees
and re-tendering (:func:`vendor_lines`), and all the path pays for the vendor
(:func:`paid_for_the_vendor`); docs/model.md, section 9. The contract's prices and terms come
from :mod:`simulation.model.fees`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.model.arrays import FloatArray, recvec, share, vec, waves
from simulation.model.cost_months import Months
from simulation.model.fees import (
    contract_end_after,
    failures_by_month,
    fee_base,
    late_ticket_charge,
    renewals_by_month,
)
from simulation.model.record import RunRecord


@dataclass(frozen=True)
class VendorLines:
    """The vendor's side of the backsourcing path (runs × months, currency unless said):
    ``engaged`` the share of the service the vendor serves (month-weighted), ``pending`` the
    waves' part of it (the kept part aside), ``in_house`` the share run in house, the fee paid
    ``base``, the ``extension`` premium, the ``termination`` fees, re-tendering (``retender`` ×
    ``renews``), and per run the waves (``w_share``, ``w_cut``), the ``kept`` share and the
    ``failure`` day."""

    engaged: FloatArray
    pending: FloatArray
    in_house: FloatArray
    base: FloatArray
    extension: FloatArray
    termination: FloatArray
    retender: FloatArray
    renews: NDArray[np.bool_]
    w_share: FloatArray
    w_cut: FloatArray
    kept: FloatArray
    failure: FloatArray


def vendor_lines(
    records: Sequence[RunRecord],
    cal: Months,
    fee_m: FloatArray,
    sq_tickets: FloatArray,
    cut: FloatArray,
    stay: NDArray[np.bool_],
) -> VendorLines:
    """The vendor is paid pro rata for the waves it still serves and the part it keeps, with a
    premium for each wave it serves past that wave's planned exit; each wave's exit pays its
    share of the termination fee (one wave of share 1: the whole contract) unless the vendor
    failed first (its replacement is a bridge to the planned exit) or the exit falls on or
    after the end of the term in force at notice. A part of the service pays its fee pro rata
    (:func:`pro_rata_fee`); staying pays the renegotiated fee (:func:`renegotiated_fee`). The
    programme renews as usual until it serves notice (a part kept outsourced for good: to the
    horizon); a term that ends after notice is not renewed."""
    k, M, D, H = cal.k, cal.M, cal.D, cal.H
    edges = cal.edges
    lo, hi = edges[None, :-1], edges[None, 1:]
    zero = np.zeros(k)
    horizon = np.full(k, H)
    w_share, w_planned, w_cut, kept = waves(records)
    engaged = kept[:, None] * np.ones((1, M))
    pending = np.zeros((k, M))  # the waves' shares still with the vendor (the kept part aside)
    extended = np.zeros((k, M))
    in_house = np.zeros((k, M))  # the share of the service run in house, month by month
    termination = np.zeros((k, M))
    fee_end = vec(records, "termination_fee")
    notice = recvec(records, "notice_day")
    failure = recvec(records, "failure_day")
    term_end = contract_end_after(records, notice, D)
    last_exit = np.where(kept > 0.0, H, 0.0)  # until when the vendor serves anything
    for j in range(w_share.shape[1]):
        wj = w_share[:, j]
        cj = np.minimum(w_cut[:, j], H)
        pj = np.minimum(np.maximum(w_planned[:, j], 0.0), cj)
        with_vendor = wj[:, None] * share(lo, hi, zero, cj, D)
        engaged += with_vendor
        pending += with_vendor
        extended += wj[:, None] * share(lo, hi, pj, cj, D)
        in_house += wj[:, None] * share(lo, hi, cj, horizon, D)
        last_exit = np.where(wj > 0.0, np.maximum(last_exit, cj), last_exit)
        owed = (w_cut[:, j] < H) & (wj > 0.0) & (w_cut[:, j] < failure) & (w_cut[:, j] < term_end)
        exits = np.flatnonzero(owed)
        termination[exits, (w_cut[exits, j] // D).astype(np.int64)] += (fee_end * wj)[exits]
    partial = (w_share[:, 0] < 1.0) | (kept > 0.0)
    base = fee_m * engaged
    if partial.any():
        pro_rata = pro_rata_fee(records, cal, sq_tickets, engaged, last_exit)
        base = np.where(partial[:, None], pro_rata, base)
    if stay.any():
        base = np.where(stay[:, None], renegotiated_fee(records, M, base), base)
    extension = fee_m * vec(records, "extension_premium")[:, None] * extended
    retender, renews = retendering(records, cal, kept, np.minimum(notice, cut))
    return VendorLines(
        engaged, pending, in_house, base, extension, termination, retender, renews,
        w_share, w_cut, kept, failure,
    )  # fmt: skip


def pro_rata_fee(
    records: Sequence[RunRecord],
    cal: Months,
    sq_tickets: FloatArray,
    engaged: FloatArray,
    last_exit: FloatArray,
) -> FloatArray:
    """The fee of the ``engaged`` part of the service (runs × months), down to the minimum fee
    in the months the vendor serves at all (until ``last_exit``, a working day)."""
    edges = cal.edges
    prices, full, floor = fee_base(records, cal.M, sq_tickets)
    present = share(edges[None, :-1], edges[None, 1:], np.zeros(cal.k), last_exit, cal.D)
    return prices * np.maximum(full * engaged, floor * present)


def renegotiated_fee(records: Sequence[RunRecord], M: int, base: FloatArray) -> FloatArray:
    """Staying: the fee ``base`` changed by ``stay.fee_change`` from ``stay.from_month`` on."""
    after = np.arange(M)[None, :] >= vec(records, "stay_from_month")[:, None]
    change = np.where(after, 1.0 + vec(records, "stay_fee_change")[:, None], 1.0)
    return base * change


def retendering(
    records: Sequence[RunRecord], cal: Months, kept: FloatArray, exit_day: FloatArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Re-tendering at each renewal (runs × months, currency), and the months the backsourcing
    path still renews in: before ``exit_day`` (notice, or cutover if earlier), or the whole
    horizon where a part stays outsourced for good."""
    renewed = np.diff(renewals_by_month(records, cal.M), axis=1, prepend=0.0) > 0.0
    retender = renewed * vec(records, "retender_cost")[:, None]
    renewal_end = np.where(kept > 0.0, cal.H, exit_day)
    renews = cal.edges[None, :-1] < renewal_end[:, None]
    return retender, renews


def paid_for_the_vendor(
    records: Sequence[RunRecord],
    v: VendorLines,
    vendor_late: FloatArray,
    governance: FloatArray,
    M: int,
    D: float,
) -> tuple[FloatArray, FloatArray]:
    """What the backsourcing path pays for the vendor each month, summed as the status quo's
    is: the fee paid, governance on it, re-tendering at a renewal (the programme renews only
    before notice), the vendor's late tickets (while it serves), and a failed vendor's
    emergency transition for the share it still served; also the late tickets' cost."""
    vendor_late_cost = vendor_late * late_ticket_charge(records)[:, None]
    fee_paid = v.base + v.extension
    vendor_side = fee_paid + governance * fee_paid + v.retender * v.renews + vendor_late_cost
    if np.isfinite(v.failure).any():  # a failed vendor's part passes to a replacement
        serving = v.kept + np.sum(v.w_share * (v.w_cut > v.failure[:, None]), axis=1)
        vendor_side = vendor_side + serving[:, None] * failures_by_month(records, M, D, v.failure)
    return vendor_side, vendor_late_cost
