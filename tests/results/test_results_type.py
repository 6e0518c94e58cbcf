"""One results type: what ``run`` returns and what ``load_results`` reads back are the same
:class:`Results`, with the same tables, metadata and scenario text, and the report reads either."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Results, load_results, load_scenario, run
from simulation.errors import SimulationError
from simulation.report.management import management_section
from simulation.report.narrative import executive_summary
from simulation.report.tables import key_figures, risk_rows
from simulation.results.run_results import json_text

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
TABLES = ("samples", "summary", "timeseries", "sensitivity", "risks", "inputs")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, Results]:
    """A run of minimal.toml (risks ranked) and its folder read back."""
    res = run(load_scenario(MINIMAL), 40, seed=3, jobs=1)
    out = res.save(tmp_path_factory.mktemp("one") / "run", charts=False, report=False)
    return res, load_results(out)


def _assert_same_table(made: pd.DataFrame, read: pd.DataFrame, name: str) -> None:
    assert list(made.columns) == list(read.columns), name
    assert len(made) == len(read), name
    for column in made.columns:
        a, b = made[column], read[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(
                a.to_numpy(float), b.to_numpy(float), rtol=1e-9, err_msg=f"{name}.{column}"
            )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), f"{name}.{column}"


def test_a_run_and_its_folder_read_back_are_one_type_with_the_same_tables(
    both: tuple[Results, Results],
) -> None:
    made, read = both
    assert type(made) is Results and type(read) is Results
    for name in TABLES:  # the CSV's columns on both sides (in.* samples included)
        _assert_same_table(getattr(made, name), getattr(read, name), name)
    assert any(c.startswith("in.") for c in read.samples.columns)
    assert read.meta == json.loads(json_text(made.meta, "run.json"))
    assert made.scenario_text == read.scenario_text == MINIMAL.read_text(encoding="utf-8")
    # what only one origin has
    assert made.scenario is not None and made.path is None
    assert read.scenario is None and read.path is not None and read.path.name == "run"
    # the helpers answer the same on both
    assert (made.currency, made.horizon_months) == (read.currency, read.horizon_months)
    assert made.warnings == read.warnings and made.warnings  # 40 iterations: too few for P5
    for metric in made.summary["metric"]:
        assert made.has(metric) and read.has(metric)
        assert made.info(metric) == read.info(metric)
        for column in ("mean", "p10", "p50", "p90", "p_within_target"):
            np.testing.assert_allclose(
                made.stat(metric, column), read.stat(metric, column), rtol=1e-9
            )
    assert not made.has("no_such_output") and np.isnan(read.stat("no_such_output", "p50"))


def test_the_report_reads_a_run_as_it_reads_its_folder(both: tuple[Results, Results]) -> None:
    made, read = both
    assert executive_summary(made) == executive_summary(read)
    assert key_figures(made) == key_figures(read)
    assert risk_rows(made) == risk_rows(read)
    assert management_section(made) == management_section(read)


def test_results_read_back_from_a_folder_are_not_saved_again(
    both: tuple[Results, Results], tmp_path: Path
) -> None:
    made, read = both
    with pytest.raises(SimulationError) as err:
        read.save(tmp_path / "copy")
    assert str(err.value) == (
        f"{read.path}: results read back from a folder without a scenario cannot be saved "
        "(only the results of a run are); copy their folder to keep it elsewhere"
    )
    built = dataclasses.replace(made, scenario=None)  # e.g. assembled in a notebook
    with pytest.raises(SimulationError, match=r"^results without a scenario cannot be saved"):
        built.save(tmp_path / "copy")
    assert list(tmp_path.iterdir()) == []  # no folder, no staging folder left
