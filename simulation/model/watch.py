"""The FIFO ticket queue as the weekly management review sees it, kept up to date incrementally.

The review at the start of day ``r`` needs the queue up to the end of day ``r − 1``. The watch
keeps the Lindley recursion ``b(d) = max(0, b(d−1) + a(d) − c(d) − x(d))`` going from the last
review on, over the capacity segments recorded since (``c``: capacity, ``x``: tickets abandoned by
triage), and never starts again from day 0. A stretch of days costs O(1) when the queue is empty
at its start and the stretch's lowest capacity covers its highest arrivals (the queue then stays
empty and nothing breaches); otherwise one Python step a day. Its numbers equal the post-run
ledger's (:mod:`simulation.model.queue`) up to rounding; a test checks it on every review day.

Conventions as in the ledger: a ticket that arrived on day ``a`` is due on ``a + lag``; the
tickets of that cohort still open at the end of the due day are its breaches.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

#: Days per block of the arrivals' block maxima (the quick test of a stretch).
_BLOCK = 8
#: Blocks a quiet stretch is checked one by one against the capacity segment.
_SCAN = 16  # a power of two: the maximum over a scan's blocks is a level of the sparse table
#: Tickets below this count as none (floating-point residue of the recursion).
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class QueueView:
    """What the review sees at the start of day ``day`` (the queue at the end of ``day − 1``).

    ``backlog``: open tickets; ``oldest_age``: working days since the oldest open ticket
    arrived (0 when none is open); ``stale``: open tickets aged ``triage_age`` days or more;
    ``compliance``: 1 − breached / due over the window (1 when nothing fell due); ``capacity``
    and ``arrivals``: tickets over the window; ``weekly``: compliance of each of the last weeks
    of the window, oldest first.
    """

    day: int
    backlog: float
    oldest_age: float
    stale: float
    compliance: float
    capacity: float
    arrivals: float
    weekly: tuple[float, ...]


class Glance(NamedTuple):
    """What every review reads at the start of day ``day``: the open tickets (``backlog``),
    those aged ``triage_age`` days or more (``stale``) and the SLA compliance of the last week
    (``last_week``; 1 when nothing fell due). The full :class:`QueueView` is computed only for
    the event log. (A named tuple: one is made at every review, and it is made in a third of a
    frozen dataclass's time.)"""

    day: int
    backlog: float
    stale: float
    last_week: float


class QueueWatch:
    """The queue of one run, advanced segment by segment as the run goes."""

    def __init__(
        self, arrivals: NDArray[np.float64], lag: int, keep_capacity: bool = False
    ) -> None:
        self.lag = lag
        #: keep the capacity of every stretch (the full view's capacity over the window)
        self.keep_capacity = keep_capacity
        self.set_arrivals(arrivals)
        self.day = 0  # days [0, day) are processed
        self.b = 0.0  # backlog at the end of day - 1
        self.dep = 0.0  # cumulative departures (resolved + abandoned) at the end of day - 1
        self.cum_br = [0.0]  # cumulative breaches: cum_br[d] = breached on days [0, d)
        self.abandon: dict[int, float] = {}  # tickets abandoned at the start of a day
        self._q = self._r = 1.0  # the decay factors of the segment being stepped through
        # stretches of days with their capacity in closed form (for capacity over a window)
        self._p_start: list[int] = []
        self._p_form: list[tuple[float, float, float, float, float]] = []
        self._p_cum: list[float] = []
        self.cum_c = 0.0

    def set_arrivals(self, arrivals: NDArray[np.float64]) -> None:
        """(Re)set the daily arrivals (a ticket surge decided during the run adds to them; only
        days not yet processed may change)."""
        n = arrivals.size
        self.n = n
        self.a = arrivals.tolist()
        cum = np.empty(n + 1)
        cum[0] = 0.0
        np.cumsum(arrivals, out=cum[1:])
        self.cum_a = cum.tolist()  # A(d) = cum_a[d + 1]
        blocks = -(-n // _BLOCK)
        padded = np.zeros(blocks * _BLOCK)
        padded[:n] = arrivals
        block_max = padded.reshape(blocks, _BLOCK).max(axis=1)
        self.block_max = block_max.tolist() if n else []
        # levels[k][i]: the most tickets of a day in blocks i .. i + 2^k - 1 (a sparse table,
        # read a few times a run: kept as arrays)
        levels = [block_max]
        while 2 ** len(levels) <= blocks:
            prev, step = levels[-1], 2 ** (len(levels) - 1)
            levels.append(np.maximum(prev[:-step], prev[step:]))
        self.levels = levels if n else []
        #: the most tickets of a day in the :data:`_SCAN` blocks from each block on (a level of
        #: ``levels``, as a list: :meth:`empty_within` reads it at every call)
        k = _SCAN.bit_length() - 1
        self.scan_max = levels[k].tolist() if n and len(levels) > k else []

    # advancing --------------------------------------------------------------------------------

    def advance(
        self, until: int, internal: float, learning: float, vendor: float, q: float, r: float
    ) -> None:
        """Process days ``[self.day, until)``, all inside one capacity segment whose day
        ``self.day`` has capacity ``internal − learning + vendor``, the learning term decaying
        by ``q`` a day and the vendor term by ``r`` (tickets/day)."""
        d0 = self.day
        until = min(until, self.n)
        if until <= d0:
            return
        length = until - d0
        if self.keep_capacity:
            self._p_start.append(d0)
            self._p_form.append((internal, learning, vendor, q, r))
            self._p_cum.append(self.cum_c)
            self.cum_c += _capacity_sum(internal, learning, vendor, q, r, length)
        low = internal - learning + (vendor * r ** (length - 1) if r < 1.0 else vendor)
        if (
            self.b <= 0.0
            and low >= self._max_arrivals(d0, until)
            and not (self.abandon and self._abandons(d0, until))
        ):
            # the queue stays empty: every ticket is resolved on its day, nothing breaches
            self.b = 0.0
            self.dep = self.cum_a[until]
            self.cum_br.extend([self.cum_br[-1]] * length)
            self.day = until
            return
        self._q, self._r = q, r
        self._step(d0, until, internal, learning, vendor, q, r)

    def _step(
        self, d0: int, d1: int, internal: float, learning: float, vendor: float, q: float, r: float
    ) -> None:
        """One Python step a day: the Lindley recursion and the due cohort's breaches (split at
        the days on which triage abandons tickets, before that day's work)."""
        cuts = sorted(d for d in self.abandon if d0 <= d < d1) if self.abandon else []
        start = d0
        for cut in [*cuts, d1]:
            if cut > start:
                self._days(start, cut, internal, learning, vendor)
                j = cut - start
                learning *= q**j if learning else 1.0
                vendor *= r**j if r != 1.0 else 1.0
                start = cut
            if cut < d1:  # stale tickets leave the head of the queue at the start of `cut`
                self.b = max(0.0, self.b - self.abandon[cut])
                self.dep = self.cum_a[cut] - self.b
        self.day = d1

    def _days(self, d0: int, d1: int, internal: float, learning: float, vendor: float) -> None:
        """The Lindley recursion and breaches of days ``[d0, d1)`` (no abandonment among them)
        of a segment; ``learning`` and ``vendor`` as at ``d0``."""
        q, r = self._q, self._r
        a, cum_a, lag = self.a, self.cum_a, self.lag
        cum_br = self.cum_br
        cb = cum_br[-1]
        b = self.b
        constant = learning == 0.0 and (vendor == 0.0 or r == 1.0)
        c = internal + vendor if internal + vendor > 0.0 else 0.0
        for d in range(d0, d1):
            if not constant:
                c = internal - learning + vendor
                learning *= q
                vendor *= r
                if c < 0.0:
                    c = 0.0
            b += a[d] - c
            if b < _EPS:
                b = 0.0
            if d >= lag:
                gone = cum_a[d + 1] - b
                floor = cum_a[d - lag]
                if gone < floor:
                    gone = floor
                still = cum_a[d - lag + 1] - gone
                if still > _EPS:
                    cb += still
            cum_br.append(cb)
        self.b = b
        self.dep = cum_a[d1] - b

    def _max_arrivals(self, d0: int, d1: int) -> float:
        """An upper bound of the arrivals on days ``[d0, d1)`` (block maxima)."""
        return max(self.block_max[d0 // _BLOCK : (d1 - 1) // _BLOCK + 1])

    def empty_until(self, day: int, low: float) -> int:
        """A day up to which an empty queue stays empty from ``day`` on while the capacity
        never falls below ``low``: the start of the first block of days from ``day``'s on in
        which some day brings more than ``low`` tickets (the horizon when none does)."""
        if day >= self.n:
            return self.n
        i = day // _BLOCK
        levels = self.levels
        blocks = len(levels[0])
        for k in range(len(levels) - 1, -1, -1):  # jump over stretches that stay within `low`
            if i + (1 << k) <= blocks and levels[k][i] <= low:
                i += 1 << k
        return min(self.n, i * _BLOCK)

    def empty_within(
        self, day: int, internal: float, learning: float, vendor: float, q: float, r: float
    ) -> int:
        """:meth:`empty_until` for a capacity segment whose day ``day`` has capacity
        ``internal − learning + vendor`` (learning term decaying by ``q`` a day, vendor term by
        ``r``): block by block, each block against the segment's lowest capacity in it, for up
        to :data:`_SCAN` blocks; then against the lowest capacity from there on."""
        n = self.n
        if day >= n:
            return n
        if learning < 1e-9 * internal and (vendor == 0.0 or r == 1.0):
            return self.empty_until(day, internal - learning + vendor)  # a flat capacity
        block_max = self.block_max
        b = day // _BLOCK
        last = min(len(block_max), b + _SCAN)
        # the scan's blocks all pass when their highest arrivals stay below the segment's lowest
        # capacity over all of them (the learning term at its largest, the vendor's at its
        # smallest), with a margin far above rounding: checked at once, as it mostly is
        if last > b and learning >= 0.0 and vendor >= 0.0:
            j_last = min(n, last * _BLOCK) - 1 - day
            floor = internal - learning + (vendor * r**j_last if r < 1.0 else vendor)
            most = self.scan_max[b] if last - b == _SCAN else max(block_max[b:last])
            if most <= floor - 1e-9 * abs(floor):
                b = last
        return self._scan(day, b, internal, learning, vendor, q, r)

    def _scan(
        self, day: int, b: int, internal: float, learning: float, vendor: float, q: float, r: float
    ) -> int:
        """:meth:`empty_within` from block ``b`` on (the block of ``day`` or a later one, up to
        :data:`_SCAN` blocks from ``day``'s): block by block, then the rest at once."""
        n = self.n
        block_max = self.block_max
        last = min(len(block_max), day // _BLOCK + _SCAN)
        start = max(day, b * _BLOCK)
        while b < last:
            end = min(n, (b + 1) * _BLOCK) - 1  # the block's last day
            j0, j1 = start - day, end - day
            lowest = internal - learning * q**j0 + (vendor * r**j1 if r < 1.0 else vendor)
            if block_max[b] > lowest:
                return b * _BLOCK if b * _BLOCK > day else day
            b += 1
            start = b * _BLOCK
        if b >= len(block_max):
            return n
        j0 = b * _BLOCK - day
        return self.empty_until(
            b * _BLOCK, internal - learning * q**j0 + (0.0 if r < 1.0 else vendor)
        )

    def _abandons(self, d0: int, d1: int) -> bool:
        return any(d0 <= d < d1 for d in self.abandon)

    # what the review reads ---------------------------------------------------------------------

    def capacity_until(self, day: int) -> float:
        """Tickets of capacity on days ``[0, day)`` (``day`` ≤ the processed days)."""
        if day <= 0 or not self._p_start:
            return 0.0
        i = bisect.bisect_right(self._p_start, day - 1) - 1
        internal, learning, vendor, q, r = self._p_form[i]
        return self._p_cum[i] + _capacity_sum(
            internal, learning, vendor, q, r, day - self._p_start[i]
        )

    def due_until(self, day: int) -> float:
        """Tickets falling due on days ``[0, day)``."""
        return self.cum_a[max(0, min(day - self.lag, self.n))]

    def oldest_age(self) -> float:
        """Working days since the oldest open ticket arrived, at the start of ``self.day``."""
        if self.b <= 0.0:
            return 0.0
        cohort = bisect.bisect_right(self.cum_a, self.dep + _EPS) - 1
        return float(self.day - min(cohort, self.day - 1))

    def open_arrived_by(self, day: int) -> float:
        """Open tickets that arrived on day ``day`` or before."""
        if day < 0:
            return 0.0
        return max(0.0, self.cum_a[min(day, self.n - 1) + 1] - self.dep)

    def compliance(self, start: int, stop: int) -> float:
        """1 − breached / due over days ``[start, stop)`` (1 when nothing fell due)."""
        start = max(0, start)
        due = self.due_until(stop) - self.due_until(start)
        if due <= 0.0:
            return 1.0
        return 1.0 - (self.cum_br[stop] - self.cum_br[start]) / due

    def glance(self, week: int, triage_age: float) -> Glance:
        """The review's :class:`Glance` at the start of ``self.day``."""
        r = self.day
        b = self.b
        stale = self.open_arrived_by(r - math.ceil(triage_age)) if b > 0.0 else 0.0
        start = r - week if r > week else 0
        cum_br = self.cum_br
        last = 1.0 if cum_br[r] == cum_br[start] else self.compliance(start, r)
        return Glance(r, b, stale, last)

    def view(self, window: int, week: int, triage_age: float) -> QueueView:
        """The review's view at the start of ``self.day`` over the last ``window`` days."""
        r = self.day
        start = max(0, r - window)
        weeks = tuple(self.compliance(s, min(s + week, r)) for s in range(start, r, week) if s < r)
        return QueueView(
            day=r,
            backlog=self.b,
            oldest_age=self.oldest_age(),
            stale=self.open_arrived_by(r - math.ceil(triage_age)) if self.b > 0.0 else 0.0,
            compliance=self.compliance(start, r),
            capacity=self.capacity_until(r) - self.capacity_until(start),
            arrivals=self.cum_a[r] - self.cum_a[start],
            weekly=weeks,
        )


def _capacity_sum(
    internal: float, learning: float, vendor: float, q: float, r: float, days: int
) -> float:
    """Σ_{j<days} (internal − learning·q^j + vendor·r^j)."""
    total = internal * days
    if learning:
        total -= learning * (days if q == 1.0 else (1.0 - q**days) / (1.0 - q))
    if vendor:
        total += vendor * (days if r == 1.0 else (1.0 - r**days) / (1.0 - r))
    return total
