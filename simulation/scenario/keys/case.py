"""The keys of ``[scenario]`` and ``[simulation]``: the case, its horizon and currency, and how it
is run."""

from __future__ import annotations

from simulation.scenario.keyspec import MAX_HORIZON_MONTHS, MAX_ITERATIONS, KeySpec, spec

CASE_KEYS: tuple[KeySpec, ...] = (
    # [scenario]
    spec("scenario", "name", "string", None, "", "Short name of the case", required=True),
    spec("scenario", "description", "string", "", "", "One or two sentences on the case"),
    spec(
        "scenario", "currency", "string", "EUR", "", "ISO currency code of every *_eur-style amount"
    ),
    spec("scenario", "start_date", "date", None, "", "Programme start (time zero), YYYY-MM-DD"),
    spec(
        "scenario",
        "horizon_months",
        "integer",
        60,
        "months",
        "Cost horizon of both paths",
        "positive",
        maximum=MAX_HORIZON_MONTHS,
        why=(
            "every iteration keeps 9 monthly series over the horizon and the model steps through "
            "each of its working days"
        ),
        structural=(
            "the horizon sets the length of every monthly series, which the engine holds as "
            "(iterations × series × months) arrays, so it must be the same in every iteration"
        ),
    ),
    spec(
        "scenario",
        "discount_rate",
        "number",
        0.08,
        "per year",
        "Annual discount rate for NPVs",
        "rate",
    ),
    # [simulation]
    spec(
        "simulation",
        "iterations",
        "integer",
        1000,
        "",
        "Monte Carlo iterations",
        "positive",
        maximum=MAX_ITERATIONS,
        why="every iteration's inputs and outputs are held in memory",
    ),
    spec(
        "simulation",
        "seed",
        "integer",
        None,
        "",
        "Root seed; drawn fresh and recorded if absent",
        "nonneg",
    ),
    spec(
        "simulation",
        "sampler",
        "choice",
        "lhs",
        "",
        "Uniform percentile sampler",
        choices=("lhs", "random", "sobol"),
    ),
    spec(
        "simulation",
        "variability",
        "choice",
        "stochastic",
        "",
        "'none': the model draws no random numbers (demand at its mean, durations at their value)",
        choices=("stochastic", "none"),
    ),
)
