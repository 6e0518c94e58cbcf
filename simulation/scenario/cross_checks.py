"""Rules across keys: which levers and inputs a scenario's options reach (:class:`Reach`), and
the combinations of keys that cannot work together (:func:`cross_checks`, also run on each
setting of a sweep)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from simulation.distributions.families import Distribution
from simulation.scenario import schema
from simulation.scenario.checks import check_shocks, target_range
from simulation.scenario.messages import Collector, num_text
from simulation.scenario.types import Scenario

__all__ = [
    "Reach",
    "cross_checks",
    "input_reach",
]


@dataclass(frozen=True)
class Reach:
    """The values each numeric input can take over every iteration: its distribution's practical
    range (:func:`lower_bound`, :func:`upper_bound`), widened by the risks that may shock it
    (:func:`check_shocks`); a key the files do not give has its default.

    ``given``: the keys the files give (``None`` when not known, e.g. for a sweep's setting), so
    that a message can say a value is the default rather than something the user wrote.
    """

    inputs: Mapping[str, Distribution]
    shocked: Mapping[str, tuple[float, float, list[str]]]
    given: frozenset[str] | None = None

    def __call__(self, path: str) -> tuple[float, float]:
        """The least and the largest value of ``path``, in its key's unit."""
        found = self.shocked.get(path)
        if found is not None:
            return found[0], found[1]
        lo, hi, _ = target_range(path, self.inputs)
        return lo, hi

    def file(self, path: str, c: Collector) -> str | None:
        """The file a message on ``path`` names: the one that gives it, or for a key no file
        gives (its default) the extending file, as for a required key nobody gave."""
        return None if self.given is None or path in self.given else c.file

    def text(self, path: str, low: bool, whole: bool = False) -> str:
        """One end of ``path``'s values for a message, with its unit: ``6 agents``,
        ``20 working days (the default)``, ``as little as 3 working days`` (a distribution),
        ``up to 25 working days with risks.x`` (a risk's shock); ``whole``: rounded as the model
        rounds whole-number keys."""
        lo, hi = self(path)
        value = lo if low else hi
        if whole:
            value = round(value)
        spec = schema.input_spec(path)
        unit = schema.unit_words(spec.unit) if spec is not None else ""
        shown = f"{num_text(value)} {unit}".rstrip()
        if lo == hi:
            default = self.given is not None and path not in self.given
            return f"{shown} (the default)" if default else shown
        shocks = self.shocked.get(path)
        risks = f" with {', '.join(shocks[2])}" if shocks is not None else ""
        return f"{'as little as' if low else 'up to'} {shown}{risks}"


def input_reach(scenario: Scenario) -> Reach:
    """The :class:`Reach` of a built scenario's inputs (risk shocks included), for the checks
    across keys of :mod:`simulation.engine.guards`."""
    shocked = check_shocks(list(scenario.risks), scenario.inputs, Collector(""))
    return Reach(scenario.inputs, shocked)


def _lever_on(options: Mapping[str, object], switch: str) -> bool:
    """Whether a lever of the response layer is used: its switch and ``response.enabled``."""
    return bool(options.get("response.enabled", True)) and bool(options.get(switch, True))


def cross_checks(reach: Reach, options: Mapping[str, object], c: Collector) -> None:
    """Rules between keys that must hold in every iteration, each judged on every value the
    inputs can take (:class:`Reach`) and reported on the key to change. A rule on a key whose
    own value was already reported, or on a lever that is switched off, is not checked.

    Further relations between the response keys are only doubtful, not contradictory; they are
    warnings of :mod:`simulation.engine.guards`.
    """
    _triage_after_sla(reach, options, c)
    _cap_above_plan(reach, options, c)
    _offers_within_posts(reach, c)
    if options.get("policy.strategy", "big_bang") == "stay":
        _staying_builds_no_team(reach, options, c)
    else:
        _stay_terms_only_when_staying(reach, c)
    if options.get("incoming.kind", "in_house") == "vendor":
        _new_vendor_has_a_fee(reach, c)
    else:
        _incoming_terms_only_for_a_new_vendor(reach, c)


def _triage_after_sla(reach: Reach, options: Mapping[str, object], c: Collector) -> None:
    """Triage closes stale tickets unworked, and the queue's ledger counts each of them as
    already breached on its due day (simulation/model/queue.py): a ticket closed younger than
    the SLA would count as breached without having breached, so every possible triage age must
    exceed every possible SLA."""
    tri, sla = "response.triage_age_days", "demand.sla_days"
    if (
        _lever_on(options, "response.triage")
        and not {tri, sla} & c.keys
        and not reach(tri)[0] > reach(sla)[1]
    ):
        c.add(
            tri,
            f"must be more than {sla} ({reach.text(sla, low=False)}), got "
            f"{reach.text(tri, low=True)}: triage closes stale tickets as already breached, "
            "so they must be older than the SLA; raise it or set response.triage = false",
            reach.file(tri, c),
        )


def _cap_above_plan(reach: Reach, options: Mapping[str, object], c: Collector) -> None:
    """The largest team target the review may approve starts from the plan: a cap below the
    plan (in any future) would be silently lifted to it (simulation/model/levers.py,
    TeamSize), so the value written could never hold. The model rounds both to whole agents."""
    cap, plan = "response.max_target_agents", "staffing.target_agents"
    if (
        _lever_on(options, "response.resize")
        and cap in reach.inputs
        and not {cap, plan} & c.keys
        and round(reach(cap)[0]) < round(reach(plan)[1])
    ):
        c.add(
            cap,
            f"must be at least {plan} ({reach.text(plan, low=False, whole=True)}), got "
            f"{reach.text(cap, low=True, whole=True)}: it caps the team target the review may "
            "raise the plan to; raise it, or leave it out for 1.5 × the plan",
            reach.file(cap, c),
        )


#: Staff transfer: the number of offers is bounded by the vendor's agents and by the posts of
#: the team, each with why.
_OFFER_BOUNDS = (
    ("vendor.agents", "only the vendor's agents on the service can be offered a post"),
    ("staffing.target_agents", "each offer is a post in the team"),
)
_OFFERS = "staffing.transfer_offers"


def _offers_within_posts(reach: Reach, c: Collector) -> None:
    """Staff transfer: only the vendor's agents can be offered a post, each a post in the
    team (both rounded to whole agents, as the model rounds them)."""
    for bound, why in _OFFER_BOUNDS:
        if (
            _OFFERS in reach.inputs
            and bound in reach.inputs
            and not {_OFFERS, bound} & c.keys
            and round(reach(_OFFERS)[1]) > round(reach(bound)[0])
        ):
            c.add(
                _OFFERS,
                f"must be at most {bound} ({reach.text(bound, low=True, whole=True)}), got "
                f"{reach.text(_OFFERS, low=False, whole=True)}: {why}",
                reach.file(_OFFERS, c),
            )


def _stay_terms_only_when_staying(reach: Reach, c: Collector) -> None:
    """Staying with the vendor has no transition: its terms are read only under "stay" (a term
    the files give at its neutral default changes nothing and is let through)."""
    for key in sorted(k for k in reach.inputs if k.startswith("stay.")):
        default = schema.BY_PATH[key].default
        neutral = isinstance(default, int | float) and reach(key) == (default, default)
        if key not in c.keys and reach.given is not None and key in reach.given and not neutral:
            c.add(
                key,
                "is read only under policy.strategy = 'stay' (staying with the vendor on "
                "renegotiated terms)",
                reach.file(key, c),
            )


def _staying_builds_no_team(reach: Reach, options: Mapping[str, object], c: Collector) -> None:
    """Under "stay" nothing that builds a team goes with it: no new vendor, no transfer."""
    if options.get("incoming.kind", "in_house") == "vendor":
        c.add(
            "incoming.kind",
            "must be 'in_house' under policy.strategy = 'stay': staying has no incoming team "
            "(to switch vendor, use another strategy)",
        )
    if _OFFERS in reach.inputs and reach(_OFFERS)[1] > 0 and _OFFERS not in c.keys:
        c.add(
            _OFFERS,
            "must be 0 under policy.strategy = 'stay': staying transfers no one",
            reach.file(_OFFERS, c),
        )


def _new_vendor_has_a_fee(reach: Reach, c: Collector) -> None:
    """A new vendor (``incoming.kind = "vendor"``) needs a fee: a month's or per ticket."""
    fee, price = "incoming.monthly_fee", "incoming.price_per_ticket"
    if not {fee, price} & (set(reach.inputs) | c.keys):
        c.add(
            fee,
            "is required when incoming.kind = 'vendor': the new vendor's fee a month (or "
            "give incoming.price_per_ticket)",
        )


def _incoming_terms_only_for_a_new_vendor(reach: Reach, c: Collector) -> None:
    """The incoming team's own parameters are read only when a new vendor builds it."""
    for key in sorted(k for k in reach.inputs if k.startswith("incoming.")):
        if key not in c.keys and reach.given is not None and key in reach.given:
            c.add(
                key,
                "is read only under incoming.kind = 'vendor' (a new vendor builds the "
                "team); the in-house team's values are the staffing keys",
                reach.file(key, c),
            )
