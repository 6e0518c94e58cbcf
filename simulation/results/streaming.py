"""Samples streamed while a run goes: the hidden staging folder that becomes the results folder
(:class:`ResultsStage`) and the writer that appends each chunk of iterations to its
``samples.csv`` (and ``samples.parquet``) in iteration order (:class:`SampleWriter`, an engine
``SampleSink``).

The streamed CSV is byte-identical to the one written at once from ``Results.samples`` (same
columns, dtypes and float format: :func:`simulation.results.run_results.chunk_frame`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.engine.extras import PARQUET, require
from simulation.errors import SimulationError
from simulation.results import folders, publishing
from simulation.results.run_results import chunk_csv, chunk_frame, parquet_table
from simulation.scenario.schema import SCALAR_NAMES

__all__ = [
    "FORMATS",
    "PARQUET_ROW_GROUP",
    "ResultsStage",
    "SampleWriter",
]

#: Sample-file formats: ``samples.csv`` is always written (the report reads it); ``parquet``
#: and ``both`` add ``samples.parquet``.
FORMATS = ("csv", "parquet", "both")

#: Rows buffered before a Parquet row group is written.
PARQUET_ROW_GROUP = 65_536


class SampleWriter:
    """Appends samples to ``samples.csv`` (and ``samples.parquet``) in iteration order.

    An engine ``SampleSink``: each ``write`` formats one chunk and appends it, so the parent
    never holds the samples as text or Python objects. Parquet rows are buffered into row
    groups of :data:`PARQUET_ROW_GROUP` rows.
    """

    def __init__(
        self,
        folder: Path,
        input_names: Sequence[str],
        risk_names: Sequence[str],
        formats: str = "csv",
    ) -> None:
        if formats not in FORMATS:
            raise SimulationError(f"unknown sample format {formats!r} (expected one of {FORMATS})")
        if formats != "csv":
            require(PARQUET, f"--format {formats}")  # before any file is opened
        self.input_names = tuple(input_names)
        self.risk_names = tuple(risk_names)
        self.csv_path = folder / "samples.csv"
        self.parquet_path = folder / "samples.parquet" if formats != "csv" else None
        self.csv = open(self.csv_path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.header = True
        self.rows = 0
        self.buffer: list[pd.DataFrame] = []
        self.buffered = 0
        self.parquet: Any = None

    def write(
        self,
        start: int,
        inputs: NDArray[np.float64],
        scalars: NDArray[np.float64],
        risks: NDArray[np.uint8],
    ) -> None:
        if start != self.rows:
            raise SimulationError(f"samples out of order: got row {start}, expected {self.rows}")
        if inputs.shape[1] != len(self.input_names):
            raise SimulationError(
                f"{inputs.shape[1]} input columns for {len(self.input_names)} input names"
            )
        self._write_header()
        if scalars.shape[0]:
            self.csv.write(chunk_csv(start, inputs, scalars, risks))
        self.rows += scalars.shape[0]
        if self.parquet_path is not None:
            frame = chunk_frame(start, inputs, scalars, risks, self.input_names, self.risk_names)
            self.buffer.append(frame.copy())
            self.buffered += len(frame)
            if self.buffered >= PARQUET_ROW_GROUP:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        if not self.buffer or self.parquet_path is None:
            return
        import pyarrow.parquet as pq

        table = parquet_table(pd.concat(self.buffer, ignore_index=True))
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.parquet_path, table.schema)
        self.parquet.write_table(table)
        self.buffer, self.buffered = [], 0

    def close(self) -> None:
        """Flush and close the files (idempotent)."""
        if not self.csv.closed:
            self._write_header()  # no rows at all: still the header
            self.csv.close()
        self._flush_parquet()
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None

    def _write_header(self) -> None:
        """The header line, once, before the first rows."""
        if self.header:
            self.csv.write(",".join(self._columns()) + "\n")
            self.header = False

    def _columns(self) -> list[str]:
        return [
            "iteration",
            *(f"in.{k}" for k in self.input_names),
            *(f"out.{k}" for k in SCALAR_NAMES),
            *(f"risk.{k}" for k in self.risk_names),
        ]


class ResultsStage:
    """The hidden staging folder beside ``out`` that becomes the results folder at the end.

    Reserved before the run (:class:`simulation.results.publishing.Staging`: an existing ``out`` is
    refused unless ``force`` and it is a results folder of this tool, and a concurrent run aiming at
    the same ``out`` is refused at once), it receives the streamed samples; :func:`write_folder`
    completes and publishes it, :meth:`discard` removes it.
    """

    def __init__(self, out: Path, *, force: bool = False, unique: bool = False) -> None:
        self.staging = publishing.Staging(folders.target_path(out), force, "run", unique=unique)
        #: the folder the results will be published as (with ``unique``, the first free name)
        self.out = self.staging.out
        self.path = self.staging.path
        self.writer: SampleWriter | None = None

    def sample_writer(
        self, input_names: Sequence[str], risk_names: Sequence[str], formats: str = "csv"
    ) -> SampleWriter:
        self.writer = SampleWriter(self.path, input_names, risk_names, formats)
        return self.writer

    def close_writer(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def discard(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(OSError, ValueError):  # removing it anyway
                self.writer.close()
        self.staging.discard()
