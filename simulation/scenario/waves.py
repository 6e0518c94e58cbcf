"""The parts of ``policy.strategy`` outside the key sections: the ``[[waves]]`` of a ``"waves"``
strategy (each a share that cuts over no earlier than its month, after the wave before it) and
``policy.retained_share``, the part a ``"selective"`` strategy leaves with the vendor."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeGuard

from simulation.distributions.families import Distribution
from simulation.scenario.checks import lower_bound, upper_bound
from simulation.scenario.extends import Entry
from simulation.scenario.messages import Collector, value_text
from simulation.scenario.sections import named_entry
from simulation.scenario.types import Wave

__all__ = [
    "WAVE_KEYS",
    "read_waves",
]

#: Keys of one ``[[waves]]`` entry.
WAVE_KEYS = ("name", "share", "earliest_month", "description")


def read_waves(
    entries: list[Entry] | None,
    options: Mapping[str, object],
    inputs: Mapping[str, Distribution],
    horizon: float,
    c: Collector,
) -> tuple[Wave, ...]:
    """Validate ``[[waves]]`` against ``policy.strategy``: the waves of a ``"waves"`` strategy,
    in order, their shares summing to at most 1 (the rest stays with the vendor); none under
    any other strategy."""
    strategy = options.get("policy.strategy", "big_bang")
    if strategy != "waves":
        if entries:
            c.add(
                "waves",
                f"[[waves]] are read only under policy.strategy = 'waves' (it is '{strategy}')",
                entries[0].file,
            )
        _check_retained_share(strategy, inputs, c)
        return ()
    if not entries:
        c.add("waves", "policy.strategy = 'waves' needs at least one [[waves]] table")
        return ()
    waves: list[Wave] = []
    seen: set[str] = set()
    for item in entries:
        wave = _read_wave(item, waves[-1] if waves else None, horizon, seen, c)
        if wave is not None:
            waves.append(wave)
    total = sum(w.share for w in waves)
    if total > 1.0 + 1e-9:
        shares = " + ".join(f"{w.share:g}" for w in waves)
        c.add(
            "waves",
            f"the waves' shares must sum to at most 1 (the rest stays with the vendor), got "
            f"{shares} = {total:g}",
        )
    return tuple(waves)


def _check_retained_share(
    strategy: object, inputs: Mapping[str, Distribution], c: Collector
) -> None:
    """``policy.retained_share`` outside the waves: read only under ``"selective"``, where it
    must leave a part to take back and keep at least one of the vendor's agents."""
    retained = inputs.get("policy.retained_share")
    if retained is None:
        return
    if strategy != "selective":
        if upper_bound(retained) > 0.0:
            c.add("policy.retained_share", "is read only under policy.strategy = 'selective'")
        return
    if upper_bound(retained) >= 1.0:
        c.add(
            "policy.retained_share",
            "must be < 1 (a part must be taken back; to keep everything use strategy 'stay')",
        )
        return
    low = lower_bound(retained)
    if not low > 0.0:
        return
    agents = inputs.get("vendor.agents")
    n = round(lower_bound(agents)) if agents is not None else 0
    kept = n - math.floor(n * (1.0 - low) + 0.5)
    if n > 0 and kept < 1:
        c.add(
            "policy.retained_share",
            f"keeps no vendor agent: {low:g} of the vendor's {n} agents rounds to 0, "
            "so the part kept would be paid for and served by nobody (use at least "
            f"{0.5 / n:.2g}, or strategy 'big_bang')",
        )


def _is_number(value: object) -> TypeGuard[int | float]:
    """An int or a float, not a boolean (TOML's numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_wave(
    item: Entry, before: Wave | None, horizon: float, seen: set[str], c: Collector
) -> Wave | None:
    """One ``[[waves]]`` entry: its share of (0, 1] and its earliest month within the horizon,
    not before the wave ``before`` it; ``None`` when refused (reported on the entry's file)."""
    found = named_entry(item, "waves", WAVE_KEYS, seen, c)
    if found is None:
        return None
    name, entry = found
    where, file = f"waves.{name}", item.file
    share = entry.get("share")
    if not (_is_number(share) and 0 < share <= 1):
        c.add(
            f"{where}.share",
            "is required: the wave's share of demand and domains, within (0, 1], got "
            f"{value_text(share)}",
            file,
        )
        return None
    month = entry.get("earliest_month", 0)
    if not (_is_number(month) and 0 <= month <= horizon):
        c.add(
            f"{where}.earliest_month",
            f"must be a month within [0, {horizon:g}] (the horizon), got {value_text(month)}",
            file,
        )
        return None
    if before is not None and month < before.earliest_month:
        c.add(
            f"{where}.earliest_month",
            f"waves cut over one after another: {month:g} is before the earliest month of "
            f"the wave before it ({before.earliest_month:g})",
            file,
        )
        return None
    return Wave(name, float(share), float(month))
