"""One row of the outputs table (:class:`Output`): what an output is called, its unit, which way
is better, whether ``simulate compare`` scores it and what it means. The rows are in
:mod:`simulation.scenario.output_groups`, the table and its views in
:mod:`simulation.scenario.outputs`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MAX_MEANING",
    "PART_OF_TRANSITION",
    "PLAN",
    "REFERENCE",
    "Better",
    "Output",
]

Better = Literal["lower", "higher"]

#: The longest meaning: the management section's table shows it in a cell of the PDF, which cuts
#: text beyond 70 characters.
MAX_MEANING = 70


@dataclass(frozen=True)
class Output:
    """One scalar output of a model run.

    ``unit``: the unit of its values (``"currency"`` = the run's currency; ``"share"``: a
    fraction 0..1, shown as a percentage). ``label``: its name in the report and the comparison.
    ``better``: which way is better for the programme (``None``: neither, e.g. a planned date
    or a team size, which buys service with salaries the other outputs already count).
    ``not_compared``: why ``simulate compare`` gives no chance "B better than A" for it (empty:
    it does, in the direction of ``better``); the comparison still lists its percentiles.
    ``meaning``: one line, at most :data:`MAX_MEANING` characters.

    ``better`` and ``not_compared`` are two facts, not one: the status-quo outputs have a better
    direction (a lower ``status_quo_npv`` is cheaper) but are the reference every alternative is
    measured against, not a choice, so compare does not score them.
    """

    name: str
    unit: str
    label: str
    better: Better | None
    meaning: str
    not_compared: str = ""

    @property
    def compared(self) -> bool:
        """Whether ``simulate compare`` scores this output (``differences.csv``)."""
        return not self.not_compared


#: Why an output is not compared, shared by several rows.
REFERENCE = "the status-quo path is the reference each alternative is measured against"
PART_OF_TRANSITION = "a part of transition_cost, which compare scores"
PLAN = "a date of the plan, not a result"
