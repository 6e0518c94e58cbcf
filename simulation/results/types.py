"""The one results type: :class:`Results`, what ``run`` returns and what ``load_results`` reads.

Both hold the same six tables with the columns of their CSV files, the run's metadata (what
``run.json`` holds) and the scenario's TOML text. What only one origin has is optional:
the in-memory :class:`~simulation.scenario.types.Scenario` and the staging folder the samples
were streamed into (a run), the folder the results were read from (``load_results``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulation.results.metrics import METRICS, MetricInfo, as_float

if TYPE_CHECKING:  # neither is needed to read a results folder
    from simulation.results.streaming import ResultsStage
    from simulation.scenario.types import Scenario

__all__ = [
    "Results",
]


@dataclass(frozen=True, eq=False)
class Results:
    """The results of one run, made by ``run`` or read back from a folder by ``load_results``.

    The tables, each with the columns of its file in the results folder:

    * ``samples`` (samples.csv): one row per iteration: ``iteration``, ``in.<path>`` (each
      uncertain input, in its key's unit), ``out.<metric>`` (each output, in its unit),
      ``risk.<name>`` (1 when the risk struck, else 0);
    * ``summary`` (summary.csv): one row per output (column ``metric``): mean, std, min,
      P5…P95, max, standard errors of P50/P90, ``n``, ``n_missing``, ``target`` and the
      probability of meeting it; plus the indicator rows ``p_npv_savings_positive`` and
      ``p_breakeven_within_horizon`` (their ``mean`` is a probability, 0..1);
    * ``timeseries`` (timeseries.csv): monthly mean and P10/P50/P90 per series (long format);
    * ``sensitivity`` (sensitivity.csv): Spearman rank correlation, share of explained variance
      and rank of each uncertain input for each analysed output;
    * ``risks`` (risks.csv): each risk's occurrence rate and its effect on transition cost
      (currency) and months, and what removing it is worth at the P80 when ranked;
    * ``inputs`` (inputs.csv): every input, its distribution in words, mean, unit, uncertain.

    ``meta`` is the run's metadata, as run.json holds it (scenario, seed, iterations, sampler,
    versions, times, convergence, ``currency``, ``horizon_months``, ``warnings``);
    ``scenario_text`` the scenario file as it was read when the run started ("" when the
    scenario was built in code, or the folder has no scenario.toml).

    Optional, by origin:

    * ``scenario``: the :class:`~simulation.scenario.types.Scenario` that ran (``run`` only;
      None when read from a folder: a folder holds its text, ``scenario_text``);
    * ``path``: the folder the results were read from (``load_results`` only; ``save``
      returns the folder it writes);
    * ``formats`` and ``stage``: how ``save`` writes the samples (``csv``, ``parquet``,
      ``both``) and the staging folder a run streamed them into (``run(out=...)`` only).

    Read from a folder, every file was checked against the folder's contract first
    (:mod:`simulation.results.contract`); the tables hold what the files say (numbers as
    float64, counts and 0/1 flags as int64, text as str), absent optional tables
    (sensitivity, risks, inputs) are empty DataFrames, and columns the contract does not know
    are left out. Made by a run, the numbers are the full float64 values the files round to
    ten significant digits.

    Results compare by identity (``==`` is ``is``): their tables are DataFrames.
    """

    samples: pd.DataFrame
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    sensitivity: pd.DataFrame
    risks: pd.DataFrame
    inputs: pd.DataFrame
    meta: Mapping[str, Any]
    scenario_text: str = ""
    scenario: Scenario | None = field(default=None, repr=False)
    path: Path | None = None
    formats: str = "csv"
    stage: ResultsStage | None = field(default=None, repr=False)

    # Reading -----------------------------------------------------------------------------------

    @property
    def warnings(self) -> tuple[str, ...]:
        """The run's warnings (run.json's ``warnings``), one sentence each."""
        return tuple(str(w) for w in self.meta.get("warnings") or ())

    @property
    def currency(self) -> str:
        """The currency of every amount (ISO code; ``EUR`` when run.json does not say)."""
        return str(self.meta.get("currency", "EUR"))

    @property
    def horizon_months(self) -> int:
        """The months simulated (60 when run.json does not say)."""
        return int(self.meta.get("horizon_months", 60))

    @cached_property
    def by_metric(self) -> pd.DataFrame:
        """``summary`` indexed by ``metric``, for look-ups: ``res.by_metric.at["npv_savings",
        "p50"]`` (made once, on first use)."""
        return self.summary.set_index("metric")

    def has(self, metric: str) -> bool:
        """Whether ``summary`` has a row for ``metric``."""
        return metric in self.by_metric.index

    def stat(self, metric: str, column: str) -> float:
        """One number of ``summary`` (NaN when the metric, the column or the value is missing)."""
        if not self.has(metric) or column not in self.by_metric.columns:
            return math.nan
        return as_float(self.by_metric.at[metric, column])

    def info(self, metric: str) -> MetricInfo:
        """Label and unit of an output, with the run's currency."""
        info = METRICS.get(metric, MetricInfo(metric.replace("_", " ").capitalize(), ""))
        return MetricInfo(
            info.label, self.currency if info.unit == "currency" else info.unit, info.more_is_worse
        )

    # Writing -----------------------------------------------------------------------------------

    def save(
        self,
        out: str | Path,
        *,
        force: bool = False,
        charts: bool = True,
        svg: bool = False,
        report: bool = True,
    ) -> Path:
        """Write the results folder ``out`` atomically (with its charts and report.html unless
        told not to); returns its path.

        When the samples were streamed into a stage for ``out``, that folder is completed and
        renamed instead of writing the samples again. Only the results of a run are saved:
        results read from a folder (no ``scenario``) are refused, as their folder already
        holds them (copy it to keep it elsewhere).
        """
        from simulation.results.run_results import write_folder

        return write_folder(self, Path(out), force=force, charts=charts, svg=svg, report=report)

    def discard(self) -> None:
        """Remove the streamed samples' temporary folder if it was never saved."""
        if self.stage is not None:
            self.stage.discard()
