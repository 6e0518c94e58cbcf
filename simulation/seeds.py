"""One seed, many streams: every random stream of a run derives from one root seed.

Input columns come from per-input streams (see docs/architecture.md); iteration ``i``'s model
stream is ``SeedSequence(seed, spawn_key=(1, i))``, so it depends only on (seed, i).
"""

from __future__ import annotations

import numpy as np


def fresh_seed() -> int:
    """A new root seed from the operating system's entropy (always recorded by the caller)."""
    return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]


def iteration_stream(seed: int, i: int) -> np.random.Generator:
    """Iteration ``i``'s model stream: depends only on (seed, i)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, i)))
