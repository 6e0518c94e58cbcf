"""Benchmark one transition-model iteration on an it_helpdesk-like case.

Prints ms per iteration and SimPy events per iteration (stochastic and "none" variability) for
the single-run API ``run_transition``, which computes one run's outputs on its own (about 0.4 ms
of numpy calls a run); the engine computes them per chunk of runs, so its per-iteration cost is
lower (``scripts/bench_run.py``); the last lines show the outputs' cost per iteration by batch
size, the figure behind ``worker.OUTCOME_BATCH``. ``--profile`` prints the top of a cProfile
report.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import numpy as np

from simulation.model import run_programme, run_transition
from simulation.model.inputs import ModelInputs, build_inputs
from simulation.model.outcomes import outcomes
from simulation.sampling.seeds import iteration_stream
from simulation.scenario.types import Risk, Wave

#: it_helpdesk-like values (modes of scenarios/it_helpdesk.toml), all risks occurring.
VALUES: dict[str, float] = {
    "scenario.horizon_months": 60,
    "scenario.discount_rate": 0.08,
    "phases.evaluation_weeks": 10,
    "phases.negotiation_weeks": 8,
    "phases.planning_weeks": 8,
    "vendor.agents": 11,
    "vendor.tickets_per_agent_day": 25,
    "vendor.notice_months": 3,
    "vendor.cooperation": 0.9,
    "vendor.cooperation_after_notice": 0.6,
    "vendor.attrition_after_notice": 0.1,
    "vendor.monthly_fee": 90000,
    "vendor.annual_price_increase": 0.03,
    "vendor.termination_fee": 90000,
    "vendor.extension_premium": 0.15,
    "demand.tickets_per_day": 238,
    "demand.growth_per_year": 0.02,
    "demand.sla_days": 2,
    "staffing.target_agents": 12,
    "staffing.parallel_hiring": 6,
    "staffing.time_to_hire_days": 84,
    "staffing.offer_acceptance": 0.85,
    "staffing.onboarding_days": 10,
    "staffing.ramp_up_days": 65,
    "staffing.tickets_per_agent_day": 25,
    "staffing.annual_attrition": 0.38,
    "staffing.managers": 1,
    "staffing.manager_salary_per_year": 75000,
    "staffing.salary_per_year": 58000,
    "staffing.recruiting_cost_per_hire": 12000,
    "knowledge.domains": 12,
    "knowledge.parallel_sessions": 3,
    "knowledge.transfer_days_per_domain": 10,
    "knowledge.rediscovery_days_per_domain": 40,
    "knowledge.unknown_domain_productivity": 0.6,
    "costs.one_off_programme_management": 100000,
    "costs.one_off_tooling": 50000,
    "costs.monthly_tooling": 3000,
    "costs.disruption_per_ticket_day": 10,
    "policy.readiness_capacity": 0.9,
    "policy.readiness_knowledge": 0.8,
    "policy.max_extension_months": 6,
    "policy.sla_target": 0.85,
    "policy.stable_weeks": 4,
    "risks.walkout.occurs": 1,
    "risks.walkout.at_month": 6,
    "risks.walkout.level": 0.2,
    "risks.loss.occurs": 1,
    "risks.loss.at_month": 12,
    "risks.loss.agents": 3,
    "risks.surge.occurs": 1,
    "risks.surge.at_month": 9,
    "risks.surge.extra_tickets_per_day": 50,
    "risks.surge.duration_days": 21,
    "risks.freeze.occurs": 1,
    "risks.freeze.at_month": 4,
    "risks.freeze.duration_days": 63,
    "risks.delay.occurs": 1,
    "risks.delay.impact": 4,
}
RISKS = (
    Risk("walkout", "event", event="vendor_walkout"),
    Risk("loss", "event", event="staff_loss"),
    Risk("surge", "event", event="ticket_surge"),
    Risk("freeze", "event", event="hiring_freeze"),
    Risk("delay", "adds_to", target="phases.negotiation_weeks"),
)


def inputs(
    variability: str,
    target_agents: int = 12,
    extra: dict[str, float] | None = None,
    options: dict[str, object] | None = None,
    waves: tuple[Wave, ...] = (),
) -> ModelInputs:
    values = dict(VALUES, **{"staffing.target_agents": float(target_agents)}, **(extra or {}))
    opts = {"policy.cutover": "readiness", "simulation.variability": variability}
    return build_inputs(values, {**opts, **(options or {})}, RISKS, waves=waves)


#: The transition strategies of issue 15 on the same case (shares as in the shipped
#: it_helpdesk alternatives).
STRATEGIES: dict[str, tuple[dict[str, float], dict[str, object], tuple[Wave, ...]]] = {
    "big_bang": ({}, {}, ()),
    "waves": (
        {},
        {"policy.strategy": "waves"},
        (Wave("a", 0.4, 0.0), Wave("b", 0.35, 15.0), Wave("c", 0.25, 21.0)),
    ),
    "selective": ({"policy.retained_share": 0.3}, {"policy.strategy": "selective"}, ()),
    "transfer": ({"staffing.transfer_offers": 8, "staffing.transfer_acceptance": 0.85}, {}, ()),
    "switch_vendor": (
        {
            "incoming.monthly_fee": 78750,
            "incoming.time_to_hire_days": 10,
            "incoming.annual_attrition": 0.97,
        },
        {"incoming.kind": "vendor"},
        (),
    ),
    # the new vendor's own overhead: its team at the in-house team's parameters (the queue of
    # the in-house run exactly); the extra events above are its bench's 97% attrition
    "switch_in_house_params": ({"incoming.monthly_fee": 78750}, {"incoming.kind": "vendor"}, ()),
    # the big bang at the new vendor's staffing: the same events as switch_vendor's
    "big_bang_bench_staffing": (
        {"staffing.time_to_hire_days": 10, "staffing.annual_attrition": 0.97},
        {},
        (),
    ),
    "stay": ({}, {"policy.strategy": "stay"}, ()),
}


def bench_strategies(n: int, rounds: int = 3) -> None:
    """The SimPy part (``run_programme``) per iteration of each strategy, and its ratio to the
    big bang's (target: at most 1.3). The strategies take turns, a block of ``n`` iterations
    each per round, so that a change in the machine's load hits them alike; the best round is
    kept."""
    cases = {name: inputs("stochastic", 12, *spec) for name, spec in STRATEGIES.items()}
    best = {name: float("inf") for name in cases}
    events: dict[str, float] = {}
    for p in cases.values():
        run_programme(p, np.random.default_rng(0))  # warm up
    for _ in range(rounds):
        for name, p in cases.items():
            counts = []
            t0 = time.perf_counter()
            for i in range(n):
                counts.append(run_programme(p, iteration_stream(1, i)).sim_events)
            best[name] = min(best[name], (time.perf_counter() - t0) / n)
            events[name] = float(np.mean(counts))
    base = best["big_bang"]
    for name, dt in best.items():
        print(
            f"strategy {name:>23}: {dt * 1e3:6.2f} ms/iteration (SimPy part), "
            f"{events[name]:6.1f} events, {dt / base:4.2f}x the big bang"
        )


def bench(variability: str, n: int, target_agents: int) -> None:
    p = inputs(variability, target_agents)
    run_transition(p, np.random.default_rng(0))  # warm up
    events = []
    t0 = time.perf_counter()
    for i in range(n):
        rng = iteration_stream(1, i)
        events.append(run_transition(p, rng if variability != "none" else None).sim_events)
    dt = (time.perf_counter() - t0) / n
    print(
        f"{variability:>10} target_agents={target_agents:>3}: {dt * 1e3:6.2f} ms/iteration, "
        f"{np.mean(events):7.1f} SimPy events/iteration"
    )


def bench_batches(n: int = 1024, sizes: tuple[int, ...] = (1, 16, 64, 256, 1024)) -> None:
    """Outputs (queue, series, costs) per iteration when computed for batches of each size."""
    p = inputs("stochastic")
    records = [run_programme(p, iteration_stream(1, i)) for i in range(n)]
    for _ in range(2):  # the first round warms caches and allocator
        figures = []
        for size in sizes:
            t0 = time.perf_counter()
            for a in range(0, n, size):
                outcomes(records[a : a + size])
            figures.append(f"{size}: {(time.perf_counter() - t0) / n * 1e6:.0f}")
    print("outputs by batch size (runs: us/iteration): " + ", ".join(figures))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=300, help="iterations per case")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument(
        "--strategies", action="store_true", help="only the transition strategies (issue 15)"
    )
    args = ap.parse_args()
    if args.strategies:
        bench_strategies(args.n)
        return
    if args.profile:
        p = inputs("stochastic")
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.n):
            run_transition(p, np.random.default_rng(i))
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return
    bench("stochastic", args.n, 12)
    bench("stochastic", args.n, 30)
    bench("none", args.n, 12)
    bench_strategies(args.n)
    bench_batches()


if __name__ == "__main__":
    main()
