"""The keys of ``[vendor]``: today's contract and team, and the terms that matter once notice is
served."""

from __future__ import annotations

from simulation.scenario.keyspec import LONG_DAYS, LONG_MONTHS, MAX_COUNT, WHY_LONG, KeySpec, spec

VENDOR_KEYS: tuple[KeySpec, ...] = (
    # [vendor]
    spec(
        "vendor",
        "agents",
        "integer",
        None,
        "agents",
        "Vendor agents serving the account",
        "nonneg",
        required=True,
        maximum=MAX_COUNT,
        why="each vendor agent is tracked in the model",
    ),
    spec(
        "vendor",
        "tickets_per_agent_day",
        "number",
        None,
        "tickets/agent/day",
        "Tickets one vendor agent resolves per working day",
        "positive",
        required=True,
    ),
    spec(
        "vendor",
        "notice_months",
        "number",
        3,
        "months",
        "Contractual notice period",
        "nonneg",
        maximum=LONG_MONTHS,
        why=WHY_LONG,
    ),
    spec(
        "vendor",
        "cooperation",
        "number",
        1.0,
        "fraction",
        "Knowledge-transfer speed factor before notice (1 = full cooperation)",
        "fraction",
    ),
    spec(
        "vendor",
        "cooperation_after_notice",
        "number",
        0.7,
        "fraction",
        "Knowledge-transfer speed factor after notice",
        "fraction",
    ),
    spec(
        "vendor",
        "attrition_after_notice",
        "number",
        0.1,
        "per month",
        "Share of remaining vendor agents leaving each month after notice (not replaced)",
        "fraction",
    ),
    spec(
        "vendor",
        "monthly_fee",
        "number",
        None,
        "currency/month",
        "Vendor fee a month at programme start (fee_model 'per_ticket': the fixed part charged "
        "besides the tickets, 0 for none)",
        "nonneg",
        required=True,
    ),
    spec(
        "vendor",
        "annual_price_increase",
        "number",
        0.0,
        "per year",
        "Yearly increase of the vendor fee",
        "rate",
    ),
    spec(
        "vendor",
        "termination_fee",
        "number",
        0.0,
        "currency",
        "One-off fee paid at vendor exit",
        "nonneg",
    ),
    spec(
        "vendor",
        "extension_premium",
        "number",
        0.0,
        "fraction",
        "Premium over the monthly fee for each month the vendor is kept past the planned exit",
        "nonneg",
    ),
)


VENDOR_NOTICE_KEYS: tuple[KeySpec, ...] = (
    # [vendor] terms that matter once notice is served
    spec(
        "vendor",
        "min_staffing_share",
        "number",
        0.0,
        "fraction",
        "Share of its agents the vendor keeps during notice and extension (termination "
        "assistance); leavers below it are replaced. 0: a vendor without that clause",
        "fraction",
    ),
    spec(
        "vendor",
        "backfill_days",
        "number",
        15.0,
        "working days",
        "Time the vendor needs to replace an agent below its staffing floor (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=WHY_LONG,
    ),
)
