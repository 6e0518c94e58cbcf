"""Outputs computed for a batch of runs equal the outputs of each run computed alone, also when
the runs of a batch have different calendars (SLA, working days, stabilisation weeks)."""

from __future__ import annotations

import numpy as np
from hand_case import HAND

from simulation.model import SCALAR_NAMES, run_programme
from simulation.model.inputs import build_inputs
from simulation.model.outcomes import outcomes


def _inputs(seed: int, **changes: float):  # type: ignore[no-untyped-def]
    values = dict(HAND)
    values.update(
        {
            "staffing.annual_attrition": 0.3,
            "vendor.attrition_after_notice": 0.2,
            "staffing.offer_acceptance": 0.7,
            "staffing.ramp_up_days": 30,
            "staffing.target_agents": 3,  # short-staffed: backlogs, breaches, open tickets
        }
    )
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    # the management layer on in runs 0-5 and 12-17, off in 6-11: each calendar has both; runs
    # 12-17 also check the queue at stabilisation and cap the lateness charged per ticket
    if seed >= 12:
        values.update({"policy.stable_backlog_days": 1.0, "costs.disruption_cap_per_ticket": 40})
    options = {"policy.cutover": "readiness", "response.enabled": (seed // 6) % 2 == 0}
    return build_inputs(values, options)


def test_a_batch_equals_its_runs_one_at_a_time() -> None:
    calendars = [
        {},
        {"demand__sla_days": 0},
        {"demand__sla_days": 5.5, "policy__stable_weeks": 1},
        {"demand__working_days_per_month": 21},
        {"demand__working_days_per_week": 4, "policy__stable_weeks": 6},
        {"demand__sla_days": 400},  # the SLA outlasts the horizon: nothing ever falls due
    ]
    records = [
        run_programme(
            _inputs(seed, **calendars[seed % len(calendars)]), np.random.default_rng(seed)
        )
        for seed in range(18)
    ]
    batch = outcomes(records)
    assert batch.scalars.shape[0] == len(records)
    for j, record in enumerate(records):
        alone = outcomes([record])
        np.testing.assert_allclose(batch.scalars[j], alone.scalars[0], rtol=1e-12, atol=1e-9)
        months = alone.monthly.shape[2]
        np.testing.assert_allclose(batch.monthly[j, :, :months], alone.monthly[0], atol=1e-9)
    # the batch exercises what it claims: breaches, leavers, stabilised and unstable runs
    breached = batch.scalars[:, SCALAR_NAMES.index("tickets_breached")]
    stabilised = batch.scalars[:, SCALAR_NAMES.index("stabilised")]
    assert (breached > 0).sum() >= 10 and (breached == 0).sum() >= 2
    assert batch.scalars[:, SCALAR_NAMES.index("leavers")].max() >= 1
    assert 0 < stabilised.sum() < len(records)


def test_an_empty_batch() -> None:
    out = outcomes([])
    assert out.scalars.shape[0] == 0 and out.monthly.shape[0] == 0


def test_a_chunk_longer_than_an_outcome_batch_equals_small_chunks() -> None:
    """A worker computes outputs in batches of OUTCOME_BATCH runs; a chunk spanning several
    batches (and a partial last one) gives the same rows as chunks far smaller than a batch."""
    from pathlib import Path

    from simulation.engine.run import make_worker
    from simulation.engine.worker import OUTCOME_BATCH
    from simulation.sampling.designs import draw_inputs
    from simulation.scenario.reader import load_scenario

    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "it_helpdesk.toml")
    n = 2 * OUTCOME_BATCH + 11
    matrix = draw_inputs(
        scenario.inputs, scenario.uncertain, scenario.correlations, n, 3, scenario.sampler
    )
    worker = make_worker(scenario, matrix, 3)
    whole = worker.run_range(0, n)
    parts = [worker.run_range(a, min(a + 9, n)) for a in range(0, n, 9)]
    for name in ("scalars", "risks", "monthly"):
        np.testing.assert_array_equal(
            getattr(whole, name), np.concatenate([getattr(p, name) for p in parts])
        )
