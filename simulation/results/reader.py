"""Read a results folder back (``load_results``): every file checked against the folder's contract
before any use; :class:`ResultsData` holds its tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.errors import SimulationError
from simulation.results.consistency import check_consistency, check_summary_rows
from simulation.results.contract import (
    INPUTS,
    RISKS,
    SAMPLES,
    SENSITIVITY,
    SUMMARY,
    TIMESERIES,
    decode_text,
    read_table,
)
from simulation.results.folder_io import (
    Folder,
)
from simulation.results.run_json import read_run
from simulation.scenario.outputs import in_order

__all__ = [
    "METRICS",
    "MetricInfo",
    "OPTIONAL_TABLES",
    "REPORT_ORDER",
    "REQUIRED_FILES",
    "REQUIRED_TABLES",
    "ResultsData",
    "as_float",
    "load_results",
]


@dataclass(frozen=True)
class MetricInfo:
    """How an output is named for people and in which unit (``"currency"`` = the run currency).

    ``more_is_worse``: True when a higher value is worse (costs, durations, backlog), False when
    it is better (savings, SLA compliance), None when neither (a size, such as the team
    management ended up aiming for: larger is a choice, not a score)."""

    label: str
    unit: str
    more_is_worse: bool | None = True


#: The order in which the report lists outputs: the decision figures first. Only the order: each
#: output's label, unit and direction come from the outputs table, and an output not named here
#: follows in the table's order (``simulation.scenario.outputs.in_order``).
REPORT_ORDER: tuple[str, ...] = (
    "transition_months",
    "transition_cost",
    "npv_savings",
    "cutover_month",
    "breakeven_month",
    "extension_months",
    "peak_backlog",
    "one_off_cost",
    "overlap_cost",
    "disruption_cost",
    "backsourcing_npv",
    "status_quo_npv",
    "status_quo_disruption_cost",
    "vendor_disruption_cost",
    "steady_sla_compliance",
    "status_quo_sla_compliance",
    "tickets_breached",
    "sla_breach_weeks",
    "knowledge_lost_domains",
    "hires",
    "leavers",
    "response_cost",
    "agency_agent_days",
    "overtime_weeks",
    "hypercare_agent_days",
    "final_target_agents",
    "abandoned_tickets",
    "relapse_weeks",
    "backlog_at_horizon_days",
    "disruption_after_stabilisation_cost",
)


_WORSE: dict[str | None, bool | None] = {"lower": True, "higher": False, None: None}


#: Label, unit and direction of every output the model writes, in :data:`REPORT_ORDER`: a view
#: of :data:`simulation.scenario.outputs.OUTPUTS`. A summary row that is no output of the table (an
#: indicator row, or an output of a folder written by another version) falls back to a label
#: made from its name (:meth:`ResultsData.info`).
METRICS: dict[str, MetricInfo] = {
    o.name: MetricInfo(o.label, o.unit, _WORSE[o.better]) for o in in_order(REPORT_ORDER)
}


@dataclass(frozen=True)
class ResultsData:
    """The tables of one results folder.

    ``samples`` holds only the ``iteration``, ``out.*`` and ``risk.*`` columns of samples.csv;
    ``summary`` is indexed by metric. Optional tables that are absent are empty DataFrames.
    """

    path: Path
    run: Mapping[str, Any]
    samples: pd.DataFrame
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    sensitivity: pd.DataFrame
    risks: pd.DataFrame
    inputs: pd.DataFrame
    scenario_text: str

    @property
    def currency(self) -> str:
        return str(self.run.get("currency", "EUR"))

    @property
    def horizon_months(self) -> int:
        return int(self.run.get("horizon_months", 60))

    def has(self, metric: str) -> bool:
        return metric in self.summary.index

    def stat(self, metric: str, column: str) -> float:
        """One number of summary.csv (NaN when the metric or value is missing)."""
        if metric not in self.summary.index or column not in self.summary.columns:
            return math.nan
        return as_float(self.summary.at[metric, column])

    def info(self, metric: str) -> MetricInfo:
        """Label and unit of an output, with the run's currency."""
        info = METRICS.get(metric, MetricInfo(metric.replace("_", " ").capitalize(), ""))
        return MetricInfo(
            info.label, self.currency if info.unit == "currency" else info.unit, info.more_is_worse
        )


def as_float(value: object) -> float:
    """A table cell as a float; empty, missing or non-numeric cells give NaN."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


#: Files a results folder must have, in the order their absence is reported.
REQUIRED_FILES = (SUMMARY.file, "run.json", SAMPLES.file, TIMESERIES.file)


#: The tables of a results folder: required, then optional.
REQUIRED_TABLES = (SAMPLES, SUMMARY, TIMESERIES)


OPTIONAL_TABLES = (SENSITIVITY, RISKS, INPUTS)


def _sample_columns(samples: pd.DataFrame) -> pd.DataFrame:
    """The ``iteration``, ``out.*`` and ``risk.*`` columns the report draws from."""
    keep = [c for c in samples.columns if c == "iteration" or c.startswith(("out.", "risk."))]
    return samples[keep]


def load_results(path: str | Path) -> ResultsData:
    """Read and check a results folder written by ``simulate run``.

    Every file is read without following symbolic links and checked against the folder's
    contract (:mod:`simulation.results.contract`) before anything uses it: run.json's keys and
    types, each table's columns and values, and that the files agree with each other.
    run.json, samples.csv, summary.csv and timeseries.csv are required; sensitivity.csv,
    risks.csv, inputs.csv and scenario.toml are optional (absent: their sections are left
    out; present: checked like the others, and refused if they are links). Raises
    :class:`SimulationError` with one line naming the file (and row, column or key).
    """
    folder = Path(path)
    tables: dict[str, pd.DataFrame] = {}
    with Folder(folder) as files:
        for name in REQUIRED_FILES:
            if not files.require_file(name):
                raise SimulationError(f"{folder}: not a results folder (no {name})")
        run_raw = files.read_bytes("run.json")
        if run_raw is None:  # removed while we looked
            raise SimulationError(f"{folder}: not a results folder (no run.json)")
        run = read_run(run_raw, folder / "run.json")
        for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
            handle = files.open(table.file) if files.require_file(table.file) else None
            if handle is None:
                if table.required:
                    raise SimulationError(f"{folder}: not a results folder (no {table.file})")
                continue
            with handle:
                tables[table.file] = read_table(table, handle, folder / table.file)
        scenario_raw = (
            files.read_bytes("scenario.toml") if files.require_file("scenario.toml") else None
        )
    summary = tables[SUMMARY.file]
    check_summary_rows(summary, folder / SUMMARY.file)
    check_consistency(folder, run, tables)
    scenario_text = (
        decode_text(scenario_raw, folder / "scenario.toml", "the scenario's TOML text")
        if scenario_raw is not None
        else ""
    )
    empty = pd.DataFrame()
    return ResultsData(
        path=folder,
        run=run,
        samples=_sample_columns(tables[SAMPLES.file]),
        summary=summary.set_index("metric"),
        timeseries=tables[TIMESERIES.file],
        sensitivity=tables.get(SENSITIVITY.file, empty),
        risks=tables.get(RISKS.file, empty),
        inputs=tables.get(INPUTS.file, empty),
        scenario_text=scenario_text,
    )
