"""Reading the data ``simulate fit`` fits: one numeric column of a CSV file (separator and
decimal mark detected or given), every unreadable cell named by file, column and line; and the
check that a sample can be fitted at all."""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.errors import SimulationError
from simulation.inputfiles import decode_utf8, read_input

FloatArray = NDArray[np.float64]

__all__ = [
    "Column",
    "CsvFormat",
    "DECIMAL_MARKS",
    "FitError",
    "MAX_CSV_BYTES",
    "MIN_VALUES",
    "SEPARATORS",
    "check_sample",
    "detect_separator",
    "missing_column",
    "parse_cells",
    "read_column",
    "read_csv",
]


#: Fewest values a fit accepts.
MIN_VALUES = 10


class FitError(SimulationError):
    """A data or expert file cannot be used for fitting; messages name file, column and line."""


#: Largest CSV file ``simulate fit`` reads, in bytes.
MAX_CSV_BYTES = 100_000_000


#: Field separators ``--sep`` accepts (``tab``, ``pipe`` by name), in the order detection prefers.
SEPARATORS: dict[str, str] = {",": ",", ";": ";", "tab": "\t", "pipe": "|"}


#: Decimal marks ``--decimal`` accepts.
DECIMAL_MARKS: tuple[str, ...] = (".", ",")


_EXPONENT = r"(?:[eE][+-]?\d+)?"


#: ``1,234`` / ``-12,345,678.5``: commas grouping thousands (with a decimal point or none).
_THOUSANDS_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?" + _EXPONENT)


#: ``12,5`` / ``1.234,5`` / ``,5``: a decimal comma (dots, if any, grouping thousands).
_DECIMAL_COMMA = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+" + _EXPONENT)


#: ``1.234`` / ``1.234.567,89``: dots grouping thousands (read so only under ``--decimal ,``).
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?" + _EXPONENT)


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is read: field separator (``,`` ``;`` tab ``|``) and decimal mark."""

    sep: str = ","
    decimal: str = "."

    @property
    def shown_sep(self) -> str:
        return "tab" if self.sep == "\t" else self.sep


def detect_separator(header: str, decimal: str = ".") -> str:
    """The field separator of a CSV file from its header line: the candidate of
    :data:`SEPARATORS` that splits it into the most fields (quotes respected); ``,`` on a tie.
    A header of one field gives ``,`` — or ``;`` under a decimal comma, which cannot be both."""
    best, fields = "", 1
    for sep in SEPARATORS.values():
        n = len(next(csv.reader([header], delimiter=sep), []))
        if n > fields:
            best, fields = sep, n
    if best:
        return best
    return ";" if decimal == "," else ","


def read_csv(path: Path, fmt: CsvFormat | None = None) -> tuple[pd.DataFrame, CsvFormat]:
    """Every cell as text (so that bad cells can be reported), blank lines kept as empty rows so
    that data row ``i`` (0-based) is line ``i + 2`` of the file (header on line 1).

    The file is read with :func:`simulation.inputfiles.read_input` (never blocks, at most
    :data:`MAX_CSV_BYTES`), decoded as UTF-8 without a byte-order mark. ``fmt`` gives the
    separator and decimal mark; its ``sep`` empty means "detect from the header line"
    (:func:`detect_separator`). A comma may be both the separator and the decimal mark when
    the numbers are quoted (``"12,5",a``). A data line with more fields than the header is an error
    (pandas would silently take its first field as a row label: ``12,5`` in a one-column file
    would become the value 5).
    """
    fmt = fmt or CsvFormat(sep="")
    raw = read_input(path, limit=MAX_CSV_BYTES, what="CSV file", error=FitError)
    text = decode_utf8(raw, path, FitError)
    if not text.strip():
        raise FitError(f"{path}: the file is empty, expected a CSV file with a header line")
    header = text.splitlines()[0]
    fmt = CsvFormat(fmt.sep or detect_separator(header, fmt.decimal), fmt.decimal)
    options: dict[str, Any] = {
        "sep": fmt.sep,
        "dtype": str,
        "keep_default_na": False,
        "skip_blank_lines": False,
        "skipinitialspace": True,
    }
    try:
        frame = pd.read_csv(io.StringIO(text), **options)
        if not isinstance(frame.index, pd.RangeIndex):
            # a data line has one field more than the header: find it (raises ParserError)
            pd.read_csv(io.StringIO(text), header=None, **options)
    except pd.errors.EmptyDataError:
        raise FitError(
            f"{path}: the file is empty, expected a CSV file with a header line"
        ) from None
    except pd.errors.ParserError as exc:
        raise FitError(_parser_message(path, text, fmt, exc)) from None
    if not isinstance(frame.index, pd.RangeIndex):  # pragma: no cover - the re-read raised
        raise FitError(f"{path}: a data line has more fields than the header")
    return frame, fmt


def _parser_message(path: Path, text: str, fmt: CsvFormat, exc: Exception) -> str:
    """One line for a CSV pandas cannot parse; for a line with more fields than the header, the
    line and, when its numbers look like decimal commas, the options that read them."""
    found = _FIELDS.search(str(exc))
    if found is None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{path}: not a readable CSV file ({first})"
    expected, line, saw = (int(g) for g in found.groups())
    lines = text.splitlines()
    shown = lines[line - 1].strip()[:60] if 0 < line <= len(lines) else ""
    message = f"{path}: line {line} has {saw} fields but the header has {expected} ('{shown}')"
    if fmt.sep == "," and re.search(r"\d,\d", shown):
        if fmt.decimal == ",":
            return (
                f"{message}; in a comma-separated file, numbers with decimal commas must be "
                "quoted (\"12,5\"), or separate the fields by ';' (--sep ';')"
            )
        return (
            f"{message}; if ',' is the decimal mark (12,5 for 12.5), give --decimal , "
            "(fields are then separated by ';' or a tab, or quoted)"
        )
    return f"{message}; quote fields that contain '{fmt.shown_sep}'"


def missing_column(path: Path, column: str, present: Sequence[str], what: str = "") -> str:
    names = [str(c) for c in present]
    lowered = {n.strip().lower(): n for n in names}
    close = difflib.get_close_matches(column.strip().lower(), list(lowered), n=1)
    hint = f"; did you mean '{lowered[close[0]]}'?" if close else ""
    listed = ", ".join(f"'{n}'" for n in names) if names else "none"
    return f"{path}: no column '{column}'{what} (columns present: {listed}{hint})"


def _number_text(cell: str, fmt: CsvFormat) -> tuple[str, str]:
    """``cell`` rewritten for ``pd.to_numeric`` (decimal point, no grouping) and how it was read:
    ``""`` as is, ``"thousands"`` (grouping marks dropped), ``"decimal comma"`` (a decimal comma
    where a point is expected) or ``"decimal point"`` (a point under ``--decimal ,``)."""
    if fmt.decimal == ",":
        if "." in cell:
            if _THOUSANDS_DOT.fullmatch(cell):
                return cell.replace(".", "").replace(",", "."), "thousands"
            return cell, "decimal point"
        return cell.replace(",", "."), ""
    if "," not in cell:
        return cell, ""
    # In a comma-separated file a comma inside a value was quoted: 1,234 groups thousands.
    # Elsewhere (';', tab) 1,234 is a decimal comma unless a decimal point follows (1,234.5)
    # or there are several commas (1,234,567).
    grouped = fmt.sep == "," or "." in cell or cell.count(",") > 1
    if grouped and _THOUSANDS_COMMA.fullmatch(cell):
        return cell.replace(",", ""), "thousands"
    if _DECIMAL_COMMA.fullmatch(cell):
        return cell, "decimal comma"
    return cell, ""


def parse_cells(
    path: Path, column: str, text: pd.Series, fmt: CsvFormat, lines: Sequence[int]
) -> tuple[FloatArray, int]:
    """The stripped cells ``text`` (file lines ``lines``) as floats, NaN where a cell is empty or
    not a number, and how many used thousands separators. A decimal mark that is not the one
    expected is one :class:`FitError` naming the file, column, line and the option to give."""
    out = np.full(len(text), np.nan)
    cells: list[str] = []
    thousands = 0
    for i, cell in enumerate(text.tolist()):
        rewritten, how = _number_text(cell, fmt)
        if how == "decimal comma":
            where = f"line {lines[i]}: '{cell}'"
            sep = f"; the fields are separated by '{fmt.shown_sep}'" if fmt.sep != "," else ""
            raise FitError(
                f"{path}: column '{column}' has a decimal comma ({where}); fit reads decimal "
                f"points by default: give --decimal , to read 12,5 as 12.5{sep}"
            )
        if how == "decimal point":
            raise FitError(
                f"{path}: column '{column}', line {lines[i]}: '{cell}' has a decimal point, but "
                "--decimal , says the decimal mark is a comma (leave out --decimal ,)"
            )
        thousands += how == "thousands"
        cells.append(rewritten)
    if cells:
        series = pd.Series(cells, dtype=object)
        out = pd.to_numeric(series.where(series != "", None), errors="coerce").to_numpy(float)
    return out, thousands


def _numbers(
    path: Path, frame: pd.DataFrame, column: str, fmt: CsvFormat = CsvFormat()
) -> tuple[FloatArray, list[int], int]:
    """The column as floats; raises listing every cell that is text or not finite. Returns the
    values of non-empty cells, the file lines of empty cells (skipped) and how many values were
    written with thousands separators."""
    text = frame[column].astype(str).str.strip()
    empty = text == ""
    values, thousands = parse_cells(path, column, text, fmt, [i + 2 for i in range(len(text))])
    errors: list[str] = []
    for i in np.flatnonzero(~empty.to_numpy()):
        cell = text.iloc[i]
        if math.isnan(values[i]) and cell.lower() != "nan":
            errors.append(f"{path}: column '{column}', line {i + 2}: '{cell}' is not a number")
        elif not math.isfinite(values[i]):
            errors.append(
                f"{path}: column '{column}', line {i + 2}: '{cell}' is not a finite number"
            )
    nonempty = int(np.count_nonzero(~empty.to_numpy()))
    n_text = sum(1 for e in errors if e.endswith("is not a number"))
    if nonempty > 1 and n_text == nonempty:
        first = int(np.flatnonzero(~empty.to_numpy())[0])
        raise FitError(
            f"{path}: column '{column}' holds text, not numbers "
            f"(line {first + 2}: '{text.iloc[first]}')"
        )
    if len(errors) > 10:
        errors = errors[:10] + [f"{path}: column '{column}': ... and {len(errors) - 10} more"]
    if errors:
        raise FitError(errors)
    lines = [int(i) + 2 for i in np.flatnonzero(empty.to_numpy())]
    return values[~empty.to_numpy()], lines, thousands


@dataclass(frozen=True)
class Column:
    """The observations of one CSV column (units: those of the data, e.g. days).

    ``thousands``: how many values were written with thousands separators (``1,234``), read as
    whole groups; ``fmt``: the separator and decimal mark the file was read with.
    """

    path: Path
    name: str
    values: FloatArray
    skipped_lines: tuple[int, ...]  #: file lines whose cell was empty
    thousands: int = 0
    fmt: CsvFormat = CsvFormat()


def read_column(
    path: Path, column: str, min_values: int = MIN_VALUES, fmt: CsvFormat | None = None
) -> Column:
    """Read ``column`` of the CSV file ``path`` as finite numbers, ready for fitting.

    ``fmt``: separator and decimal mark (default: separator detected, decimal point). Empty
    cells are skipped (their lines are returned); anything else that is not a finite number,
    a decimal mark other than the one expected, a missing column, fewer than ``min_values``
    values or a constant column raise :class:`FitError` with messages naming the file, column
    and line.
    """
    frame, used = read_csv(path, fmt)
    if column not in frame.columns:
        raise FitError(missing_column(path, column, list(frame.columns)))
    values, skipped, thousands = _numbers(path, frame, column, used)
    check_sample(values, f"{path}: column '{column}'", min_values)
    return Column(path, column, values, tuple(skipped), thousands, used)


def check_sample(values: FloatArray, label: str, min_values: int = MIN_VALUES) -> None:
    """Raise :class:`FitError` if ``values`` cannot be fitted: too few, non-finite or constant."""
    if len(values) < min_values:
        raise FitError(
            f"{label}: {len(values)} values, a fit needs at least {min_values} "
            "(for fewer observations, ask experts for a three-point estimate: --expert)"
        )
    if not np.all(np.isfinite(values)):
        raise FitError(f"{label}: values must be finite numbers")
    if np.ptp(values) == 0:
        v = f"{values[0]:g}"
        raise FitError(
            f"{label}: all {len(values)} values are {v}; a constant needs no distribution "
            f"(write the plain number {v})"
        )
