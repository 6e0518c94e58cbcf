"""A synthetic but realistic results folder, laid out exactly as the engine writes it.

Plays the engine's part for the chart and report tests: it draws correlated inputs and outputs
with a fixed seed, then computes the summary, bands, sensitivity and risk effects with pandas /
numpy / scipy (the engine's job, not the report's).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.results.run_results import SENSITIVITY_OUTPUTS
from simulation.scenario.schema import SERIES_NAMES

HORIZON = 60
CURRENCY = "EUR"
PCTS = (5, 10, 20, 50, 80, 90, 95)
TARGETS = {"transition_months": ("<=", 12.0), "npv_savings": (">=", 0.0)}
SERIES = SERIES_NAMES  # the contract: every monthly series the engine writes
#: What management had to do (issue 14): outputs and series a folder written before the
#: management layer does not have.
MANAGEMENT_OUTPUTS = (
    "response_cost",
    "agency_agent_days",
    "overtime_weeks",
    "hypercare_agent_days",
    "final_target_agents",
    "abandoned_tickets",
    "relapse_weeks",
    "backlog_at_horizon_days",
    "steady_sla_compliance",
    "disruption_after_stabilisation_cost",
)
MANAGEMENT_SERIES = ("agency_agents", "hypercare_agents", "target_agents")
PLANNED_TEAM = 20  # staffing.target_agents, fixed (see INPUTS)

SCENARIO_TOML = """[scenario]
name = "synthetic help desk"
description = "Test fixture"
currency = "EUR"
horizon_months = 60

[staffing]
time_to_hire_days = {dist = "pert", min = 20, mode = 40, max = 90}
"""


def _samples(rng: np.random.Generator, n: int) -> pd.DataFrame:
    hire = rng.triangular(20, 40, 90, n)
    coop = rng.uniform(0.5, 0.9, n)
    tickets = rng.normal(120, 15, n)
    ramp = rng.triangular(30, 60, 120, n)
    delay = rng.random(n) < 0.25
    walkout = rng.random(n) < 0.1
    months = 6 + 0.06 * hire + 6 * (0.9 - coop) + 0.01 * ramp + 2.0 * delay + 3.0 * walkout
    months += rng.normal(0, 0.7, n)
    stabilised = months < HORIZON
    cost = 0.9e6 + 45_000 * months + 2_000 * (tickets - 120) + rng.normal(0, 60_000, n)
    npv = 1.9e6 - 1.2 * cost + rng.normal(0, 300_000, n)
    breakeven = np.where(npv > 0, 56 - npv / 3e4, np.nan)
    breakeven = np.where(breakeven <= HORIZON, np.clip(breakeven, 12, HORIZON), np.nan)
    return pd.DataFrame(
        {
            "iteration": np.arange(n),
            "in.staffing.time_to_hire_days": hire,
            "in.vendor.cooperation_after_notice": coop,
            "in.demand.tickets_per_day": tickets,
            "in.staffing.ramp_up_days": ramp,
            "out.transition_months": months,
            "out.transition_cost": cost,
            "out.npv_savings": npv,
            "out.cutover_month": months - 2.5,
            "out.breakeven_month": breakeven,
            "out.peak_backlog": 200 + 30 * months + rng.normal(0, 40, n),
            "out.stabilised": stabilised.astype(float),
            "risk.negotiation_delay": delay.astype(int),
            "risk.vendor_walkout": walkout.astype(int),
        }
    )


def _management(samples: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The management outputs, drawn from their own generator (the other columns stay as they
    were): help in the slow futures, no hypercare and no triage, the team grown in a few."""
    rng = np.random.default_rng(seed + 1)
    n = len(samples)
    months = samples["out.transition_months"].to_numpy()
    agency = np.where(months > 11, 45 * (months - 11) + rng.uniform(0, 20, n), 0.0)
    overtime = np.clip(np.round(months - 9), 0, 12)
    cost = agency * 420.0 + overtime * 3_100.0
    grown = (months > 12.5) * rng.integers(1, 4, n)
    relapse = np.where(rng.random(n) < 0.2, rng.integers(1, 6, n), 0)
    outputs = {
        "out.response_cost": cost,
        "out.agency_agent_days": agency,
        "out.overtime_weeks": overtime,
        "out.hypercare_agent_days": np.zeros(n),
        "out.final_target_agents": PLANNED_TEAM + grown.astype(float),
        "out.abandoned_tickets": np.zeros(n),
        "out.relapse_weeks": relapse.astype(float),
        "out.backlog_at_horizon_days": rng.exponential(0.1, n) * (rng.random(n) < 0.3),
        "out.steady_sla_compliance": np.clip(1 - rng.exponential(0.01, n), 0, 1),
        "out.disruption_after_stabilisation_cost": relapse * 4_000.0,
    }
    risks = [c for c in samples.columns if c.startswith("risk.")]
    return pd.concat([samples.drop(columns=risks), pd.DataFrame(outputs), samples[risks]], axis=1)


def _stats(name: str, column: pd.Series) -> dict[str, object]:
    values = column.dropna().to_numpy(dtype=float)
    q = np.percentile(values, PCTS)
    return {
        "metric": name,
        "mean": values.mean(),
        "std": values.std(ddof=1),
        "min": values.min(),
        **{f"p{p}": v for p, v in zip(PCTS, q, strict=True)},
        "max": values.max(),
        "p50_se": values.std(ddof=1) * 0.02,
        "p90_se": values.std(ddof=1) * 0.03,
        "n": len(values),
        "n_missing": int(column.isna().sum()),
        "target": "",
        "p_within_target": np.nan,
        "p_within_target_se": np.nan,
    }


def _summary(samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for col in [c for c in samples.columns if c.startswith("out.")]:
        metric = col.removeprefix("out.")
        values = samples[col].dropna().to_numpy()
        row = _stats(metric, samples[col])
        if metric in TARGETS:
            op, limit = TARGETS[metric]
            met = values <= limit if op == "<=" else values >= limit
            p = met.mean()
            row.update(
                target=f"{op} {limit:g}",
                p_within_target=p,
                p_within_target_se=np.sqrt(p * (1 - p) / len(values)),
            )
        rows.append(row)
    # the indicator rows: the statistics of a 0/1 column, whose mean is the probability
    for name, indicator in (
        ("p_npv_savings_positive", samples["out.npv_savings"] > 0),
        ("p_breakeven_within_horizon", samples["out.breakeven_month"].notna()),
    ):
        rows.append(_stats(name, indicator.astype(float)))
    return pd.DataFrame(rows)


def _timeseries(
    rng: np.random.Generator, samples: pd.DataFrame, series: tuple[str, ...] = SERIES
) -> pd.DataFrame:
    n = len(samples)
    month = np.arange(1, HORIZON + 1)
    cut = samples["out.cutover_month"].to_numpy()[:, None]
    ramp = np.clip((month[None, :] - 3) / (cut - 2), 0, 1)
    internal = 20 * ramp + rng.normal(0, 0.5, (n, HORIZON))
    vendor = np.where(month[None, :] < cut, 22 * np.exp(-0.05 * np.maximum(month - 4, 0)), 0.0)
    demand = 120 * 21 * (1.03 ** (month / 12)) + rng.normal(0, 80, (n, HORIZON))
    capacity = (internal * 6.5 + vendor * 6.0) * 21
    backlog = np.maximum(0, demand - capacity).cumsum(axis=1) * 0.05
    sla = np.clip(1 - backlog / 3000, 0.4, 1)
    knowledge = np.clip(ramp * 1.1, 0, 1)
    disc = (1 + 0.08) ** (-month / 12)
    fee = 160_000 * disc
    status_quo = np.cumsum(np.broadcast_to(fee, (n, HORIZON)), axis=1) * rng.uniform(
        0.95, 1.05, (n, 1)
    )
    back_monthly = np.where(month[None, :] < cut, fee + 60_000, 110_000 * disc)
    backsourcing = 900_000 + np.cumsum(back_monthly, axis=1)
    paths = {
        "internal_agents": internal,
        "vendor_agents": vendor,
        "effective_capacity": capacity,
        "demand": demand,
        "backlog": backlog,
        "sla_compliance": sla,
        "knowledge_transferred": knowledge,
        "cost_backsourcing": backsourcing,
        "cost_status_quo": status_quo,
        # management's levers: a few agency agents around cutover, no hypercare, the plan's team
        "agency_agents": np.where(np.abs(month[None, :] - cut) < 2, 3.0, 0.0),
        "hypercare_agents": np.zeros((n, HORIZON)),
        "target_agents": np.full((n, HORIZON), 20.0),
    }
    frames = []
    for name in series:
        values = paths[name]
        p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "month": month,
                    "series": name,
                    "mean": values.mean(axis=0),
                    "p10": p10,
                    "p50": p50,
                    "p90": p90,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _sensitivity(samples: pd.DataFrame) -> pd.DataFrame:
    inputs = [c for c in samples.columns if c.startswith("in.")]
    rows = []
    for output in SENSITIVITY_OUTPUTS:
        rho = samples[inputs].corrwith(samples[f"out.{output}"], method="spearman")
        contribution = rho**2 / (rho**2).sum()
        order = rho.abs().sort_values(ascending=False).index
        for rank, col in enumerate(order, start=1):
            rows.append(
                {
                    "output": output,
                    "input": col.removeprefix("in."),
                    "spearman": rho[col],
                    "contribution": contribution[col],
                    "rank": rank,
                }
            )
    return pd.DataFrame(rows)


def _risks(samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for col in [c for c in samples.columns if c.startswith("risk.")]:
        hit = samples[col] == 1
        row: dict[str, object] = {
            "risk": col.removeprefix("risk."),
            "occurrence_rate": hit.mean(),
            "occurrences": int(hit.sum()),
        }
        for metric in ("transition_cost", "transition_months"):
            with_, without = (
                samples.loc[hit, f"out.{metric}"].mean(),
                samples.loc[~hit, f"out.{metric}"].mean(),
            )
            row.update(
                {
                    f"{metric}_with": with_,
                    f"{metric}_without": without,
                    f"{metric}_effect": with_ - without,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


INPUTS = pd.DataFrame(
    [
        (
            "staffing.time_to_hire_days",
            "PERT from 20 to 90, most likely 40",
            45.0,
            "working days",
            True,
        ),
        ("vendor.cooperation_after_notice", "uniform from 0.5 to 0.9", 0.7, "fraction", True),
        ("demand.tickets_per_day", "normal, mean 120, sd 15", 120.0, "tickets/day", True),
        (
            "staffing.ramp_up_days",
            "triangular from 30 to 120, most likely 60",
            70.0,
            "working days",
            True,
        ),
        ("vendor.monthly_fee", "fixed at 160000", 160000.0, "currency/month", False),
        ("staffing.target_agents", "fixed at 20", 20.0, "agents", False),
    ],
    columns=["input", "distribution", "mean", "unit", "uncertain"],
)


def write_results_folder(
    path: Path,
    *,
    n: int = 500,
    seed: int = 12345,
    converged: bool | None = True,
    management: bool = True,
) -> Path:
    """Write a complete results folder into ``path`` (created) and return it.

    ``management`` False: the folder as written before the management layer, without its
    outputs (:data:`MANAGEMENT_OUTPUTS`) and monthly series (:data:`MANAGEMENT_SERIES`); every
    other file is the same."""
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    samples = _samples(rng, n)
    if management:
        samples = _management(samples, seed)
    samples.to_csv(path / "samples.csv", index=False)
    _summary(samples).to_csv(path / "summary.csv", index=False)
    series = SERIES if management else tuple(s for s in SERIES if s not in MANAGEMENT_SERIES)
    _timeseries(rng, samples, series).to_csv(path / "timeseries.csv", index=False)
    _sensitivity(samples).to_csv(path / "sensitivity.csv", index=False)
    _risks(samples).to_csv(path / "risks.csv", index=False)
    INPUTS.to_csv(path / "inputs.csv", index=False)
    (path / "scenario.toml").write_text(SCENARIO_TOML, encoding="utf-8")
    run = {
        "scenario": {
            "path": "scenarios/synthetic.toml",
            "sha256": "ab" * 32,
            "name": "synthetic help desk",
            "description": "A synthetic results folder for the report tests.",
        },
        "seed": seed,
        "iterations": n,
        "sampler": "lhs",
        "jobs": 2,
        "versions": {
            "simulation": "0.1.0",
            "numpy": np.__version__,
            "scipy": "1.13.0",
            "simpy": "4.1.1",
        },
        "started": "2025-01-01T10:00:00Z",
        "finished": "2025-01-01T10:00:04Z",
        "wall_seconds": 4.2,
        "convergence": {
            "mode": "fixed" if converged is None else "auto",
            "converged": converged,
            "message": "P10/P50/P90 moved less than 1% of P50"
            if converged
            else "stopped at --max-iterations before the percentiles settled",
        },
        "currency": CURRENCY,
        "horizon_months": HORIZON,
        "warnings": [],
    }
    (path / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    return path
