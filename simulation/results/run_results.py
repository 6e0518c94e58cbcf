"""Turn raw engine output into result tables, and write / read a results folder atomically.

A results folder is written to a hidden staging folder beside the target and published with one
rename at the end, so a folder that exists is always complete (:mod:`simulation.results.folders`).
An existing folder is never overwritten unless ``force`` is given, and then only when it is a
results folder of this tool.

Samples can be streamed: :class:`ResultsStage` opens that temporary folder before the run and
its :class:`SampleWriter` (an engine ``SampleSink``) appends each contiguous chunk of iterations
to ``samples.csv`` (and ``samples.parquet``) while the run goes on; ``save`` then writes the
other tables into the same folder and renames it. The streamed CSV is byte-identical to the one
written at once from ``RunResults.samples`` (same columns, dtypes and float format).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from simulation.analysis import sensitivity, summary
from simulation.analysis.summary import KEY_OUTPUTS
from simulation.engine.extras import PARQUET, require
from simulation.errors import SimulationError
from simulation.inputfiles import os_reason
from simulation.results import folders, publishing
from simulation.scenario import schema
from simulation.scenario.schema import SCALAR_NAMES, SERIES_NAMES
from simulation.scenario.types import Scenario

if TYPE_CHECKING:  # the engine (and SimPy under it) is not needed to read a results folder
    from simulation.engine.run import RawResults

#: Outputs analysed for sensitivity (the tornado charts' data).
SENSITIVITY_OUTPUTS = (*KEY_OUTPUTS, "cutover_month", "peak_backlog")
FLOAT_FORMAT = "%.10g"

#: Sample-file formats: ``samples.csv`` is always written (the report reads it); ``parquet``
#: and ``both`` add ``samples.parquet``.
FORMATS = ("csv", "parquet", "both")

#: Rows buffered before a Parquet row group is written.
PARQUET_ROW_GROUP = 65_536


@dataclass(frozen=True)
class RunResults:
    """The tables of one run: what a notebook user works with and what ``save`` writes.

    ``samples``: one row per iteration (``iteration``, ``in.*``, ``out.*``, ``risk.*``);
    ``summary``: one row per output metric; ``timeseries``: monthly P10/P50/P90 bands (long
    format); ``sensitivity``: Spearman rank correlations and variance shares; ``risks``: each
    risk's occurrence rate and effect; ``inputs``: every input with its distribution in words.
    """

    scenario: Scenario
    samples: pd.DataFrame
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    sensitivity: pd.DataFrame
    risks: pd.DataFrame
    inputs: pd.DataFrame
    meta: Mapping[str, Any]
    warnings: tuple[str, ...] = field(default=())
    formats: str = "csv"
    stage: ResultsStage | None = field(default=None, compare=False, repr=False)

    def save(
        self,
        out: str | Path,
        *,
        force: bool = False,
        charts: bool = True,
        svg: bool = False,
        report: bool = True,
    ) -> Path:
        """Write the results folder ``out`` atomically; returns its path.

        When the samples were streamed into a stage for ``out``, that folder is completed and
        renamed instead of writing the samples again.
        """
        return write_folder(self, Path(out), force=force, charts=charts, svg=svg, report=report)

    def discard(self) -> None:
        """Remove the streamed samples' temporary folder if it was never saved."""
        if self.stage is not None:
            self.stage.discard()


def unit_of(path: str) -> str:
    spec = schema.BY_PATH.get(path)
    if spec is not None:
        return spec.unit
    if path.startswith("risks."):
        field_name = path.rsplit(".", 1)[-1]
        if field_name == "occurs":
            return "0/1"
        if field_name == "at_month":
            return "months"
        return schema.RISK_NUMERIC.get(field_name, ("", "", "any"))[0]
    section, _, key = path.partition(".")
    pre = schema.prefix_spec(section, key)
    return pre.unit if pre else ""


def inputs_table(scenario: Scenario) -> pd.DataFrame:
    """Every input with its distribution in words: the report's assumptions table."""
    rows = [
        {
            "input": path,
            "distribution": dist.describe(),
            "mean": dist.mean(),
            "unit": unit_of(path).replace("currency", scenario.currency),
            "uncertain": not dist.is_fixed,
        }
        for path, dist in scenario.inputs.items()
    ]
    return pd.DataFrame(rows, columns=["input", "distribution", "mean", "unit", "uncertain"])


def chunk_frame(
    start: int,
    inputs: NDArray[np.float64],
    scalars: NDArray[np.float64],
    risks: NDArray[np.uint8],
    input_names: Sequence[str],
    risk_names: Sequence[str],
) -> pd.DataFrame:
    """Rows ``start ..`` of the samples table: ``iteration`` (int64), ``in.<path>`` and
    ``out.<metric>`` (float64, the key's / metric's units), ``risk.<name>`` (int8 0/1)."""
    n = scalars.shape[0]
    columns: dict[str, Any] = {"iteration": np.arange(start, start + n, dtype=np.int64)}
    columns.update({f"in.{k}": inputs[:, j] for j, k in enumerate(input_names)})
    columns.update({f"out.{k}": scalars[:, j] for j, k in enumerate(SCALAR_NAMES)})
    flags = risks.astype(np.int8)
    columns.update({f"risk.{k}": flags[:, j] for j, k in enumerate(risk_names)})
    return pd.DataFrame(columns, copy=False)


def samples_frame(raw: RawResults) -> pd.DataFrame:
    """One row per iteration: ``iteration``, ``in.<path>``, ``out.<metric>``, ``risk.<name>``."""
    return chunk_frame(
        0, raw.inputs.values, raw.scalars, raw.risks, raw.inputs.names, raw.risk_names
    )


def _parquet_table(frame: pd.DataFrame) -> Any:
    require(PARQUET)
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


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
        frame = chunk_frame(start, inputs, scalars, risks, self.input_names, self.risk_names)
        frame.to_csv(self.csv, index=False, header=self.header, float_format=FLOAT_FORMAT)
        self.header = False
        self.rows += len(frame)
        if self.parquet_path is not None:
            self.buffer.append(frame.copy())
            self.buffered += len(frame)
            if self.buffered >= PARQUET_ROW_GROUP:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        if not self.buffer or self.parquet_path is None:
            return
        import pyarrow.parquet as pq

        table = _parquet_table(pd.concat(self.buffer, ignore_index=True))
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.parquet_path, table.schema)
        self.parquet.write_table(table)
        self.buffer, self.buffered = [], 0

    def close(self) -> None:
        """Flush and close the files (idempotent)."""
        if not self.csv.closed:
            if self.header:  # no rows at all: still write the header
                self.csv.write(",".join(self._columns()) + "\n")
                self.header = False
            self.csv.close()
        self._flush_parquet()
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None

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


def build_results(
    scenario: Scenario,
    raw: RawResults,
    meta: Mapping[str, Any],
    *,
    formats: str = "csv",
    stage: ResultsStage | None = None,
    risk_ranking: pd.DataFrame | None = None,
) -> RunResults:
    """Compute every table of a run from the engine's raw arrays.

    ``risk_ranking`` (from :func:`simulation.analysis.risk_removal.risk_removal`) is merged into the
    risks table by risk name: what removing each risk is worth at the P80.

    ``formats`` (``csv``/``parquet``/``both``) and ``stage`` (the folder the samples were
    streamed into) are passed on to ``save``.
    """
    samples = samples_frame(raw)
    table = summary.summarise(samples, SCALAR_NAMES, scenario.targets)
    bands = sensitivity.timeseries_bands(raw.monthly, SERIES_NAMES)
    outputs = [o for o in SENSITIVITY_OUTPUTS if f"out.{o}" in samples]
    sens = sensitivity.sensitivity(samples, list(raw.inputs.names), outputs)
    risks = sensitivity.risk_effects(samples, raw.risk_names)
    if risk_ranking is not None and len(risks):
        risks = risks.merge(risk_ranking, on="risk", how="left", validate="one_to_one")
    warnings = list(raw.warnings) + summary.too_few_iterations(raw.iterations)
    never = int(np.sum(raw.scalars[:, SCALAR_NAMES.index("stabilised")] < 0.5))
    if never:
        warnings.append(
            f"{never:,} of {raw.iterations:,} iterations never stabilised within the horizon "
            "(censored at the horizon, flagged out.stabilised = 0)"
        )
    full_meta = dict(meta)
    full_meta["warnings"] = warnings
    return RunResults(
        scenario=scenario,
        samples=samples,
        summary=table,
        timeseries=bands,
        sensitivity=sens,
        risks=risks,
        inputs=inputs_table(scenario),
        meta=full_meta,
        warnings=tuple(warnings),
        formats=formats,
        stage=stage,
    )


def _write_tables(res: RunResults, folder: Path, streamed: bool) -> None:
    if not streamed:
        res.samples.to_csv(folder / "samples.csv", index=False, float_format=FLOAT_FORMAT)
        if res.formats != "csv":
            import pyarrow.parquet as pq

            pq.write_table(_parquet_table(res.samples), folder / "samples.parquet")
    res.summary.to_csv(folder / "summary.csv", index=False, float_format=FLOAT_FORMAT)
    res.timeseries.to_csv(folder / "timeseries.csv", index=False, float_format=FLOAT_FORMAT)
    res.sensitivity.to_csv(folder / "sensitivity.csv", index=False, float_format=FLOAT_FORMAT)
    res.risks.to_csv(folder / "risks.csv", index=False, float_format=FLOAT_FORMAT)
    res.inputs.to_csv(folder / "inputs.csv", index=False, float_format=FLOAT_FORMAT)
    (folder / "summary.json").write_text(json_text(summary.headline(res.summary), "summary.json"))
    (folder / "run.json").write_text(json_text(res.meta, "run.json"))
    write_scenario_files(res.scenario, folder)


def write_scenario_files(scenario: Scenario, folder: Path) -> None:
    """The exact bytes of the scenario as it was read when the run started (never read from
    disk again: an edit during the run, or a scenario read from a pipe, saves what ran):
    ``scenario.toml``, and ``scenario.base-1.toml`` … for the files it ``extends``."""
    for k, (_file, raw) in enumerate(scenario.sources):
        if raw:  # a scenario built in code from parsed data has no bytes to save
            name = "scenario.toml" if k == 0 else f"scenario.base-{k}.toml"
            (folder / name).write_bytes(raw)


def json_default(o: object) -> object:
    """JSON for numpy integers and paths (floats are handled by :func:`json_text`)."""
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return _finite_or_none(float(o), "", "value")
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o).__name__)


def json_text(data: object, name: str) -> str:
    """``data`` as indented strict JSON (with a final newline) for the file ``name``.

    NaN is written as ``null`` — the documented meaning of a missing statistic (a P90 standard
    error of too few iterations, a break-even never reached). An infinite number has no such
    meaning and is never written (strict JSON has no ``Infinity``, and most readers refuse it):
    it raises :class:`SimulationError` naming the file and the key, e.g.
    ``summary.json: transition_cost.std is inf, not a finite number``.
    """
    return (
        json.dumps(_strict(data, name, ""), indent=2, allow_nan=False, default=json_default) + "\n"
    )


def _finite_or_none(value: float, name: str, key: str) -> float | None:
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise SimulationError(
            f"{name}: {key} is {value}, not a finite number (are the scenario's amounts in the "
            "right unit?); nothing was written"
        )
    return value


def _strict(value: object, name: str, key: str) -> object:
    """``value`` with NaN as None, checked for infinities, containers walked (keys named)."""
    if isinstance(value, float | np.floating):
        return _finite_or_none(float(value), name, key or "the value")
    if isinstance(value, dict):
        return {k: _strict(v, name, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v, name, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def write_folder(
    res: RunResults,
    out: Path,
    *,
    force: bool = False,
    charts: bool = True,
    svg: bool = False,
    report: bool = True,
) -> Path:
    """Write every file into a staging folder beside ``out``, then publish it (see
    :mod:`simulation.results.folders`: an existing ``out`` is replaced only with ``force`` and only
    when it is a results folder of this tool).

    If the samples were streamed into a stage for this ``out``, that stage is the folder.
    """
    out = folders.target_path(out)
    stage = res.stage
    if stage is not None and stage.out == out and stage.path.is_dir():
        streamed = True
        stage.close_writer()
        staging = stage.staging
    else:
        streamed = False
        staging = publishing.Staging(out, force, "run")
    try:
        _write_tables(res, staging.path, streamed)
        if charts or report:
            from simulation.report.drawing import write_charts
            from simulation.report.run_report import build_report

            if charts:
                write_charts(staging.path, svg=svg)
            if report:
                build_report(staging.path, published=out)
    except OSError as exc:
        staging.discard()
        raise SimulationError(
            f"{out}: writing failed ({os_reason(exc)}); nothing was kept"
        ) from None
    except BaseException:
        staging.discard()
        raise
    return staging.publish()
