"""What a results folder written by ``simulate run`` holds: the contract its readers check.

A results folder is input like any other: people send them around, edit them, truncate them.
This module declares, once, what each file must contain (``run.json``'s keys and their types;
each table's columns with their kind, whether a cell may be empty, their bounds and the key that
must be unique) and parses a file against its declaration. Anything else is refused with one
line naming the file, the row and column (or key) and what was expected; nothing is guessed.

What the writer really produces (``results.py``, ``summary.py``) decides what is accepted:

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

import csv
import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd

from simulation.analysis.summary import PERCENTILES
from simulation.errors import SimulationError

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


# Decoding -------------------------------------------------------------------------------------


def decode_text(raw: bytes, path: Path, what: str) -> str:
    """``raw`` as UTF-8 text, refusing empty files, binary data and other encodings."""
    if not raw.strip():
        raise SimulationError(f"{path}: is empty (expected {what})")
    if b"\x00" in raw:
        raise SimulationError(f"{path}: holds binary data (expected {what})")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SimulationError(
            f"{path}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}; "
            f"expected {what})"
        ) from None


def _cell(value: object) -> str:
    """A cell as quoted in a message (a number already parsed in its shortest form)."""
    if isinstance(value, float | np.floating):
        value = f"{float(value):.10g}"
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 40 else text[:37] + "...'"


# Tables ---------------------------------------------------------------------------------------


def read_table(table: Table, source: bytes | BinaryIO, path: Path) -> pd.DataFrame:
    """Parse one CSV file (its bytes, or a binary file open at its start) against its
    declaration; returns the declared columns, numbers as float64, integers and flags as int64,
    booleans as bool and text as str.

    Raises :class:`SimulationError` naming ``path`` (and the row and column) for anything that
    is not what ``simulate run`` writes. Row numbers count data rows from 1.
    """
    what = f"the CSV table {table.file} written by simulate run"
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    header = _header(handle.readline(), path, what)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SimulationError(f"{path}: column '{name}' appears twice")
        seen.add(name)
    for name, declared in table.columns.items():
        if declared.required and name not in seen:
            raise SimulationError(f"{path}: has no column '{name}' ({declared.expected()})")
    specs: dict[str, Column] = {}
    for name in header:
        spec = table.spec(name)
        if spec is not None:
            specs[name] = spec
    handle.seek(0)
    try:
        with warnings.catch_warnings():
            # a first row longer than the header is only a warning to pandas: refuse it
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                handle,
                encoding="utf-8",
                encoding_errors="strict",
                index_col=False,
                dtype={n: str for n, s in specs.items() if s.kind in ("text", "boolean")},
                keep_default_na=False,
                na_values={n: [""] for n, s in specs.items() if s.kind == "number"},
            )
    except UnicodeDecodeError:
        raise SimulationError(f"{path}: is not UTF-8 text (expected {what})") from None
    except pd.errors.ParserWarning:
        raise SimulationError(f"{path}: row 1 has more fields than the header line") from None
    except (ValueError, pd.errors.ParserError, csv.Error, OverflowError) as exc:
        reason = " ".join(str(exc).split())
        raise SimulationError(f"{path}: cannot be read as CSV ({reason})") from None
    if len(frame) < table.min_rows:
        raise SimulationError(f"{path}: has no rows (expected at least {table.min_rows})")
    columns = {name: _column(frame[name], spec, path, name) for name, spec in specs.items()}
    result = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    if table.key:
        dup = result.duplicated(list(table.key))
        if dup.any():
            row = int(np.argmax(dup.to_numpy()))
            value = ", ".join(str(result.at[row, k]) for k in table.key)
            raise SimulationError(
                f"{path}: row {row + 1}: {' / '.join(table.key)} '{value}' appears twice"
            )
    return result


def _header(line: bytes, path: Path, what: str) -> list[str]:
    """The column names of a CSV file's first line."""
    if not line:
        raise SimulationError(f"{path}: is empty (expected {what})")
    if not line.strip():
        raise SimulationError(f"{path}: starts with a blank line (expected the header of {what})")
    text = decode_text(line, path, what)
    try:
        header = next(csv.reader([text]))
    except (csv.Error, StopIteration) as exc:
        raise SimulationError(f"{path}: cannot be read as CSV ({exc})") from None
    return header


def _column(series: pd.Series, spec: Column, path: Path, name: str) -> pd.Series:
    """One parsed column checked against ``spec`` (see :func:`read_table` for the dtypes)."""

    def fail(row: int, problem: str | None = None) -> SimulationError:
        cell = series.iloc[row]
        if problem is None:
            blank = cell is None or (isinstance(cell, float) and math.isnan(cell))
            blank = blank or str(cell).strip() == ""
            problem = "found an empty cell" if blank else f"found {_cell(cell)}"
        return SimulationError(
            f"{path}: row {row + 1}, column '{name}': expected {spec.expected()}, {problem}"
        )

    def first(mask: np.ndarray) -> int:
        return int(np.argmax(mask))

    if spec.kind in ("text", "boolean"):
        values = series.fillna("").astype(str)  # a row cut short leaves NaN
        if spec.kind == "boolean":
            lowered = values.str.lower()
            bad = ~lowered.isin(("true", "false")).to_numpy()
            if bad.any():
                raise fail(first(bad))
            return pd.Series(lowered.to_numpy() == "true", index=series.index)
        if not spec.empty:
            blank = (values.str.strip() == "").to_numpy()
            if blank.any():
                raise fail(first(blank))
        return values
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        floats = series.to_numpy(dtype=float, na_value=np.nan)
    else:  # text among the numbers (or True/False): find the cell that is not a number
        raw = series.astype(str) if pd.api.types.is_bool_dtype(dtype) else series
        coerced = pd.to_numeric(raw, errors="coerce")
        unreadable = (coerced.isna() & raw.notna()).to_numpy()
        if unreadable.any():
            raise fail(first(unreadable))
        floats = coerced.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(floats)
    if missing.any() and not spec.empty:
        raise fail(first(missing))
    with np.errstate(invalid="ignore"):
        bad = np.isinf(floats)
        if spec.low is not None:
            bad |= floats < spec.low
        if spec.high is not None:
            bad |= floats > spec.high
        if spec.kind == "flag":
            bad |= (floats != 0.0) & (floats != 1.0)
        if spec.kind == "integer":
            bad |= (floats != np.round(floats)) | (np.abs(floats) > MAX_INTEGER)
        bad &= ~missing
    if bad.any():
        raise fail(first(bad))
    with np.errstate(invalid="ignore"):
        huge = np.abs(floats) > MAX_MAGNITUDE
    if huge.any():
        raise fail(
            first(huge), f"found {_cell(series.iloc[first(huge)])} (beyond ±{MAX_MAGNITUDE:g})"
        )
    if spec.kind in ("integer", "flag"):
        return pd.Series(floats.astype(np.int64), index=series.index)
    return pd.Series(floats, index=series.index)


# run.json -------------------------------------------------------------------------------------


# The folder as a whole ------------------------------------------------------------------------
