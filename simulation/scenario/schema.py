"""The scenario contract: every key of every section, its kind, default, unit, bounds and meaning.

This table is the single source of truth for the scenario reader (unknown keys, defaults, types,
bounds), for ``simulate new`` starter files and for the model's parameter object. Numeric keys
(``kind`` ``number`` or ``integer``) may be given as a plain number or as a distribution table
(see :mod:`simulation.distributions.families`); every other kind must be a plain value.

Keys whose name starts with a prefix listed in :data:`PREFIX_KEYS` (``costs.one_off_*``,
``costs.monthly_*``) are open-ended families: any suffix is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from simulation.scenario import outputs

Kind = Literal["number", "integer", "string", "choice", "date", "boolean"]
Bound = Literal["any", "nonneg", "positive", "fraction", "rate"]


#: Longest horizon the monthly series may cover, in months (50 years).
MAX_HORIZON_MONTHS = 600
#: Largest iteration count a scenario or the command line may ask for.
MAX_ITERATIONS = 2_000_000
#: Most agents, domains, recruiting slots or handover sessions: the model runs a SimPy process
#: (or tracks an object) for each, so the time and memory of every iteration grow with them.
MAX_COUNT = 10_000
#: Longest duration of any key, 500 years (ten times the longest horizon), in each unit: nothing
#: that long can change an output, so a larger value is a unit mistake, and far larger values
#: overflow the model's day arithmetic (months × working days) to infinity.
LONG_MONTHS = 10 * MAX_HORIZON_MONTHS
LONG_WEEKS = 26_000
LONG_DAYS = LONG_MONTHS * 31
MAX_TICKETS_PER_DAY = 1e9
_TICKETS = (
    "a billion tickets a working day is beyond any service desk (numpy draws a Poisson day's "
    "arrivals only below about 9e18)"
)
#: Largest coefficient of variation of a gamma duration: above it nearly every draw is 0 and a
#: few are hundreds of times the mean; far larger values overflow the gamma shape 1 / cv².
MAX_CV = 10.0
_CV = "above 10 nearly every draw is 0 and a few are hundreds of times the mean"
#: Most weeks of a stable-SLA run: the weeks in the longest horizon (50 years).
MAX_STABLE_WEEKS = 2_600
_CALENDAR = (
    "the calendar turns every month and week of the scenario (durations, the fee, the horizon) "
    "into working days, so a shock to it would rescale all of them at once; to model lost "
    "working time, scale staffing.tickets_per_agent_day or demand.tickets_per_day instead"
)
_LONG = "a duration longer than 500 years (ten times the longest horizon) cannot change any output"


@dataclass(frozen=True)
class KeySpec:
    """One scenario key.

    ``bound``: ``nonneg`` >= 0; ``positive`` > 0; ``fraction`` within [0, 1]; ``rate`` > -1
    (a growth or discount rate, as a fraction per year); ``any`` unconstrained.
    ``default`` ``None`` means the key is required (for model sections) or optional with no value.

    ``maximum`` (in ``unit``; ``None``: no upper limit) is the key's one upper limit and ``why``
    says why it exists: the scenario reader, the check of risk impacts (the shocked value), the
    check of sweep values and the model's parameter clamping all read it from here.
    ``structural`` (empty for most keys) says why no risk may shock the key: its value must be
    the same in every iteration.
    """

    section: str
    key: str
    kind: Kind
    default: float | int | str | bool | None
    unit: str
    doc: str
    bound: Bound = "any"
    choices: tuple[str, ...] = ()
    required: bool = False
    maximum: float | None = None
    why: str = ""
    structural: str = ""

    @property
    def path(self) -> str:
        """Dotted path, e.g. ``staffing.time_to_hire_days``."""
        return f"{self.section}.{self.key}"

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")


def unit_words(unit: str) -> str:
    """A unit for a sentence: ``days/month`` → ``days a month``, ``tickets/agent/day`` →
    ``tickets an agent a day``; ``fraction`` and no unit give ``""``."""
    if unit in ("", "fraction", "0/1"):
        return ""
    head, *per = unit.split("/")
    return " ".join([head, *(f"{'an' if p[:1] in 'aeiou' else 'a'} {p}" for p in per)])


def _k(
    section: str,
    key: str,
    kind: Kind,
    default: float | int | str | bool | None,
    unit: str,
    doc: str,
    bound: Bound = "any",
    choices: tuple[str, ...] = (),
    required: bool = False,
    maximum: float | None = None,
    why: str = "",
    structural: str = "",
) -> KeySpec:
    return KeySpec(
        section, key, kind, default, unit, doc, bound, choices, required, maximum, why, structural
    )


def _switch(key: str, doc: str) -> KeySpec:
    return _k("response", key, "boolean", True, "", doc)


_AGENTS = "an agent count beyond the largest team the model runs (10,000)"

#: The weekly review and its levers (issue 14, docs/model.md section 10). Sources of the defaults:
#: ../shared/reference/figures.md, "Management levers"; the rest are labelled assumptions.
RESPONSE_KEYS: tuple[KeySpec, ...] = (
    _switch(
        "enabled",
        "Management reviews the service and pulls the levers below; false switches the whole "
        "layer off",
    ),
    _k(
        "response",
        "review_days",
        "integer",
        5,
        "working days",
        "Days between two performance reviews (assumption: weekly)",
        "positive",
        maximum=260,
        why="a review less often than once a year reacts to nothing within a transition",
    ),
    _k(
        "response",
        "window_weeks",
        "integer",
        4,
        "weeks",
        "Weeks of SLA compliance and capacity the review looks back on (assumption)",
        "positive",
        maximum=52,
        why="a window longer than a year hides everything a weekly review reacts to",
    ),
    _k(
        "response",
        "forecast_months",
        "number",
        3.0,
        "months",
        "How far ahead the review forecasts demand (assumption)",
        "nonneg",
        maximum=60,
        why="a forecast more than five years ahead is not a staffing plan",
    ),
    _k(
        "response",
        "burn_down_days",
        "number",
        20.0,
        "working days",
        "Days the review allows to clear a backlog: backlog ÷ burn-down days is planned on top of "
        "the daily inflow (back-office workload rule, Turnella; the 20 days are an assumption)",
        "positive",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "release_backlog_days",
        "number",
        0.5,
        "days of demand",
        "Backlog at or below which temporary help may go (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "release_weeks",
        "integer",
        4,
        "weeks",
        "Weeks the backlog must stay that low before agency, hypercare and overtime end "
        "(assumption)",
        "positive",
        maximum=MAX_STABLE_WEEKS,
        why="the longest horizon holds about 2,600 weeks",
    ),
    _switch("resize", "Lever: raise the team target when the review finds too few heads"),
    _k(
        "response",
        "resize_lead_days",
        "number",
        20.0,
        "working days",
        "Approval time of a larger team before its requisitions open (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "max_target_agents",
        "integer",
        None,
        "agents",
        "Largest team target the review may approve; unset: 1.5 × staffing.target_agents "
        "(assumption)",
        "nonneg",
        maximum=MAX_COUNT,
        why=_AGENTS,
    ),
    _switch("agency", "Lever: order agency (temporary) staff under pressure"),
    _k(
        "response",
        "agency_trigger_backlog_days",
        "number",
        2.0,
        "days of demand",
        "Backlog above which the review calls for help (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "agency_trigger_weeks",
        "integer",
        2,
        "weeks",
        "Weeks of SLA compliance below policy.sla_target that also call for help (assumption)",
        "positive",
        maximum=MAX_STABLE_WEEKS,
        why="the longest horizon holds about 2,600 weeks",
    ),
    _k(
        "response",
        "agency_lead_days",
        "number",
        7.0,
        "working days",
        "Time to place agency staff: days to 3 weeks, typically 1-2 weeks (German temp-agency "
        "practice, S/U)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "agency_productivity",
        "number",
        0.8,
        "fraction",
        "Output of an agency agent as a share of a fully productive internal agent "
        "(assumption; the unknown-domain rule applies on top)",
        "positive",
        maximum=2.0,
        why="an agency agent twice as productive as a trained internal one is a unit mistake",
    ),
    _k(
        "response",
        "agency_cost_factor",
        "number",
        1.45,
        "factor",
        "Agency charge rate as a multiple of a fully loaded internal agent: 1.3 / 1.45 / 1.7 "
        "(agency price build-ups, D)",
        "nonneg",
        maximum=20.0,
        why="no agency charges twenty times an internal agent's full cost",
    ),
    _k(
        "response",
        "agency_min_days",
        "number",
        20.0,
        "working days",
        "Shortest engagement an agency bills per person (assumption: a month)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "agency_max_agents",
        "integer",
        None,
        "agents",
        "Most agency agents at once; unset: half of staffing.target_agents (assumption)",
        "nonneg",
        maximum=MAX_COUNT,
        why=_AGENTS,
    ),
    _k(
        "response",
        "agency_max_months",
        "number",
        18.0,
        "months",
        "Longest assignment of one agency worker to one client: 18 months (AÜG §1(1b), P)",
        # > 0: at 0 every agency agent would leave on arrival, billed agency_min_days for no
        # work, and be ordered again at the next review (response.agency = false switches the
        # lever off)
        "positive",
        maximum=LONG_MONTHS,
        why=_LONG,
    ),
    _switch("overtime", "Lever: the internal team works overtime under pressure"),
    _k(
        "response",
        "overtime_capacity",
        "number",
        0.15,
        "fraction",
        "Extra output of the internal team on overtime: a 10-hour day (ArbZG §3, P) adds 25% "
        "hours, output rises at a falling rate beyond about 48 h a week (Pencavel 2015, P), "
        "so +15% (assumption)",
        "nonneg",
        maximum=1.0,
        why="no team doubles its output by working longer",
    ),
    _k(
        "response",
        "overtime_hours",
        "number",
        0.25,
        "fraction",
        "Extra paid hours on overtime: 10 instead of 8 hours a day (ArbZG §3, P)",
        "nonneg",
        maximum=1.0,
        why="a working day cannot be more than twice as long",
    ),
    _k(
        "response",
        "overtime_premium",
        "number",
        0.25,
        "fraction",
        "Premium on overtime hours: 25% in collective agreements (S)",
        "nonneg",
        maximum=5.0,
        why="a premium of more than 500% is a unit mistake (0.25 means 25%)",
    ),
    _k(
        "response",
        "overtime_max_weeks",
        "integer",
        6,
        "weeks",
        "Most weeks of overtime in any 26 (ArbZG §3: 8 hours on average over 6 months; the 6 "
        "weeks are an assumption)",
        "nonneg",
        maximum=26,
        why="the limit is counted in any 26 weeks",
    ),
    _k(
        "response",
        "overtime_attrition_factor",
        "number",
        1.5,
        "factor",
        "Internal attrition is multiplied by this while overtime runs (assumption)",
        "positive",
        maximum=100.0,
        why="attrition a hundred times higher empties any team within days",
    ),
    _k(
        "response",
        "overtime_lead_days",
        "number",
        0.0,
        "working days",
        "Time from the decision to the first overtime day (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _switch("hypercare", "Lever: call the outgoing vendor's agents back after cutover"),
    _k(
        "response",
        "hypercare_months",
        "number",
        3.0,
        "months",
        "Months after cutover in which the vendor can be called back (hypercare follows cutover "
        "in practitioners' transition stages, S; the length is an assumption)",
        "nonneg",
        maximum=LONG_MONTHS,
        why=_LONG,
    ),
    _k(
        "response",
        "hypercare_trigger_backlog_days",
        "number",
        2.0,
        "days of demand",
        "Backlog above which vendor agents are called back (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "hypercare_lead_days",
        "number",
        10.0,
        "working days",
        "Time for called-back vendor agents to arrive (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "hypercare_max_agents",
        "integer",
        None,
        "agents",
        "Most vendor agents called back at once; unset: half of vendor.agents (assumption)",
        "nonneg",
        maximum=MAX_COUNT,
        why=_AGENTS,
    ),
    _k(
        "response",
        "hypercare_rate_factor",
        "number",
        1.25,
        "factor",
        "Time-and-materials rate as a multiple of the contract's price per agent-day "
        "(termination assistance is billed at the ongoing fees, S; the premium is an "
        "assumption)",
        "nonneg",
        maximum=20.0,
        why="no vendor bills twenty times its contract rate",
    ),
    _switch("triage", "Lever: stale tickets are closed without work (users gave up, duplicates)"),
    _k(
        "response",
        "triage_age_days",
        "number",
        20.0,
        "working days",
        "Age from which a ticket counts as stale; must exceed demand.sla_days (assumption)",
        "positive",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "response",
        "triage_share_per_week",
        "number",
        0.25,
        "fraction",
        "Share of the stale tickets that leave each week (assumption)",
        "fraction",
    ),
)

#: The status-quo path as a simulated path, and what both paths pay alike (issue 15,
#: docs/model.md section 9). Every default is neutral: a scenario that sets none of these keys
#: has the status quo of before (a growing annuity of the fee) and unchanged backsourcing costs.
#: Sources for real values: ../shared/reference/figures.md, "The status-quo path".
#: Staying with the vendor under renegotiated terms (``policy.strategy = "stay"``, issue 15,
#: docs/model.md section 11). Neutral defaults: staying on today's terms is the status quo.
STAY_KEYS: tuple[KeySpec, ...] = (
    _k(
        "stay",
        "fee_change",
        "number",
        0.0,
        "fraction",
        "The renegotiated fee relative to today's contract, from stay.from_month on (-0.05: 5% "
        "cheaper; a stronger SLA may cost more: +0.03); the floor, indexation and renewals "
        "apply as before",
        "rate",
    ),
    _k(
        "stay",
        "late_tickets_avoided",
        "number",
        0.0,
        "fraction",
        "Share of today's late vendor tickets (1 - vendor.sla_compliance) the stronger SLA "
        "avoids, from stay.from_month on (0.5: half as many late tickets); a share of today's "
        "misses, so the new SLA is never worse than today's in any future",
        "fraction",
    ),
    _k(
        "stay",
        "renegotiation_cost",
        "number",
        0.0,
        "currency",
        "One-off cost of the renegotiation (advisers, internal effort), paid in month 1",
        "nonneg",
    ),
    _k(
        "stay",
        "from_month",
        "number",
        0.0,
        "months",
        "Months from programme start until the renegotiated terms apply (the negotiation)",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="beyond the longest horizon the model runs",
    ),
)

STATUS_QUO_KEYS: tuple[KeySpec, ...] = (
    _k(
        "vendor",
        "fee_model",
        "choice",
        "fixed",
        "",
        "How the vendor charges: 'fixed' (vendor.monthly_fee a month) or 'per_ticket' "
        "(vendor.price_per_ticket for every ticket of the month, demand growth included, plus "
        "vendor.monthly_fee as a fixed part)",
        choices=("fixed", "per_ticket"),
    ),
    _k(
        "vendor",
        "price_per_ticket",
        "number",
        None,
        "currency/ticket",
        "Price of one ticket at programme start (fee_model 'per_ticket' only, and required "
        "there); indexed like the fee",
        "nonneg",
    ),
    _k(
        "vendor",
        "minimum_fee",
        "number",
        0.0,
        "currency/month",
        "Monthly floor of the vendor fee at programme start prices, indexed like the fee "
        "(0: no floor)",
        "nonneg",
    ),
    _k(
        "vendor",
        "contract_end_month",
        "integer",
        0,
        "months",
        "Month (from programme start) at whose end the current contract term ends and renews "
        "on the status-quo path; a backsourcing cutover on or after it pays no termination fee. "
        "0: no contract end inside the horizon",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="a contract end after the longest horizon (600 months) cannot be seen",
    ),
    _k(
        "vendor",
        "renewal_term_months",
        "integer",
        0,
        "months",
        "Length of each renewed term: the contract renews at vendor.contract_end_month and "
        "every term after it (0: it renews once, to beyond the horizon)",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why="a term longer than the longest horizon (600 months) renews at most once anyway",
    ),
    _k(
        "vendor",
        "renewal_price_change",
        "number",
        0.0,
        "fraction",
        "Price change at each contract renewal, on top of vendor.annual_price_increase (0.1: +10%)",
        "rate",
        maximum=5.0,
        why="a price six times higher at one renewal is a unit mistake (0.1 means 10%)",
    ),
    _k(
        "vendor",
        "retender_cost",
        "number",
        0.0,
        "currency",
        "Cost of re-tendering or renegotiating the contract, paid at each renewal",
        "nonneg",
    ),
    _k(
        "vendor",
        "sla_compliance",
        "number",
        1.0,
        "fraction",
        "Share of tickets the vendor resolves within the SLA; its late tickets cost "
        "disruption on both paths",
        "fraction",
    ),
    _k(
        "vendor",
        "late_days",
        "number",
        None,
        "working days",
        "Mean working days beyond the SLA of a late vendor ticket (assumed exponential)",
        "positive",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "vendor",
        "governance_share",
        "number",
        0.0,
        "fraction",
        "Cost of the retained organisation that manages the vendor, as a share of the fee, "
        "paid while the vendor is engaged (after cutover the internal managers replace it)",
        "fraction",
    ),
    _k(
        "vendor",
        "emergency_transition_cost",
        "number",
        0.0,
        "currency",
        "Status quo: one-off cost of the emergency transition to a replacement vendor after a "
        "vendor_failure risk event",
        "nonneg",
    ),
    _k(
        "staffing",
        "salary_increase_per_year",
        "number",
        0.0,
        "per year",
        "Yearly rise of every salary-priced cost (agents, managers, agency staff, overtime), "
        "on each anniversary of programme start, as vendor.annual_price_increase for the fee",
        "rate",
        maximum=1.0,
        why="a yearly rise of more than 100% is a unit mistake (0.03 means 3%)",
    ),
    _k(
        "staffing",
        "sla_compliance",
        "number",
        1.0,
        "fraction",
        "Share of the in-house team's tickets resolved within the SLA by its own quality "
        "(re-opened, resolved wrongly), as vendor.sla_compliance is the vendor's; its late "
        "tickets are charged alike (vendor.late_days). 1: the team misses the SLA only when its "
        "queue is late (an assumption a modeller should test)",
        "fraction",
    ),
)

KEYS: tuple[KeySpec, ...] = (
    # [scenario]
    _k("scenario", "name", "string", None, "", "Short name of the case", required=True),
    _k("scenario", "description", "string", "", "", "One or two sentences on the case"),
    _k(
        "scenario", "currency", "string", "EUR", "", "ISO currency code of every *_eur-style amount"
    ),
    _k("scenario", "start_date", "date", None, "", "Programme start (time zero), YYYY-MM-DD"),
    _k(
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
    _k(
        "scenario",
        "discount_rate",
        "number",
        0.08,
        "per year",
        "Annual discount rate for NPVs",
        "rate",
    ),
    # [simulation]
    _k(
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
    _k(
        "simulation",
        "seed",
        "integer",
        None,
        "",
        "Root seed; drawn fresh and recorded if absent",
        "nonneg",
    ),
    _k(
        "simulation",
        "sampler",
        "choice",
        "lhs",
        "",
        "Uniform percentile sampler",
        choices=("lhs", "random", "sobol"),
    ),
    _k(
        "simulation",
        "variability",
        "choice",
        "stochastic",
        "",
        "'none': the model draws no random numbers (demand at its mean, durations at their value)",
        choices=("stochastic", "none"),
    ),
    # [vendor]
    _k(
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
    _k(
        "vendor",
        "tickets_per_agent_day",
        "number",
        None,
        "tickets/agent/day",
        "Tickets one vendor agent resolves per working day",
        "positive",
        required=True,
    ),
    _k(
        "vendor",
        "notice_months",
        "number",
        3,
        "months",
        "Contractual notice period",
        "nonneg",
        maximum=LONG_MONTHS,
        why=_LONG,
    ),
    _k(
        "vendor",
        "cooperation",
        "number",
        1.0,
        "fraction",
        "Knowledge-transfer speed factor before notice (1 = full cooperation)",
        "fraction",
    ),
    _k(
        "vendor",
        "cooperation_after_notice",
        "number",
        0.7,
        "fraction",
        "Knowledge-transfer speed factor after notice",
        "fraction",
    ),
    _k(
        "vendor",
        "attrition_after_notice",
        "number",
        0.1,
        "per month",
        "Share of remaining vendor agents leaving each month after notice (not replaced)",
        "fraction",
    ),
    _k(
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
    _k(
        "vendor",
        "annual_price_increase",
        "number",
        0.0,
        "per year",
        "Yearly increase of the vendor fee",
        "rate",
    ),
    _k(
        "vendor",
        "termination_fee",
        "number",
        0.0,
        "currency",
        "One-off fee paid at vendor exit",
        "nonneg",
    ),
    _k(
        "vendor",
        "extension_premium",
        "number",
        0.0,
        "fraction",
        "Premium over the monthly fee for each month the vendor is kept past the planned exit",
        "nonneg",
    ),
    # [phases]
    _k(
        "phases",
        "evaluation_weeks",
        "number",
        0.0,
        "weeks",
        "Evaluate the options",
        "nonneg",
        maximum=LONG_WEEKS,
        why=_LONG,
    ),
    _k(
        "phases",
        "negotiation_weeks",
        "number",
        0.0,
        "weeks",
        "Negotiate the exit; notice is served at its end",
        "nonneg",
        maximum=LONG_WEEKS,
        why=_LONG,
    ),
    _k(
        "phases",
        "planning_weeks",
        "number",
        0.0,
        "weeks",
        "Plan the integration (runs beside negotiation)",
        "nonneg",
        maximum=LONG_WEEKS,
        why=_LONG,
    ),
    # [demand]
    _k(
        "demand",
        "tickets_per_day",
        "number",
        None,
        "tickets/day",
        "Mean tickets arriving per working day at programme start",
        "nonneg",
        required=True,
        maximum=MAX_TICKETS_PER_DAY,
        why=_TICKETS,
    ),
    _k(
        "demand",
        "growth_per_year",
        "number",
        0.0,
        "per year",
        "Yearly growth of ticket demand",
        "rate",
    ),
    _k(
        "demand",
        "sla_days",
        "number",
        2.0,
        "working days",
        "A ticket resolved later than this after arrival breaches the SLA",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "demand",
        "working_days_per_month",
        "integer",
        21,
        "days/month",
        "Working days in a month (the model's calendar)",
        "positive",
        maximum=31,
        why="a month has at most 31 days",
        structural=_CALENDAR,
    ),
    _k(
        "demand",
        "working_days_per_week",
        "integer",
        5,
        "days/week",
        "Working days in a week (weeks of phases and of SLA stabilisation)",
        "positive",
        maximum=7,
        why="a week has 7 days",
        structural=_CALENDAR,
    ),
    # [staffing]
    _k(
        "staffing",
        "target_agents",
        "integer",
        None,
        "agents",
        "Internal agents to hire",
        "nonneg",
        required=True,
        maximum=MAX_COUNT,
        why="each agent is a process in the model",
    ),
    _k(
        "staffing",
        "parallel_hiring",
        "integer",
        4,
        "requisitions",
        "Requisitions the recruiting team works at the same time",
        "positive",
        maximum=MAX_COUNT,
        why=(
            "each recruiting slot is a process in the model (more slots than the most agents is "
            "pointless)"
        ),
    ),
    _k(
        "staffing",
        "time_to_hire_days",
        "number",
        40.0,
        "working days",
        "Mean time to fill one requisition",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "staffing",
        "offer_acceptance",
        "number",
        0.9,
        "fraction",
        "Probability that an offer is accepted (else the requisition restarts)",
        "fraction",
    ),
    _k(
        "staffing",
        "onboarding_days",
        "number",
        10.0,
        "working days",
        "Onboarding without productivity after the start date",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "staffing",
        "ramp_up_days",
        "number",
        60.0,
        "working days",
        "Time from end of onboarding to 90% of full productivity",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "staffing",
        "tickets_per_agent_day",
        "number",
        None,
        "tickets/agent/day",
        "Tickets a fully productive internal agent resolves per working day",
        "positive",
        required=True,
    ),
    _k(
        "staffing",
        "annual_attrition",
        "number",
        0.0,
        "per year",
        "Share of internal agents leaving per year (exponential times)",
        "nonneg",
        maximum=12,
        why=(
            "at 12 a year the average agent stays a month, twelve times the highest turnover "
            "reported for service desks (MetricNet 2020: 97% a year at managed service providers); "
            "the model steps through every leaver and backfill"
        ),
    ),
    _k(
        "staffing",
        "managers",
        "integer",
        0,
        "people",
        "Team leads / managers paid from planning on",
        "nonneg",
        maximum=MAX_COUNT,
        why="a service desk team has far fewer managers",
    ),
    _k(
        "staffing",
        "manager_salary_per_year",
        "number",
        0.0,
        "currency/year",
        "Fully loaded cost of one manager",
        "nonneg",
    ),
    _k(
        "staffing",
        "salary_per_year",
        "number",
        None,
        "currency/year",
        "Fully loaded cost of one internal agent",
        "nonneg",
        required=True,
    ),
    _k(
        "staffing",
        "recruiting_cost_per_hire",
        "number",
        0.0,
        "currency",
        "Recruiting cost of each hire",
        "nonneg",
    ),
    _k(
        "staffing",
        "training_cost_per_hire",
        "number",
        0.0,
        "currency",
        "Training cost of each hire",
        "nonneg",
    ),
    _k(
        "staffing",
        "time_to_hire_cv",
        "number",
        0.3,
        "fraction",
        "Coefficient of variation of each requisition's time to hire around the mean (gamma); "
        "assumption",
        "nonneg",
        maximum=MAX_CV,
        why=_CV,
    ),
    _k(
        "staffing",
        "initial_productivity",
        "number",
        0.6,
        "fraction",
        "Productivity right after onboarding, as a share of full (De Grip, Sauermann & Sieben "
        "2016: new agents start at about 0.61)",
        "fraction",
    ),
    # [knowledge]
    _k(
        "knowledge",
        "domains",
        "integer",
        10,
        "domains",
        "Knowledge areas to hand over",
        "nonneg",
        maximum=MAX_COUNT,
        why="each domain is a handover process in the model",
    ),
    _k(
        "knowledge",
        "parallel_sessions",
        "integer",
        2,
        "sessions",
        "Transfer sessions that can run at the same time",
        "positive",
        maximum=MAX_COUNT,
        why=(
            "each session slot is a process in the model (more sessions than the most domains is "
            "pointless)"
        ),
    ),
    _k(
        "knowledge",
        "transfer_days_per_domain",
        "number",
        10.0,
        "working days",
        "Handover time of one domain at full cooperation",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "knowledge",
        "rediscovery_days_per_domain",
        "number",
        30.0,
        "working days",
        "Time to rebuild one lost domain internally",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    _k(
        "knowledge",
        "unknown_domain_productivity",
        "number",
        0.5,
        "fraction",
        "Productivity of internal agents on tickets in domains not yet known",
        "fraction",
    ),
    _k(
        "knowledge",
        "transfer_cv",
        "number",
        0.3,
        "fraction",
        "Coefficient of variation of each domain's transfer / rediscovery time (gamma); assumption",
        "nonneg",
        maximum=MAX_CV,
        why=_CV,
    ),
    # [costs]
    _k(
        "costs",
        "disruption_per_ticket_day",
        "number",
        0.0,
        "currency/ticket-day",
        "Business cost of each ticket-day beyond SLA",
        "nonneg",
    ),
    # [policy]
    _k(
        "policy",
        "cutover",
        "choice",
        "readiness",
        "",
        "'readiness': keep the vendor until ready (bounded); 'fixed': leave at the planned exit",
        choices=("readiness", "fixed"),
    ),
    _k(
        "policy",
        "strategy",
        "choice",
        "big_bang",
        "",
        "'big_bang': the whole service cuts over at once; 'waves': in the [[waves]] given, one "
        "after another; 'selective': all but policy.retained_share, which stays with the vendor "
        "for good; 'stay': no transition, the vendor keeps the service under the [stay] terms "
        "(renegotiating)",
        choices=("big_bang", "waves", "selective", "stay"),
    ),
    _k(
        "policy",
        "retained_share",
        "number",
        0.0,
        "fraction",
        "'selective': share of demand, domains and vendor agents that stays with the vendor "
        "for good, at the pro-rata fee",
        "fraction",
    ),
    _k(
        "policy",
        "cutover_month",
        "number",
        0.0,
        "months",
        "Earliest cutover under 'fixed', counted from programme start",
        "nonneg",
        maximum=LONG_MONTHS,
        why=_LONG,
    ),
    _k(
        "policy",
        "readiness_capacity",
        "number",
        1.0,
        "fraction",
        "Internal effective capacity needed, as a share of demand",
        "nonneg",
    ),
    _k(
        "policy",
        "readiness_knowledge",
        "number",
        0.8,
        "fraction",
        "Share of domains that must be transferred",
        "fraction",
    ),
    _k(
        "policy",
        "max_extension_months",
        "integer",
        6,
        "months",
        "Most months the vendor may be kept past the planned exit",
        "nonneg",
        maximum=MAX_HORIZON_MONTHS,
        why=("an extension longer than the longest horizon (600 months) cannot be seen"),
    ),
    _k(
        "policy",
        "sla_target",
        "number",
        0.9,
        "fraction",
        "Weekly SLA compliance that counts as stable",
        "fraction",
    ),
    _k(
        "policy",
        "stable_weeks",
        "integer",
        4,
        "weeks",
        "Consecutive weeks at or above the SLA target that end the transition",
        "positive",
        maximum=MAX_STABLE_WEEKS,
        why="the longest horizon (600 months, 50 years) holds about 2,600 weeks",
    ),
    _k(
        "policy",
        "stable_backlog_days",
        "number",
        None,
        "days of demand",
        "A stable week also ends with at most this backlog (in days of expected demand) and "
        "with capacity over the trailing response.window_weeks covering their arrivals; unset: "
        "compliance alone decides (the model before issue 14)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    # [vendor] terms that matter once notice is served
    _k(
        "vendor",
        "min_staffing_share",
        "number",
        0.0,
        "fraction",
        "Share of its agents the vendor keeps during notice and extension (termination "
        "assistance); leavers below it are replaced. 0: a vendor without that clause",
        "fraction",
    ),
    _k(
        "vendor",
        "backfill_days",
        "number",
        15.0,
        "working days",
        "Time the vendor needs to replace an agent below its staffing floor (assumption)",
        "nonneg",
        maximum=LONG_DAYS,
        why=_LONG,
    ),
    # [costs] of a late or abandoned ticket
    _k(
        "costs",
        "disruption_cap_per_ticket",
        "number",
        None,
        "currency/ticket",
        "Most disruption cost one ticket can cause (users find workarounds); unset: no cap",
        "nonneg",
    ),
    _k(
        "costs",
        "abandoned_ticket_cost",
        "number",
        0.0,
        "currency/ticket",
        "Business cost of a stale ticket closed without work (response.triage)",
        "nonneg",
    ),
    # [staffing] staff transfer from the vendor (TUPE, §613a BGB; issue 15)
    _k(
        "staffing",
        "transfer_offers",
        "integer",
        0,
        "agents",
        "Vendor agents offered a post in the internal team at notice (rebadging); each one "
        "offered is a seat the market does not fill",
        "nonneg",
        maximum=MAX_COUNT,
        why=_AGENTS,
    ),
    _k(
        "staffing",
        "transfer_acceptance",
        "number",
        0.9,
        "fraction",
        "Share of the offers accepted; the seats declined are hired from the market "
        "(assumption: under TUPE / §613a BGB staff move with the work unless they object)",
        "fraction",
    ),
    _k(
        "staffing",
        "transfer_salary_premium",
        "number",
        0.0,
        "fraction",
        "Transferred agents' pay above staffing.salary_per_year (protected terms)",
        "nonneg",
        maximum=10.0,
        why="a premium of more than ten salaries is a unit mistake",
    ),
    _k(
        "staffing",
        "retention_bonus",
        "number",
        0.0,
        "currency",
        "One-off bonus paid to each transferred agent when joining",
        "nonneg",
    ),
    _k(
        "staffing",
        "transfer_attrition",
        "number",
        None,
        "per year",
        "Attrition hazard of transferred agents; unset: staffing.annual_attrition",
        "nonneg",
        maximum=100.0,
        why="a hazard of 100 a year is every agent leaving within days",
    ),
    *STATUS_QUO_KEYS,
    *STAY_KEYS,
    *RESPONSE_KEYS,
)

#: The incoming team's own parameters when a new vendor builds it (``incoming.kind = "vendor"``):
#: each defaults to the in-house team's ``staffing`` key of the same name.
INCOMING_STAFFING: tuple[str, ...] = (
    "target_agents",
    "parallel_hiring",
    "time_to_hire_days",
    "time_to_hire_cv",
    "offer_acceptance",
    "onboarding_days",
    "ramp_up_days",
    "initial_productivity",
    "tickets_per_agent_day",
    "annual_attrition",
)


def _incoming_keys() -> tuple[KeySpec, ...]:
    by_key = {k.key: k for k in KEYS if k.section == "staffing"}
    keys = [
        _k(
            "incoming",
            "kind",
            "choice",
            "in_house",
            "",
            "Who builds the incoming team: 'in_house' (the company: backsourcing) or 'vendor' "
            "(a new vendor: switching vendor, at its own fee instead of salaries, hiring and "
            "managers)",
            choices=("in_house", "vendor"),
        ),
        _k(
            "incoming",
            "transition_fee",
            "number",
            None,
            "currency",
            "'vendor': the new vendor's one-off fee for the transition, paid at notice; unset: 0",
            "nonneg",
        ),
        _k(
            "incoming",
            "monthly_fee",
            "number",
            None,
            "currency/month",
            "'vendor': the new vendor's fixed fee for the whole service at programme start "
            "prices, paid pro rata for the part it has taken over; unset: 0 (this key or "
            "incoming.price_per_ticket is required)",
            "nonneg",
        ),
        _k(
            "incoming",
            "price_per_ticket",
            "number",
            None,
            "currency/ticket",
            "'vendor': the new vendor's price per ticket on the status-quo demand (growth "
            "included), at programme start prices, on top of incoming.monthly_fee; unset: 0",
            "nonneg",
        ),
        _k(
            "incoming",
            "sla_compliance",
            "number",
            None,
            "fraction",
            "'vendor': share of the tickets the new vendor's team resolves within the SLA by "
            "contract, charged like the outgoing vendor's late tickets (vendor.late_days); "
            "unset: vendor.sla_compliance (a new vendor is as good as the old one)",
            "fraction",
        ),
        _k(
            "incoming",
            "annual_price_increase",
            "number",
            None,
            "per year",
            "'vendor': the new vendor's yearly price rise; unset: vendor.annual_price_increase",
            "rate",
        ),
    ]
    for name in INCOMING_STAFFING:
        spec = by_key[name]
        keys.append(
            replace(
                spec,
                section="incoming",
                default=None,
                required=False,
                doc=f"'vendor': {spec.doc[:1].lower()}{spec.doc[1:]} of the new vendor's "
                f"team; unset: staffing.{name}",
            )
        )
    return tuple(keys)


KEYS = KEYS + _incoming_keys()

#: Open-ended key families: ``(section, prefix, unit, doc)``.
PREFIX_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("costs", "one_off_", "currency", "One-off cost paid at programme start"),
    ("costs", "monthly_", "currency/month", "Recurring internal cost from cutover on"),
)

#: Sections whose numeric keys are model inputs (fixed or uncertain).
MODEL_SECTIONS: tuple[str, ...] = (
    "scenario",
    "vendor",
    "phases",
    "demand",
    "staffing",
    "knowledge",
    "costs",
    "policy",
    "response",
    "incoming",
    "stay",
)

#: Every top-level name a scenario file may use.
TOP_LEVEL: tuple[str, ...] = (
    "extends",
    "scenario",
    "simulation",
    "vendor",
    "phases",
    "demand",
    "staffing",
    "knowledge",
    "costs",
    "policy",
    "response",
    "incoming",
    "stay",
    "risks",
    "correlations",
    "targets",
    "waves",
)

BY_PATH: dict[str, KeySpec] = {k.path: k for k in KEYS}


def section_keys(section: str) -> dict[str, KeySpec]:
    """The keys of one section by name."""
    return {k.key: k for k in KEYS if k.section == section}


def prefix_spec(section: str, key: str) -> KeySpec | None:
    """The spec of an open-ended key (``costs.one_off_licences``), or ``None``."""
    for sec, prefix, unit, doc in PREFIX_KEYS:
        if sec == section and key.startswith(prefix) and len(key) > len(prefix):
            return KeySpec(section, key, "number", 0.0, unit, doc, "nonneg")
    return None


def input_spec(path: str) -> KeySpec | None:
    """The spec of any numeric input by dotted path: a model key (``staffing.target_agents``),
    an open-ended cost (``costs.one_off_x``) or a risk's field (``risks.<name>.impact``,
    ``risks.<name>.occurs``, ``risks.<name>.at_month``); ``None`` when none matches."""
    spec = BY_PATH.get(path)
    if spec is not None:
        return spec if spec.numeric else None
    section, _, rest = path.partition(".")
    if section == "risks":
        name, _, field_name = rest.rpartition(".")
        found = RISK_FIELDS.get(field_name) or RISK_DERIVED.get(field_name)
        return found if name and found is not None else None
    return prefix_spec(section, rest) if rest else None


# Risk register entries ------------------------------------------------------------------------

RISK_EVENTS: tuple[str, ...] = (
    "staff_loss",
    "ticket_surge",
    "vendor_walkout",
    "hiring_freeze",
    "vendor_failure",
)


def _r(
    key: str,
    unit: str,
    doc: str,
    bound: Bound,
    maximum: float | None = None,
    why: str = "",
) -> KeySpec:
    return KeySpec("risks", key, "number", None, unit, doc, bound, maximum=maximum, why=why)


#: Numeric fields of a risk (each may be uncertain except the window), as the spec of the input
#: ``risks.<name>.<field>``; ``occurs`` and ``at_month`` are the inputs the reader derives from
#: ``probability`` and the window.
RISK_FIELDS: dict[str, KeySpec] = {
    spec.key: spec
    for spec in (
        _r("probability", "fraction", "Chance the risk occurs in one iteration", "fraction"),
        _r("impact", "key units or factor", "Size of a parameter shock (adds_to / scales)", "any"),
        _r(
            "window_start_month",
            "months",
            "Earliest month the event can strike",
            "nonneg",
            LONG_MONTHS,
            _LONG,
        ),
        _r(
            "window_end_month",
            "months",
            "Latest month the event can strike",
            "nonneg",
            LONG_MONTHS,
            _LONG,
        ),
        _r(
            "agents",
            "agents",
            "staff_loss: internal agents leaving at once",
            "nonneg",
            MAX_COUNT,
            "the same limit as staffing.target_agents",
        ),
        _r(
            "extra_tickets_per_day",
            "tickets/day",
            "ticket_surge: extra tickets per working day",
            "nonneg",
            MAX_TICKETS_PER_DAY,
            _TICKETS,
        ),
        _r(
            "duration_days",
            "working days",
            "ticket_surge / hiring_freeze: how long it lasts",
            "nonneg",
            LONG_DAYS,
            _LONG,
        ),
        _r("level", "fraction", "vendor_walkout: cooperation from the event on", "fraction"),
    )
}
#: The inputs a risk derives: its occurrence flag (1 in an iteration it occurs, else 0) and the
#: month of its event (uniform over the window).
RISK_DERIVED: dict[str, KeySpec] = {
    "occurs": _r("occurs", "0/1", "1 when the risk occurs in an iteration, else 0", "fraction"),
    "at_month": _r("at_month", "months", "Month the event strikes", "nonneg", LONG_MONTHS, _LONG),
}
#: Numeric fields a risk may carry: unit, meaning and bound (a view of :data:`RISK_FIELDS`).
RISK_NUMERIC: dict[str, tuple[str, str, Bound]] = {
    k: (spec.unit, spec.doc, spec.bound) for k, spec in RISK_FIELDS.items()
}
RISK_TEXT: tuple[str, ...] = (
    "name",
    "description",
    "adds_to",
    "scales",
    "event",
    "window_relative_to",
)


# Outputs of one model run ---------------------------------------------------------------------

#: Scalar outputs of one run, in the fixed order of the results table (a contract): a view of
#: the outputs table, :data:`simulation.scenario.outputs.OUTPUTS`, which says each one's unit,
#: label, better direction and meaning.
SCALAR_NAMES: tuple[str, ...] = outputs.SCALAR_NAMES

#: Monthly series of one run (index 0 = month 1).
SERIES_NAMES: tuple[str, ...] = (
    "internal_agents",
    "vendor_agents",
    "effective_capacity",
    "demand",
    "backlog",
    "sla_compliance",
    "knowledge_transferred",
    "cost_backsourcing",
    "cost_status_quo",
    "agency_agents",
    "hypercare_agents",
    "target_agents",
)
