"""The frozen parameters of one run (:class:`ModelInputs`) and its timed risk events
(:class:`RiskEvent`), with units in their names and comments: the one contract between the
scenario layer and the transition model, built by :func:`simulation.model.inputs.build_inputs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is not imported by the command line's light commands
    pass

_EMPTY: Mapping[str, bool] = MappingProxyType({})


@dataclass(frozen=True)
class RiskEvent:
    """A timed risk event that occurs in this iteration.

    ``at_month``: months from programme start; ``agents``: staff_loss head count;
    ``extra_tickets_per_day``: ticket_surge size; ``duration_days``: working days a surge or a
    hiring freeze lasts; ``level``: vendor cooperation from a vendor_walkout on (fraction).
    ``relative_to``: the milestone ``at_month`` counts from (``start``, ``notice``, ``cutover``).
    """

    name: str
    event: str
    at_month: float = 0.0
    agents: int = 0
    extra_tickets_per_day: float = 0.0
    duration_days: float = 0.0
    level: float = 0.0
    relative_to: str = "start"


@dataclass(frozen=True)
class ModelInputs:
    """Every parameter of one transition-model run (units in the field names or noted).

    Time unit of the model: one working day. Money: the scenario currency.
    """

    # [scenario] / [simulation]
    horizon_months: int
    discount_rate: float  # per year
    variability: str  # "stochastic" | "none"
    # [phases]
    evaluation_weeks: float
    negotiation_weeks: float
    planning_weeks: float
    # [vendor]
    vendor_agents: int
    vendor_tickets_per_agent_day: float
    notice_months: float
    cooperation: float  # fraction, before notice
    cooperation_after_notice: float  # fraction
    vendor_attrition_after_notice: float  # share of remaining vendor agents leaving per month
    monthly_fee: float  # currency/month at programme start
    annual_price_increase: float  # per year
    termination_fee: float  # currency, paid at vendor exit
    extension_premium: float  # fraction over the fee per extension month
    # [demand]
    tickets_per_day: float
    demand_growth_per_year: float
    sla_days: float  # working days
    working_days_per_month: int
    working_days_per_week: int
    # [staffing]
    target_agents: int
    parallel_hiring: int
    time_to_hire_days: float
    time_to_hire_cv: float
    offer_acceptance: float
    onboarding_days: float
    ramp_up_days: float
    initial_productivity: float  # fraction of full productivity right after onboarding
    agent_tickets_per_day: float  # fully productive internal agent
    annual_attrition: float  # per year (hazard)
    managers: int
    manager_salary_per_year: float
    salary_per_year: float
    recruiting_cost_per_hire: float
    training_cost_per_hire: float
    transfer_offers: int  # vendor agents offered a post at notice
    transfer_acceptance: float  # fraction
    transfer_salary_premium: float  # fraction over salary_per_year
    retention_bonus: float  # currency per transferred agent
    transfer_attrition: float  # per year (hazard) of transferred agents
    # [knowledge]
    domains: int
    parallel_sessions: int
    transfer_days_per_domain: float
    rediscovery_days_per_domain: float
    transfer_cv: float
    unknown_domain_productivity: float
    # [costs]
    disruption_per_ticket_day: float
    one_off_costs: tuple[tuple[str, float], ...]  # (item, currency) paid in month 1
    monthly_costs: tuple[tuple[str, float], ...]  # (item, currency/month) from cutover on
    # [policy]
    cutover_policy: str  # "readiness" | "fixed"
    cutover_month: float  # months from programme start (fixed policy)
    retained_share: float  # "selective": share the vendor keeps for good (see kept_share)
    readiness_capacity: float  # share of demand
    readiness_knowledge: float  # share of domains
    max_extension_months: int
    sla_target: float  # weekly compliance counted as stable
    stable_weeks: int
    stable_backlog_days: float  # days of demand; inf: no queue checks
    # [vendor] after notice, [costs] of late and abandoned tickets
    vendor_min_staffing_share: float  # fraction of vendor agents kept during notice
    vendor_backfill_days: float  # working days to replace a vendor agent below the floor
    disruption_cap_per_ticket: float  # currency; inf: no cap
    abandoned_ticket_cost: float  # currency per ticket closed unworked
    # [response]: the weekly review and its levers (switches are booleans)
    response: bool
    review_days: int  # working days
    window_weeks: int
    forecast_months: float
    burn_down_days: float  # working days
    release_backlog_days: float  # days of demand
    release_weeks: int
    resize: bool
    resize_lead_days: float
    max_target_agents: int
    agency: bool
    agency_trigger_backlog_days: float
    agency_trigger_weeks: int
    agency_lead_days: float
    agency_productivity: float  # fraction of a fully productive internal agent
    agency_cost_factor: float  # × an internal agent's fully loaded cost per day
    agency_min_days: float
    agency_max_agents: int
    agency_max_months: float
    overtime: bool
    overtime_capacity: float  # extra output, fraction
    overtime_hours: float  # extra paid hours, fraction
    overtime_premium: float  # fraction
    overtime_max_weeks: int  # in any 26
    overtime_attrition_factor: float
    overtime_lead_days: float
    hypercare: bool
    hypercare_months: float
    hypercare_trigger_backlog_days: float
    hypercare_lead_days: float
    hypercare_max_agents: int
    hypercare_rate_factor: float  # × the contract's price per agent-day
    triage: bool
    triage_age_days: float
    triage_share_per_week: float
    # the status-quo path and what both paths pay alike (issue 15, docs/model.md section 9)
    fee_model: str  # "fixed" | "per_ticket"
    price_per_ticket: float  # currency/ticket at programme start (0 under "fixed")
    minimum_fee: float  # currency/month at programme start prices
    contract_end_month: int  # months from programme start; 0: no contract end in the horizon
    renewal_term_months: int  # months of each renewed term; 0: renews once
    renewal_price_change: float  # fraction, at each renewal
    retender_cost: float  # currency, at each renewal
    vendor_sla_compliance: float  # share of tickets the vendor resolves within the SLA
    vendor_late_days: float  # mean working days beyond SLA of a late vendor ticket
    governance_share: float  # fraction of the fee, while the vendor is engaged
    emergency_transition_cost: float  # currency, status quo, at a vendor failure
    salary_increase_per_year: float  # per year, on each anniversary of programme start
    team_sla_compliance: float  # share of the in-house team's tickets within SLA by its quality
    # risks of this iteration
    events: tuple[RiskEvent, ...] = ()
    risk_flags: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    # [incoming]: a new vendor builds the incoming team (switching vendor)
    incoming_vendor: bool = False
    incoming_transition_fee: float = 0.0  # currency, paid at notice
    incoming_monthly_fee: float = 0.0  # currency/month for the whole service, start prices
    incoming_price_per_ticket: float = 0.0  # currency/ticket of the whole demand, start prices
    incoming_sla_compliance: float = 1.0  # share of the new vendor's tickets within the SLA
    incoming_price_increase: float = 0.0  # per year
    # [stay]: the vendor keeps the service under renegotiated terms (strategy "stay")
    stay_fee_change: float = 0.0  # the fee relative to today's, from stay_from_month on
    stay_late_tickets_avoided: float = 0.0  # share of today's late tickets the new SLA avoids
    stay_renegotiation_cost: float = 0.0  # currency, month 1
    stay_from_month: float = 0.0  # months from programme start
    # [policy] strategy and [[waves]] (docs/model.md, section 11)
    strategy: str = "big_bang"  # "big_bang" | "waves" | "selective" | "stay"
    #: the waves in order: (share of demand and domains, earliest cutover month); the shares
    #: sum to at most 1, the rest stays with the vendor for good
    waves: tuple[tuple[float, float], ...] = ((1.0, 0.0),)

    @property
    def stochastic(self) -> bool:
        return self.variability != "none"

    @property
    def kept_share(self) -> float:
        """Share of demand and domains that stays with the vendor for good under the plan (the
        rest of the waves' shares)."""
        left = 1.0 - sum(share for share, _ in self.waves)
        return left if left > 1e-9 else 0.0

    @property
    def one_off_total(self) -> float:
        """Sum of every ``costs.one_off_*`` item (currency)."""
        return float(sum(v for _, v in self.one_off_costs))

    @property
    def monthly_total(self) -> float:
        """Sum of every ``costs.monthly_*`` item (currency/month)."""
        return float(sum(v for _, v in self.monthly_costs))


# key path -> ModelInputs field (numeric model keys)
