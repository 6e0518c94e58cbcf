"""Whether the files of a results folder agree with each other: summary rows for every output,
the same inputs, outputs and risks in every table, the months of the time series, the rankings
(checked after each file passed its own contract)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis.summary import PERCENTILES
from simulation.errors import SimulationError
from simulation.results.contract import (
    INDICATOR_ROWS,
    INPUTS,
    RISKS,
    SAMPLES,
    SENSITIVITY,
    SHARE_ROWS,
    SUMMARY,
    TIMESERIES,
)
from simulation.results.run_results import SENSITIVITY_OUTPUTS

__all__ = [
    "check_consistency",
    "check_summary_rows",
]


def check_summary_rows(summary: pd.DataFrame, path: Path) -> None:
    """Cells a genuine summary fills whenever it has values: the statistics when ``n`` > 0,
    the standard deviation when ``n`` > 1, the probability of a target; shares within 0..1."""
    filled = ["mean", "min", *(f"p{q}" for q in PERCENTILES), "max"]
    checks: list[tuple[np.ndarray, list[str], str]] = [
        (summary["n"].to_numpy() > 0, filled, "the metric has values (n > 0)"),
        (summary["n"].to_numpy() > 1, ["std"], "the metric has several values (n > 1)"),
        (
            (summary["target"].str.strip() != "").to_numpy(),
            ["p_within_target"],
            "the metric has a target",
        ),
    ]
    metrics = [str(m) for m in summary["metric"]]
    for rows, columns, reason in checks:
        for column in columns:
            empty = rows & summary[column].isna().to_numpy()
            if empty.any():
                row = int(np.argmax(empty))
                raise SimulationError(
                    f"{path}: row {row + 1} (metric '{metrics[row]}'), column "
                    f"'{column}': expected a finite number because {reason}, found an empty cell"
                )
    shares = summary["metric"].isin(SHARE_ROWS).to_numpy()
    mean = summary["mean"].to_numpy()
    with np.errstate(invalid="ignore"):
        bad = shares & ((mean < 0.0) | (mean > 1.0))
    if bad.any():
        row = int(np.argmax(bad))
        raise SimulationError(
            f"{path}: row {row + 1} (metric '{metrics[row]}'), column 'mean': "
            f"expected a share from 0 to 1, found {mean[row]:g}"
        )


def check_consistency(
    folder: Path, run: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]
) -> None:
    """The files of a folder agree with each other, as the writer leaves them.

    ``tables`` maps file names to parsed tables (optional ones may be absent). Checked: one
    ``samples.csv`` row per iteration numbered from 0; one ``summary.csv`` row per ``out.*``
    column (and the indicator rows), each counting every iteration and the same missing
    values; the same months 1..M for every monthly series; each sensitivity output ranking
    every ``in.*`` input once (1..k); one ``risks.csv`` row per ``risk.*`` column; the uncertain
    inputs of ``inputs.csv`` being the ``in.*`` columns.
    """
    samples, summary = tables[SAMPLES.file], tables[SUMMARY.file]
    samples_file, summary_file = folder / SAMPLES.file, folder / SUMMARY.file
    iterations = int(run["iterations"])
    _check_iterations(samples_file, samples, iterations)
    family = _families(samples.columns)
    outputs, inputs, flags = family["out."], family["in."], family["risk."]
    _check_summary_rows_match(summary_file, summary, samples_file, outputs)
    _check_counts(summary_file, summary, samples_file, samples, outputs, iterations)
    _check_months(folder / TIMESERIES.file, tables[TIMESERIES.file])
    if SENSITIVITY.file in tables:
        _check_rankings(folder / SENSITIVITY.file, tables[SENSITIVITY.file], inputs, outputs)
    if RISKS.file in tables:
        _check_same(folder / RISKS.file, "risk", tables[RISKS.file]["risk"], flags, "risk.")
    if INPUTS.file in tables:
        frame = tables[INPUTS.file]
        uncertain = frame.loc[frame["uncertain"].to_numpy(dtype=bool), "input"]
        _check_same(folder / INPUTS.file, "uncertain input", uncertain, inputs, "in.")


def _check_iterations(path: Path, samples: pd.DataFrame, iterations: int) -> None:
    """samples.csv has one row per iteration of run.json, numbered from 0 in order."""
    if len(samples) != iterations:
        raise SimulationError(
            f"{path}: has {len(samples):,} rows, but run.json records {iterations:,} iterations"
        )
    wrong = samples["iteration"].to_numpy() != np.arange(len(samples))
    if wrong.any():
        row = int(np.argmax(wrong))
        found = samples["iteration"].iat[row]
        raise SimulationError(
            f"{path}: row {row + 1}, column 'iteration': expected {row}, found {found}"
        )


def _check_summary_rows_match(
    path: Path, summary: pd.DataFrame, samples_file: Path, outputs: list[str]
) -> None:
    """One summary.csv row per ``out.*`` column of samples.csv, and no other rows than those
    and the indicator rows."""
    metrics = list(summary["metric"])
    for metric in outputs:
        if metric not in metrics:
            raise SimulationError(
                f"{samples_file}: column 'out.{metric}' has no row in {path.name}"
            )
    for row, metric in enumerate(metrics):
        if metric not in INDICATOR_ROWS and metric not in outputs:
            raise SimulationError(
                f"{path}: row {row + 1}: metric '{metric}' has no column 'out.{metric}' in "
                f"{samples_file.name}"
            )


def _check_counts(
    path: Path,
    summary: pd.DataFrame,
    samples_file: Path,
    samples: pd.DataFrame,
    outputs: list[str],
    iterations: int,
) -> None:
    """Each summary row counts every iteration (``n`` + ``n_missing``), and each output's
    ``n_missing`` is its count of empty cells in samples.csv."""
    metrics = list(summary["metric"])
    counted = summary["n"].to_numpy() + summary["n_missing"].to_numpy()
    wrong = counted != iterations
    if wrong.any():
        row = int(np.argmax(wrong))
        raise SimulationError(
            f"{path}: row {row + 1} (metric '{metrics[row]}'): n + n_missing = "
            f"{counted[row]:,}, but run.json records {iterations:,} iterations"
        )
    missing = dict(zip(metrics, summary["n_missing"].to_numpy(), strict=True))
    for metric in outputs:
        empty = int(samples[f"out.{metric}"].isna().sum())
        if int(missing[metric]) != empty:
            raise SimulationError(
                f"{path}: metric '{metric}' has n_missing = {int(missing[metric]):,}, but "
                f"{samples_file.name} has {empty:,} empty 'out.{metric}' cells"
            )


def _families(columns: pd.Index) -> dict[str, list[str]]:
    names = [str(c) for c in columns]
    return {
        p: [c.removeprefix(p) for c in names if c.startswith(p)] for p in ("in.", "out.", "risk.")
    }


def _check_same(path: Path, what: str, listed: pd.Series, columns: list[str], prefix: str) -> None:
    """The names ``listed`` in a table are exactly the ``prefix`` columns of samples.csv."""
    names = set(map(str, listed))
    for name in sorted(names - set(columns)):
        raise SimulationError(
            f"{path}: {what} '{name}' has no column '{prefix}{name}' in {SAMPLES.file}"
        )
    for name in sorted(set(columns) - names):
        raise SimulationError(
            f"{path}: lists no {what} '{name}', but {SAMPLES.file} has a column '{prefix}{name}'"
        )


def _check_months(path: Path, timeseries: pd.DataFrame) -> None:
    """Every series covers the same months 1..M (rows in any order)."""
    last = int(timeseries["month"].max())
    for series, months in timeseries.groupby("series", sort=False)["month"]:
        if len(months) != last:
            have = set(months)
            gap = next(m for m in range(1, last + 1) if m not in have)
            raise SimulationError(
                f"{path}: series '{series}' has no row for month {gap} (the series run to "
                f"month {last})"
            )


def _check_rankings(
    path: Path, sensitivity: pd.DataFrame, inputs: list[str], outputs: list[str]
) -> None:
    """Every analysed output that samples.csv has (:data:`SENSITIVITY_OUTPUTS`) ranks every
    uncertain input once, with ranks 1..k (no rows at all when there is no uncertain input)."""
    expected = [o for o in SENSITIVITY_OUTPUTS if o in outputs] if inputs else []
    listed = set(sensitivity["output"])
    for output in expected:
        if output not in listed:
            raise SimulationError(
                f"{path}: has no rows for output '{output}' (expected a ranking of the "
                f"{len(inputs)} uncertain inputs)"
            )
    for key, rows in sensitivity.groupby("output", sort=False):
        output = str(key)
        if output not in outputs:
            raise SimulationError(
                f"{path}: output '{output}' has no column 'out.{output}' in {SAMPLES.file}"
            )
        _check_same(path, f"input of output '{output}'", rows["input"], inputs, "in.")
        if sorted(rows["rank"]) != list(range(1, len(rows) + 1)):
            raise SimulationError(
                f"{path}: the ranks of output '{output}' are not 1 to {len(rows)}"
            )
