"""What a results folder written by ``simulate run`` holds: the contract its readers check.

A results folder is input like any other: people send them around, edit them, truncate them.
This module declares, once, what each table must contain (its columns with their kind, whether
a cell may be empty, their bounds and the key that must be unique). ``parsing`` reads a file
against its declaration, ``run_json`` declares and reads ``run.json``, ``consistency`` checks
that the files agree (all in :mod:`simulation.results`). Anything else is refused with one line
naming the file, the row and column (or key) and what was expected; nothing is guessed.

What the writer really produces (``run_results.py``, ``analysis/summary.py``) decides what is
accepted:

* numbers are finite everywhere, except the cells the writer leaves empty on purpose: an
  ``out.breakeven_month`` that was never reached, a summary statistic that has no value (every
  value missing, a standard deviation of one value, a standard error with too few values, no
  target on the metric), a risk effect with an empty group, an unranked risk;
* ``in.*``, ``out.*`` and ``risk.*`` are column families of ``samples.csv``; ``p80_*`` (the
  risk-removal ranking) is an optional family of ``risks.csv``;
* ``sensitivity.csv``, ``risks.csv``, ``inputs.csv`` and ``scenario.toml`` may be absent (the
  report then leaves their sections out); when present they are checked like the others;
* the files agree with each other: one ``samples.csv`` row per iteration of ``run.json``, one
  ``summary.csv`` row per ``out.*`` column with the same count of missing values, one
  ``risks.csv`` row per ``risk.*`` column.

Columns the contract does not know are ignored (a later version may add some).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from simulation.analysis.summary import PERCENTILES

Kind = Literal["text", "integer", "number", "flag", "boolean"]

#: Largest integer accepted in a table (beyond it float64 cannot hold every whole number).
MAX_INTEGER = 2**53

#: Largest magnitude of a number in a table. Far beyond any genuine amount, count or duration
#: (a quadrillion), and far below where chart axes overflow (1e308 ends in NaN ticks).
MAX_MAGNITUDE = 1e15

#: Summary rows that summarise a 0/1 indicator: their ``mean`` is a probability.
INDICATOR_ROWS = ("p_npv_savings_positive", "p_breakeven_within_horizon")

#: Summary rows whose ``mean`` is a share of iterations (0..1).
SHARE_ROWS = ("stabilised", *INDICATOR_ROWS)

_WORDS = {
    "text": "text",
    "integer": "a whole number",
    "number": "a finite number",
    "flag": "0 or 1",
    "boolean": "True or False",
}


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether a cell may be empty (NaN / ``""``), bounds (inclusive),
    and whether the file must have it."""

    kind: Kind
    empty: bool = False
    low: float | None = None
    high: float | None = None
    required: bool = True

    def expected(self) -> str:
        words = _WORDS[self.kind]
        if self.low is not None and self.high is not None:
            words += f" from {self.low:g} to {self.high:g}"
        elif self.low is not None:
            words += f" ≥ {self.low:g}"
        return words + (" or an empty cell" if self.empty and self.kind != "text" else "")


@dataclass(frozen=True)
class Table:
    """One CSV file of the folder: named columns, column families (by prefix, for names the
    run chooses such as ``out.<metric>``), the columns whose values must be unique together,
    and the fewest rows a genuine file has."""

    file: str
    required: bool
    columns: Mapping[str, Column]
    families: Mapping[str, Column] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    min_rows: int = 0

    def spec(self, name: str) -> Column | None:
        if name in self.columns:
            return self.columns[name]
        for prefix, spec in self.families.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                return spec
        return None


_NUMBER = Column("number")
_MAYBE = Column("number", empty=True)
_TEXT = Column("text")
_COUNT = Column("integer", low=0)
_SHARE = Column("number", low=0.0, high=1.0)

SAMPLES = Table(
    "samples.csv",
    required=True,
    columns={
        "iteration": _COUNT,
        "out.breakeven_month": Column("number", empty=True, required=False),
    },
    families={"in.": _NUMBER, "out.": _NUMBER, "risk.": Column("flag")},
    key=("iteration",),
    min_rows=1,
)

_STATS = ("mean", "std", "min", *(f"p{q}" for q in PERCENTILES), "max", "p50_se", "p90_se")

SUMMARY = Table(
    "summary.csv",
    required=True,
    columns={
        "metric": _TEXT,
        **dict.fromkeys(_STATS, _MAYBE),
        "n": _COUNT,
        "n_missing": _COUNT,
        "target": Column("text", empty=True),
        "p_within_target": Column("number", empty=True, low=0.0, high=1.0),
        "p_within_target_se": Column("number", empty=True, low=0.0),
    },
    key=("metric",),
    min_rows=1,
)

TIMESERIES = Table(
    "timeseries.csv",
    required=True,
    columns={
        "month": Column("integer", low=1),
        "series": _TEXT,
        "mean": _NUMBER,
        "p10": _NUMBER,
        "p50": _NUMBER,
        "p90": _NUMBER,
    },
    key=("series", "month"),
    min_rows=1,
)

SENSITIVITY = Table(
    "sensitivity.csv",
    required=False,
    columns={
        "output": _TEXT,
        "input": _TEXT,
        "spearman": Column("number", low=-1.0, high=1.0),
        "contribution": _SHARE,
        "rank": Column("integer", low=1),
    },
    key=("output", "input"),
)

RISKS = Table(
    "risks.csv",
    required=False,
    columns={
        "risk": _TEXT,
        "occurrence_rate": _SHARE,
        "occurrences": _COUNT,
        **{
            f"{output}_{part}": _MAYBE
            for output in ("transition_cost", "transition_months")
            for part in ("with", "without", "effect")
        },
    },
    families={"p80_": _MAYBE},
    key=("risk",),
)

INPUTS = Table(
    "inputs.csv",
    required=False,
    columns={
        "input": _TEXT,
        "distribution": Column("text", empty=True),
        "mean": _MAYBE,
        "unit": Column("text", empty=True),
        "uncertain": Column("boolean"),
    },
    key=("input",),
)

#: Every table of a results folder, in the order they are read.
TABLES = (SAMPLES, SUMMARY, TIMESERIES, SENSITIVITY, RISKS, INPUTS)
