"""Parsing the files of a results folder against the contract (:mod:`simulation.results.contract`):
text that must be UTF-8 (:func:`decode_text`) and each CSV table, column by column
(:func:`read_table`). Anything else than what ``simulate run`` writes is refused with one line
naming the file, the row and column and what was expected; nothing is guessed.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from simulation.errors import SimulationError
from simulation.results.contract import MAX_INTEGER, MAX_MAGNITUDE, Column, Table

__all__ = [
    "decode_text",
    "read_table",
]


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


def read_table(table: Table, source: bytes | BinaryIO, path: Path) -> pd.DataFrame:
    """Parse one CSV file (its bytes, or a binary file open at its start) against its
    declaration; returns the declared columns, numbers as float64, integers and flags as int64,
    booleans as bool and text as str.

    Raises :class:`SimulationError` naming ``path`` (and the row and column) for anything that
    is not what ``simulate run`` writes. Row numbers count data rows from 1.
    """
    what = f"the CSV table {table.file} written by simulate run"
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    specs = _declared_columns(table, _header(handle.readline(), path, what), path)
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
    _check_key(table, result, path)
    return result


def _declared_columns(table: Table, header: list[str], path: Path) -> dict[str, Column]:
    """The header's columns the contract declares, with their declarations, in file order;
    refuses a column named twice and a required column missing."""
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
    return specs


def _check_key(table: Table, result: pd.DataFrame, path: Path) -> None:
    """The values of the table's key columns are unique together."""
    if not table.key:
        return
    dup = result.duplicated(list(table.key))
    if dup.any():
        row = int(np.argmax(dup.to_numpy()))
        value = ", ".join(str(result.at[row, k]) for k in table.key)
        raise SimulationError(
            f"{path}: row {row + 1}: {' / '.join(table.key)} '{value}' appears twice"
        )


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
    fail = _CellError(series, spec, path, name)
    if spec.kind in ("text", "boolean"):
        return _text_column(series, spec, fail)
    floats = _numbers(series, fail)
    _check_numbers(floats, spec, fail)
    if spec.kind in ("integer", "flag"):
        return pd.Series(floats.astype(np.int64), index=series.index)
    return pd.Series(floats, index=series.index)


@dataclass(frozen=True)
class _CellError:
    """The error of a cell of one column: ``path: row R, column 'name': expected …, found …``."""

    series: pd.Series
    spec: Column
    path: Path
    name: str

    def __call__(self, row: int, problem: str | None = None) -> SimulationError:
        cell = self.series.iloc[row]
        if problem is None:
            blank = cell is None or (isinstance(cell, float) and math.isnan(cell))
            blank = blank or str(cell).strip() == ""
            problem = "found an empty cell" if blank else f"found {_cell(cell)}"
        return SimulationError(
            f"{self.path}: row {row + 1}, column '{self.name}': expected "
            f"{self.spec.expected()}, {problem}"
        )


def _first(mask: np.ndarray) -> int:
    """The first row where ``mask`` is true."""
    return int(np.argmax(mask))


def _text_column(series: pd.Series, spec: Column, fail: _CellError) -> pd.Series:
    """A text column (as str; blank cells refused unless ``spec.empty``) or a True/False column
    (as bool)."""
    values = series.fillna("").astype(str)  # a row cut short leaves NaN
    if spec.kind == "boolean":
        lowered = values.str.lower()
        bad = ~lowered.isin(("true", "false")).to_numpy()
        if bad.any():
            raise fail(_first(bad))
        return pd.Series(lowered.to_numpy() == "true", index=series.index)
    if not spec.empty:
        blank = (values.str.strip() == "").to_numpy()
        if blank.any():
            raise fail(_first(blank))
    return values


def _numbers(series: pd.Series, fail: _CellError) -> np.ndarray:
    """A numeric column's cells as float64 (NaN where empty); a cell that is no number is
    refused."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    # text among the numbers (or True/False): find the cell that is not a number
    raw = series.astype(str) if pd.api.types.is_bool_dtype(dtype) else series
    coerced = pd.to_numeric(raw, errors="coerce")
    unreadable = (coerced.isna() & raw.notna()).to_numpy()
    if unreadable.any():
        raise fail(_first(unreadable))
    return coerced.to_numpy(dtype=float, na_value=np.nan)


def _check_numbers(floats: np.ndarray, spec: Column, fail: _CellError) -> None:
    """Empty cells only where ``spec.empty``; every value finite, within the bounds, 0 or 1 for a
    flag, whole for an integer, and within ±:data:`MAX_MAGNITUDE`."""
    missing = np.isnan(floats)
    if missing.any() and not spec.empty:
        raise fail(_first(missing))
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
        raise fail(_first(bad))
    with np.errstate(invalid="ignore"):
        huge = np.abs(floats) > MAX_MAGNITUDE
    if huge.any():
        row = _first(huge)
        raise fail(row, f"found {_cell(fail.series.iloc[row])} (beyond ±{MAX_MAGNITUDE:g})")
