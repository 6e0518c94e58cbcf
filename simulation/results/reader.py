"""Read a results folder back (``load_results``): every file checked against the folder's contract
before any use, into a :class:`~simulation.results.types.Results`, the type a run returns."""

from __future__ import annotations

from pathlib import Path

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
)
from simulation.results.folder_io import Folder
from simulation.results.parsing import decode_text, read_table
from simulation.results.run_json import read_run
from simulation.results.types import Results

__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_FILES",
    "REQUIRED_TABLES",
    "load_results",
]


#: Files a results folder must have, in the order their absence is reported.
REQUIRED_FILES = (SUMMARY.file, "run.json", SAMPLES.file, TIMESERIES.file)


#: The tables of a results folder: required, then optional.
REQUIRED_TABLES = (SAMPLES, SUMMARY, TIMESERIES)


OPTIONAL_TABLES = (SENSITIVITY, RISKS, INPUTS)


def load_results(path: str | Path) -> Results:
    """Read and check a results folder written by ``simulate run``.

    Every file is read without following symbolic links and checked against the folder's
    contract (:mod:`simulation.results.contract`) before anything uses it: run.json's keys and
    types, each table's columns and values, and that the files agree with each other.
    run.json, samples.csv, summary.csv and timeseries.csv are required; sensitivity.csv,
    risks.csv, inputs.csv and scenario.toml are optional (absent: their sections are left
    out; present: checked like the others, and refused if they are links). Raises
    :class:`SimulationError` with one line naming the file (and row, column or key).

    Returns the :class:`~simulation.results.types.Results` a run returns, with ``path`` set and
    no ``scenario`` (the folder holds its text, ``scenario_text``).
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
    return Results(
        samples=tables[SAMPLES.file],
        summary=summary,
        timeseries=tables[TIMESERIES.file],
        sensitivity=tables.get(SENSITIVITY.file, empty),
        risks=tables.get(RISKS.file, empty),
        inputs=tables.get(INPUTS.file, empty),
        meta=run,
        scenario_text=scenario_text,
        path=folder,
    )
