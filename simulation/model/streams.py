"""Random numbers of one run, drawn in blocks, and the demand growth factor.

Every kind of draw (times to hire, offer acceptances, handover work, leaver thresholds …) is a
generator: ``next(stream)`` gives the next value. Values are drawn from the run's own generator
:data:`BLOCK` at a time, when the previous block is used up; under ``variability = "none"`` a
stream gives a fixed value for ever and draws nothing.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

#: Values drawn at once per kind of draw.
BLOCK = 64


def blocks(draw: Callable[[int], NDArray[np.float64]]) -> Iterator[float]:
    """Values drawn :data:`BLOCK` at a time, one block when the previous one is used up."""
    while True:
        yield from draw(BLOCK).tolist()


def stream(
    draw: Callable[[int], NDArray[np.float64]] | None, fixed: float = 0.0
) -> Iterator[float]:
    """Block-drawn random numbers of one kind; with ``draw=None`` (variability "none") it gives
    ``fixed`` for ever and never draws."""
    return itertools.repeat(fixed) if draw is None else blocks(draw)


def uniform_stream(rng: np.random.Generator | None, fixed: float = 0.0) -> Iterator[float]:
    """Uniform numbers in [0, 1) (``fixed`` under variability "none")."""
    return stream(None if rng is None else (lambda n: rng.random(n)), fixed)


def exponential_stream(rng: np.random.Generator | None, fixed: float = 1.0) -> Iterator[float]:
    """Exp(1) numbers (``fixed`` under variability "none")."""
    return stream(None if rng is None else (lambda n: rng.exponential(1.0, n)), fixed)


def gamma_stream(rng: np.random.Generator | None, mean: float, cv: float) -> Iterator[float]:
    """Durations with the given mean (days) and coefficient of variation (gamma)."""
    if rng is None or cv <= 0.0 or mean <= 0.0:
        return stream(None, mean)
    shape = 1.0 / (cv * cv)
    scale = mean / shape
    return blocks(lambda n: rng.gamma(shape, scale, n))


@functools.lru_cache(maxsize=64)
def growth(rate: float, month_days: int, days: int) -> NDArray[np.float64]:
    """Demand growth factor of each working day, ``(1 + rate) ** (day / (12 · month_days))``
    (read-only; shared by every run with the same yearly rate and calendar)."""
    factor = (1.0 + rate) ** (np.arange(days, dtype=np.float64) / (12.0 * month_days))
    factor.flags.writeable = False
    return factor
