"""Turn raw engine output into result tables, and write / read a results folder atomically.

A results folder is written to a hidden temporary folder beside the target and renamed at the
end, so a folder that exists is always complete. An existing folder is never overwritten unless
``force`` is given.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import schema, summary
from simulation.engine import KEY_OUTPUTS, RawResults
from simulation.errors import SimulationError
from simulation.model import SCALAR_NAMES, SERIES_NAMES
from simulation.scenario_types import Scenario

#: Outputs analysed for sensitivity (the tornado charts' data).
SENSITIVITY_OUTPUTS = (*KEY_OUTPUTS, "cutover_month", "peak_backlog")
FLOAT_FORMAT = "%.10g"


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

    def save(
        self,
        out: str | Path,
        *,
        force: bool = False,
        charts: bool = True,
        svg: bool = False,
        report: bool = True,
    ) -> Path:
        """Write the results folder ``out`` atomically; returns its path."""
        return write_folder(self, Path(out), force=force, charts=charts, svg=svg, report=report)


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


def samples_frame(raw: RawResults) -> pd.DataFrame:
    """One row per iteration: ``iteration``, ``in.<path>``, ``out.<metric>``, ``risk.<name>``."""
    n = raw.iterations
    parts = [pd.DataFrame({"iteration": np.arange(n)})]
    parts.append(pd.DataFrame(raw.inputs.values, columns=[f"in.{k}" for k in raw.inputs.names]))
    parts.append(pd.DataFrame(raw.scalars, columns=[f"out.{k}" for k in SCALAR_NAMES]))
    parts.append(
        pd.DataFrame(raw.risks.astype(np.int8), columns=[f"risk.{k}" for k in raw.risk_names])
    )
    return pd.concat(parts, axis=1)


def build_results(scenario: Scenario, raw: RawResults, meta: Mapping[str, Any]) -> RunResults:
    """Compute every table of a run from the engine's raw arrays."""
    samples = samples_frame(raw)
    table = summary.summarise(samples, SCALAR_NAMES, scenario.targets)
    bands = summary.timeseries_bands(raw.monthly, SERIES_NAMES)
    outputs = [o for o in SENSITIVITY_OUTPUTS if f"out.{o}" in samples]
    sens = summary.sensitivity(samples, list(raw.inputs.names), outputs)
    risks = summary.risk_effects(samples, raw.risk_names)
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
    )


def _write_tables(res: RunResults, folder: Path) -> None:
    res.samples.to_csv(folder / "samples.csv", index=False, float_format=FLOAT_FORMAT)
    res.summary.to_csv(folder / "summary.csv", index=False, float_format=FLOAT_FORMAT)
    res.timeseries.to_csv(folder / "timeseries.csv", index=False, float_format=FLOAT_FORMAT)
    res.sensitivity.to_csv(folder / "sensitivity.csv", index=False, float_format=FLOAT_FORMAT)
    res.risks.to_csv(folder / "risks.csv", index=False, float_format=FLOAT_FORMAT)
    res.inputs.to_csv(folder / "inputs.csv", index=False, float_format=FLOAT_FORMAT)
    (folder / "summary.json").write_text(
        json.dumps(summary.headline(res.summary), indent=2, default=_json_default) + "\n"
    )
    (folder / "run.json").write_text(json.dumps(res.meta, indent=2, default=_json_default) + "\n")
    src = Path(res.scenario.path)
    if src.is_file():
        shutil.copyfile(src, folder / "scenario.toml")


def _json_default(o: object) -> object:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o).__name__)


def write_folder(
    res: RunResults,
    out: Path,
    *,
    force: bool = False,
    charts: bool = True,
    svg: bool = False,
    report: bool = True,
) -> Path:
    """Write every file into a temporary folder beside ``out``, then rename it into place."""
    if out.exists() and not force:
        raise SimulationError(
            f"{out}: the results folder exists already (use --force to replace it)"
        )
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise SimulationError(
            f"{parent}: cannot create the results folder ({exc.strerror})"
        ) from None
    try:
        _write_tables(res, tmp)
        if charts or report:
            from simulation.report import build_report, write_charts

            if charts:
                write_charts(tmp, svg=svg)
            if report:
                build_report(tmp)
        os.chmod(tmp, 0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, trash / out.name)
            os.rename(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SimulationError(
            f"{out}: writing the results failed ({exc.strerror or exc}); nothing was kept"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
