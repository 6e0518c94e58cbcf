"""The management layer switched off reproduces the model before it (issue 14, section 7).

Every shipped scenario as it was before the layer (``tests/data/pre_response``), run with
``response.enabled = false`` and with ``costs.disruption_cap_per_ticket`` and
``policy.stable_backlog_days`` unset, gives every old scalar output bit for bit
(``outputs.json``, written by ``scripts/make_response_off_reference.py`` on the old model).
The one exception is ``transition_cost``, whose definition changed: it now adds the termination
and extension costs (and the response's cost, 0 here), and counts disruption only until the
transition ends (the rest is ``disruption_after_stabilisation_cost``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from simulation.engine.run import simulate
from simulation.model import SCALAR_NAMES
from simulation.scenario.reader import load_scenario
from simulation.scenario.run_options import RunOptions

FOLDER = Path(__file__).resolve().parents[1] / "data" / "pre_response"
REFERENCE = json.loads((FOLDER / "outputs.json").read_text())


def _column_hash(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(REFERENCE["scenarios"]))
def test_switched_off_layer_reproduces_the_old_model(name: str) -> None:
    sc = load_scenario(FOLDER / name)
    assert sc.options["response.enabled"] is True  # the default: switch it off explicitly
    options = dict(sc.options)
    options["response.enabled"] = False
    sc = dataclasses.replace(sc, options=MappingProxyType(options))
    raw = simulate(sc, RunOptions(REFERENCE["iterations"], seed=REFERENCE["seed"], jobs=1))
    col = {n: raw.scalars[:, j] for j, n in enumerate(SCALAR_NAMES)}
    expected = REFERENCE["scenarios"][name]
    changed = [
        metric
        for metric, digest in expected["hashes"].items()
        if metric != "transition_cost" and _column_hash(col[metric]) != digest
    ]
    assert changed == []
    assert np.all(col["response_cost"] == 0.0) and np.all(col["agency_agent_days"] == 0.0)
    old = np.asarray(expected["transition_cost"])
    new = (
        old
        + col["termination_cost"]
        + col["extension_cost"]
        - col["disruption_after_stabilisation_cost"]
    )
    np.testing.assert_allclose(col["transition_cost"], new, rtol=1e-12, atol=1e-6)
