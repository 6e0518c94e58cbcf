"""Shortcuts the capacity recorder takes for speed, each checked against the slower way it
replaces.

The queue watch's quiet-stretch bound (``QueueWatch.empty_within``): how long an empty queue
stays empty under one capacity segment. The review skips the reviews of that stretch, so the
bound must never reach a day whose arrivals exceed its capacity, and its quick check of the
whole scan must give what the block-by-block scan gives. The recorder's clock
(``CapacityRecorder._clock_to``): set, not moved by a timeout."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.model.watch import _BLOCK, QueueWatch


def _scan_reference(
    w: QueueWatch, day: int, internal: float, learning: float, vendor: float, q: float, r: float
) -> int:
    """``empty_within`` without its quick check: block by block from ``day``'s block."""
    if day >= w.n or (learning < 1e-9 * internal and (vendor == 0.0 or r == 1.0)):
        return w.empty_within(day, internal, learning, vendor, q, r)  # neither path checks
    return w._scan(day, day // _BLOCK, internal, learning, vendor, q, r)


segments = st.tuples(
    st.floats(150.0, 400.0),  # internal
    st.floats(0.0, 120.0),  # learning
    st.floats(0.0, 120.0),  # vendor
    st.floats(0.0, 0.999),  # q
    st.sampled_from([1.0, 0.99, 0.95, 0.8]),  # r
)


def _check(w: QueueWatch, day: int, seg: tuple[float, float, float, float, float]) -> None:
    """The bound equals the block-by-block scan's, and no day from ``day`` up to it brings
    more tickets than the segment's capacity on that day (a bound at or before ``day``, the
    start of a block that breaks, means no quiet stretch)."""
    until = w.empty_within(day, *seg)
    assert until == _scan_reference(w, day, *seg)
    assert until <= w.n
    internal, learning, vendor, q, r = seg
    j = np.arange(max(0, until - day), dtype=np.float64)
    capacity = internal - learning * q**j + vendor * (r**j if r < 1.0 else 1.0)
    assert np.all(np.asarray(w.a[day:until]) <= capacity + 1e-9)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(1, 420), st.floats(0.0, 1.0), segments)
def test_an_empty_queue_stays_empty_up_to_the_bound(
    seed: int, n: int, at: float, seg: tuple[float, float, float, float, float]
) -> None:
    arrivals = np.random.default_rng(seed).poisson(200.0, n).astype(np.float64)
    _check(QueueWatch(arrivals, 2), min(n, int(at * n)), seg)


def test_the_quick_check_gives_the_scan_s_bound_in_many_seeded_cases() -> None:
    """20,000 seeded segments on 200 arrival series, most of them near the arrivals' peaks
    (where the quick check and the scan part): a check one block short of the scan, say, is
    caught here in about a hundred cases (hypothesis's few hundred examples could miss it)."""
    rng = np.random.default_rng(20261129)
    for _ in range(200):
        n = int(rng.integers(1, 1400))
        w = QueueWatch(rng.poisson(rng.uniform(5.0, 300.0), n).astype(np.float64), 2)
        peak = max(w.a)
        for _ in range(100):
            internal = peak * rng.uniform(0.9, 1.6)
            seg = (
                internal,
                internal * rng.uniform(0.0, 0.5) * (rng.random() < 0.8),
                peak * rng.uniform(0.0, 0.5),
                float(rng.choice([0.0, 0.9, 0.99, 0.999])),
                float(rng.choice([1.0, 0.999, 0.99, 0.95])),
            )
            _check(w, int(rng.integers(0, n)), seg)


def test_the_recorder_moves_simpys_clock_as_a_timeout_would() -> None:
    """``CapacityRecorder._clock_to`` sets SimPy's clock (``Environment._now``) instead of
    processing a timeout: an event scheduled after it must fall due counted from the new day,
    and an event due later must still come in its order (a SimPy release that kept its clock
    elsewhere would fail here, not silently shift every action of a run)."""
    from hand_case import HAND

    from simulation.model.inputs import build_inputs
    from simulation.model.programme import Programme

    options = {"policy.cutover": "readiness", "simulation.variability": "none"}
    programme = Programme(build_inputs(HAND, options), None, False)
    env, recorder = programme.ctx.env, programme.recorder
    seen: list[tuple[str, float]] = []
    env.timeout(9.5).callbacks.append(lambda _: seen.append(("later", env.now)))
    recorder._clock_to(4)
    assert env.now == 4
    env.timeout(2).callbacks.append(lambda _: seen.append(("after", env.now)))
    recorder._clock_to(3)  # never backwards
    assert env.now == 4
    env.run()
    assert seen == [("after", 6), ("later", 9.5)]
