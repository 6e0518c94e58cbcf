"""`simulate report DIR` on a results folder someone else prepared: links inside it are never
followed, every file is checked before anything is drawn or written, a failed write (full disk,
read-only folder) leaves the folder byte for byte as it was, and a chart worker that dies is
survived. Every case runs the real command and checks the exit code and the one-line message."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from folder_tools import MINIMAL, ROOT, copy_folder, error_line, report, snapshot

from simulation import load_scenario, run
from simulation.cli import main
from simulation.plotting import fans
from simulation.results.reader import load_results
from simulation.scenario.schema import SCALAR_NAMES

LINK_REFUSED = "is a symbolic link, and links inside a results folder are not followed"


@pytest.fixture
def folder(genuine_folder: Path, tmp_path: Path) -> Path:
    """A fresh copy of the genuine results folder."""
    return copy_folder(genuine_folder, tmp_path / "results")


# Genuine folders ---------------------------------------------------------------------------

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize(
    ("scenario", "iterations"),
    [(path, 20) for path in SHIPPED] + [(MINIMAL, 1), (MINIMAL, 2)],
    ids=[p.stem for p in SHIPPED] + ["minimal-1", "minimal-2"],
)
def test_every_folder_the_writer_produces_is_accepted(
    tmp_path: Path, scenario: Path, iterations: int
) -> None:
    """The checks accept exactly what results.py writes: every shipped scenario (risks, the
    risk ranking, uncertain horizons), and runs so small that standard deviations and errors
    are missing."""
    res = run(load_scenario(scenario), iterations=iterations, seed=3, jobs=1)
    out = res.save(tmp_path / "run", charts=False, report=False)
    data = load_results(out)
    assert len(data.samples) == iterations
    assert set(data.summary["metric"]) >= {"transition_cost", "npv_savings", "breakeven_month"}


@pytest.mark.filterwarnings("error::UserWarning")  # also in the forked chart workers
def test_a_run_that_never_breaks_even_gets_its_report_without_a_warning(tmp_path: Path) -> None:
    """Every breakeven_month is missing (a genuine, empty column): its histogram is drawn on
    an empty axis, with no warning (matplotlib's about identical axis limits used to show)."""
    text = MINIMAL.read_text().replace("low = 40000, high = 60000", "low = 400000, high = 600000")
    scenario = tmp_path / "dear.toml"
    scenario.write_text(text)
    out = tmp_path / "run"
    ran = CliRunner().invoke(
        main,
        ["run", str(scenario), "-n", "20", "--seed", "1", "--out", str(out), "-q", "--no-report"],
    )
    assert ran.exit_code == 0, ran.output
    assert "breakeven_month,,," in (out / "summary.csv").read_text()
    result = report(out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (out / "charts" / "histogram_breakeven_month.png").is_file()


# Symbolic links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("run.json", []),
        ("samples.csv", []),
        ("summary.csv", []),
        ("timeseries.csv", []),
        ("sensitivity.csv", []),
        ("risks.csv", []),
        ("inputs.csv", []),
        ("scenario.toml", []),
        ("charts", []),
        ("charts/fan_backlog.png", []),
        ("charts/histogram_transition_cost.svg", ["--svg"]),
        ("report.html", []),
        ("report.pdf", ["--pdf"]),
    ],
)
def test_a_link_inside_the_folder_is_refused_and_nothing_is_touched(
    folder: Path, tmp_path: Path, name: str, options: list[str]
) -> None:
    """Each link points at a faithful copy of what it replaces (or at a file that must not be
    overwritten): following it would work silently, so only refusing passes."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside / Path(name).name
    original = folder / name
    if original.is_dir():
        shutil.copytree(original, target)
        shutil.rmtree(original)
    elif original.exists():
        shutil.copyfile(original, target)
        original.unlink()
    else:  # report.pdf and the SVG are written, not read: a file elsewhere they would overwrite
        target.write_text("a file outside the results folder")
    os.symlink(target, original)
    inside, beyond = snapshot(folder), snapshot(outside)
    line = error_line(report(folder, *options))
    fix = "a folder" if name == "charts" else "the file itself"
    assert line == f"error: {folder / name}: {LINK_REFUSED} (replace it by {fix})"
    assert snapshot(folder) == inside
    assert snapshot(outside) == beyond


def test_a_dangling_link_is_not_created_through(folder: Path, tmp_path: Path) -> None:
    """Writing through a link to a missing file would create a file elsewhere."""
    (folder / "report.html").unlink()
    (folder / "report.html").symlink_to(tmp_path / "created-elsewhere.html")
    line = error_line(report(folder))
    assert (
        line == f"error: {folder / 'report.html'}: {LINK_REFUSED} (replace it by the file itself)"
    )
    assert not (tmp_path / "created-elsewhere.html").exists()


def test_the_secret_a_linked_scenario_points_at_stays_out_of_the_report(
    folder: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password = hunter2\n")
    (folder / "scenario.toml").unlink()
    (folder / "scenario.toml").symlink_to(secret)
    before = (folder / "report.html").read_bytes()
    assert "scenario.toml" in error_line(report(folder))
    assert b"hunter2" not in (folder / "report.html").read_bytes()
    assert (folder / "report.html").read_bytes() == before


def test_the_folder_named_on_the_command_line_may_itself_be_a_link(
    genuine_folder: Path, folder: Path, tmp_path: Path
) -> None:
    """The user chose DIR: a link to it is followed (only names inside it are not)."""
    alias = tmp_path / "alias"
    alias.symlink_to(folder)
    (folder / "report.html").unlink()
    result = report(alias)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"report: {alias / 'report.html'}\n"
    assert (folder / "report.html").is_file() and not (folder / "report.html").is_symlink()
    for png in (genuine_folder / "charts").glob("*.png"):  # same data, same charts
        assert (folder / "charts" / png.name).read_bytes() == png.read_bytes()


# Tampered folders -------------------------------------------------------------------------

Tamper = Callable[[Path], None]


def _json(change: Callable[[dict], object]) -> Tamper:
    def tamper(folder: Path) -> None:
        run = json.loads((folder / "run.json").read_text())
        result = change(run)
        (folder / "run.json").write_text(json.dumps(run if result is None else result))

    return tamper


def _set(key: str, value: object) -> Tamper:
    def change(run: dict) -> None:
        holder = run
        *parents, last = key.split(".")
        for parent in parents:
            holder = holder[parent]
        holder[last] = value

    return _json(change)


def _drop(key: str) -> Tamper:
    return _json(lambda run: run.pop(key) and None)


def _text(name: str, content: str | bytes) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return tamper


def _cell(name: str, row: int, column: str, value: str) -> Tamper:
    """Put ``value`` (as written in the file) into one cell of a CSV file."""

    def tamper(folder: Path) -> None:
        path = folder / name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[row, column] = value
        frame.to_csv(path, index=False)

    return tamper


def _replace(name: str, old: bytes, new: bytes) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        content = path.read_bytes()
        assert old in content
        path.write_bytes(content.replace(old, new, 1))

    return tamper


def _edit_lines(name: str, edit: Callable[[list[str]], list[str]]) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        path.write_text("\n".join(edit(path.read_text().splitlines())) + "\n")

    return tamper


def _drop_column(name: str, column: str) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.drop(columns=[column]).to_csv(path, index=False)

    return tamper


def _swap_for_folder(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        path.mkdir()
        (path / "inside.txt").write_text("a folder where a file belongs")

    return tamper


def _swap_for_file(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        shutil.rmtree(folder / name)
        (folder / name).write_text("a file where a folder belongs")

    return tamper


def _fifo(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        (folder / name).unlink()
        os.mkfifo(folder / name)

    return tamper


def _both(*tampers: Tamper) -> Tamper:
    def tamper(folder: Path) -> None:
        for t in tampers:
            t(folder)

    return tamper


RUN = "run.json"
SAMPLES = "samples.csv"
SUMMARY = "summary.csv"

#: (tampering, file named, the rest of the message after "<folder>/<file>: ").
TAMPERED: list[tuple[str, Tamper, str, str]] = [
    ("run-list", _text(RUN, "[1, 2, 3]"), RUN, "expected a JSON object, found a list"),
    ("run-null", _text(RUN, "null"), RUN, "expected a JSON object, found null"),
    (
        "run-empty",
        _text(RUN, ""),
        RUN,
        "is empty (expected the JSON object written by simulate run)",
    ),
    (
        "run-latin1",
        _text(RUN, '{"scenario": {"name": "Caf\xe9"}}'.encode("latin-1")),
        RUN,
        "is not UTF-8 text (byte 0xe9 at offset 26; expected the JSON object written by "
        "simulate run)",
    ),
    ("run-nan", _text(RUN, '{"seed": NaN}'), RUN, "is not valid JSON (NaN is not a JSON number)"),
    ("warnings", _set("warnings", 7), RUN, "'warnings' must be a list of text, found 7"),
    (
        "warnings-items",
        _set("warnings", ["fine", 3]),
        RUN,
        "'warnings' must be a list of text, found a list",
    ),
    (
        "horizon",
        _set("horizon_months", "sixty"),
        RUN,
        "'horizon_months' must be a whole number of months ≥ 1, found \"sixty\"",
    ),
    (
        "horizon-zero",
        _set("horizon_months", 0),
        RUN,
        "'horizon_months' must be a whole number of months ≥ 1, found 0",
    ),
    (
        "convergence",
        _set("convergence", "yes"),
        RUN,
        "'convergence' must be an object (mode, converged, message), found \"yes\"",
    ),
    (
        "converged",
        _set("convergence.converged", "no"),
        RUN,
        "'convergence.converged' must be true, false or null, found \"no\"",
    ),
    (
        "scenario",
        _set("scenario", 3),
        RUN,
        "'scenario' must be an object (path, sha256, name, description), found 3",
    ),
    (
        "scenario-name",
        _set("scenario.name", ["x"]),
        RUN,
        "'scenario.name' must be text, found a list",
    ),
    ("seed", _set("seed", "x"), RUN, "'seed' must be a whole number ≥ 0, found \"x\""),
    (
        "iterations-bool",
        _set("iterations", True),
        RUN,
        "'iterations' must be a whole number ≥ 1, found true",
    ),
    (
        "wall",
        _set("wall_seconds", -1.5),
        RUN,
        "'wall_seconds' must be a finite number ≥ 0, found -1.5",
    ),
    (
        "versions",
        _set("versions", {"numpy": 2}),
        RUN,
        "'versions' must be an object of text values, found an object",
    ),
    ("no-currency", _drop("currency"), RUN, "has no 'currency' (text)"),
    (
        "samples-text",
        _cell(SAMPLES, 2, "out.transition_cost", "lots"),
        SAMPLES,
        "row 3, column 'out.transition_cost': expected a finite number, found 'lots'",
    ),
    (
        "samples-inf",
        _cell(SAMPLES, 0, "out.npv_savings", "inf"),
        SAMPLES,
        "row 1, column 'out.npv_savings': expected a finite number, found 'inf'",
    ),
    (
        "samples-minus-inf",
        _cell(SAMPLES, 7, "in.staffing.salary_per_year", "-inf"),
        SAMPLES,
        "row 8, column 'in.staffing.salary_per_year': expected a finite number, found '-inf'",
    ),
    (
        "samples-nan-text",
        _cell(SAMPLES, 4, "out.peak_backlog", "NaN"),
        SAMPLES,
        "row 5, column 'out.peak_backlog': expected a finite number, found 'NaN'",
    ),
    (
        "samples-huge",
        _cell(SAMPLES, 1, "out.npv_savings", "-1.7e308"),
        SAMPLES,
        "row 2, column 'out.npv_savings': expected a finite number, found '-1.7e+308' "
        "(beyond ±1e+15)",
    ),
    (
        "samples-empty",
        _cell(SAMPLES, 9, "out.transition_months", ""),
        SAMPLES,
        "row 10, column 'out.transition_months': expected a finite number, found an empty cell",
    ),
    (
        "samples-iteration",
        _cell(SAMPLES, 3, "iteration", "2.5"),
        SAMPLES,
        "row 4, column 'iteration': expected a whole number ≥ 0, found '2.5'",
    ),
    (
        "samples-short",
        _edit_lines(SAMPLES, lambda lines: lines[:-1]),
        SAMPLES,
        "has 39 rows, but run.json records 40 iterations",
    ),
    (
        "samples-long-row",
        _edit_lines(SAMPLES, lambda lines: [*lines[:5], lines[5] + ",1", *lines[6:]]),
        SAMPLES,
        "cannot be read as CSV (Error tokenizing data. C error: Expected "
        f"{4 + len(SCALAR_NAMES)} fields in line 6, saw {5 + len(SCALAR_NAMES)})",
    ),
    (
        "samples-first-row-long",
        _edit_lines(SAMPLES, lambda lines: [lines[0], lines[1] + ",1", *lines[2:]]),
        SAMPLES,
        "row 1 has more fields than the header line",
    ),
    (
        "samples-empty-file",
        _text(SAMPLES, ""),
        SAMPLES,
        "is empty (expected the CSV table samples.csv written by simulate run)",
    ),
    (
        "samples-binary",
        _text(SAMPLES, bytes(range(256)) * 8),
        SAMPLES,
        "holds binary data (expected the CSV table samples.csv written by simulate run)",
    ),
    ("samples-folder", _swap_for_folder(SAMPLES), SAMPLES, "is a folder, expected a file"),
    ("samples-fifo", _fifo(SAMPLES), SAMPLES, "is not a regular file (a device, FIFO or socket)"),
    (
        "samples-no-column",
        _drop_column(SAMPLES, "out.npv_savings"),
        SUMMARY,
        "row 11: metric 'npv_savings' has no column 'out.npv_savings' in samples.csv",
    ),
    (
        "samples-blanked-breakeven",
        _cell(SAMPLES, 2, "out.breakeven_month", ""),
        SUMMARY,
        "metric 'breakeven_month' has n_missing = 12, but samples.csv has 13 empty "
        "'out.breakeven_month' cells",
    ),
    (
        "summary-text",
        _cell(SUMMARY, 16, "n", "many"),
        SUMMARY,
        "row 17, column 'n': expected a whole number ≥ 0, found 'many'",
    ),
    (
        "summary-inf",
        _cell(SUMMARY, 2, "p80", "-inf"),
        SUMMARY,
        "row 3, column 'p80': expected a finite number or an empty cell, found '-inf'",
    ),
    (
        "summary-huge",
        _cell(SUMMARY, 7, "max", "2e15"),
        SUMMARY,
        "row 8, column 'max': expected a finite number or an empty cell, found '2e+15' (beyond "
        "±1e+15)",
    ),
    (
        "summary-blank",
        _cell(SUMMARY, 2, "p80", ""),
        SUMMARY,
        "row 3 (metric 'transition_months'), column 'p80': expected a finite number because "
        "the metric has values (n > 0), found an empty cell",
    ),
    (
        "summary-share",
        _cell(SUMMARY, 3, "mean", "1.5"),
        SUMMARY,
        "row 4 (metric 'stabilised'), column 'mean': expected a share from 0 to 1, found 1.5",
    ),
    (
        "summary-twice",
        _edit_lines(SUMMARY, lambda lines: [*lines, lines[3]]),
        SUMMARY,
        f"row {3 + len(SCALAR_NAMES)}: metric 'transition_months' appears twice",
    ),
    (
        "summary-no-metric",
        _drop_column(SUMMARY, "metric"),
        SUMMARY,
        "has no column 'metric' (text)",
    ),
    ("summary-folder", _swap_for_folder(SUMMARY), SUMMARY, "is a folder, expected a file"),
    (
        "summary-latin1",
        _replace(SUMMARY, b"\nhires,", b"\nhir\xe9s,"),
        SUMMARY,
        "is not UTF-8 text (expected the CSV table summary.csv written by simulate run)",
    ),
    (
        "summary-blank-line",
        _text(SUMMARY, "\n\nmetric,mean\n"),
        SUMMARY,
        "starts with a blank line (expected the header of the CSV table summary.csv written "
        "by simulate run)",
    ),
    (
        "timeseries-empty-cell",
        _cell("timeseries.csv", 30, "p90", ""),
        "timeseries.csv",
        "row 31, column 'p90': expected a finite number, found an empty cell",
    ),
    (
        "timeseries-month",
        _cell("timeseries.csv", 0, "month", "0"),
        "timeseries.csv",
        "row 1, column 'month': expected a whole number ≥ 1, found '0'",
    ),
    (
        "timeseries-gap",
        _edit_lines("timeseries.csv", lambda lines: [*lines[:40], *lines[41:]]),
        "timeseries.csv",
        "series 'vendor_agents' has no row for month 16 (the series run to month 24)",
    ),
    (
        "sensitivity-range",
        _cell("sensitivity.csv", 1, "spearman", "1.7"),
        "sensitivity.csv",
        "row 2, column 'spearman': expected a finite number from -1 to 1, found '1.7'",
    ),
    (
        "sensitivity-missing-output",
        _edit_lines("sensitivity.csv", lambda lines: lines[:-3]),
        "sensitivity.csv",
        "has no rows for output 'peak_backlog' (expected a ranking of the 3 uncertain inputs)",
    ),
    (
        "risks-ghost",
        _text(
            "risks.csv",
            "risk,occurrence_rate,occurrences,transition_cost_with,transition_cost_without,"
            "transition_cost_effect,transition_months_with,transition_months_without,"
            "transition_months_effect\nghost,0.5,20,1,1,0,1,1,0\n",
        ),
        "risks.csv",
        "risk 'ghost' has no column 'risk.ghost' in samples.csv",
    ),
    (
        "inputs-boolean",
        _cell("inputs.csv", 3, "uncertain", "maybe"),
        "inputs.csv",
        "row 4, column 'uncertain': expected True or False, found 'maybe'",
    ),
    (
        "inputs-uncertain",
        _cell("inputs.csv", 0, "uncertain", "True"),
        "inputs.csv",
        "uncertain input 'scenario.horizon_months' has no column 'in.scenario.horizon_months' "
        "in samples.csv",
    ),
    (
        "scenario-latin1",
        _text("scenario.toml", 'name = "Caf\xe9"\n'.encode("latin-1")),
        "scenario.toml",
        "is not UTF-8 text (byte 0xe9 at offset 11; expected the scenario's TOML text)",
    ),
    ("charts-file", _swap_for_file("charts"), "charts", "is a file, expected a folder"),
    (
        "chart-folder",
        _swap_for_folder("charts/cost_paths.png"),
        "charts/cost_paths.png",
        "is a folder, expected a file",
    ),
    (
        "report-folder",
        _swap_for_folder("report.html"),
        "report.html",
        "is a folder, expected a file",
    ),
]


@pytest.mark.parametrize(
    ("tamper", "name", "message"), [t[1:] for t in TAMPERED], ids=[t[0] for t in TAMPERED]
)
def test_a_tampered_folder_is_refused_naming_the_file_and_left_as_it_was(
    folder: Path, tamper: Tamper, name: str, message: str
) -> None:
    tamper(folder)
    before = snapshot(folder)
    line = error_line(report(folder, "--pdf"))
    assert line == f"error: {folder / name}: {message}"
    assert snapshot(folder) == before


@pytest.mark.parametrize("name", ["run.json", "samples.csv", "summary.csv", "timeseries.csv"])
def test_a_missing_required_file_is_named(folder: Path, name: str) -> None:
    (folder / name).unlink()
    line = error_line(report(folder))
    assert line == f"error: {folder}: not a results folder (no {name})"


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    line = error_line(report(tmp_path / "nowhere"))
    assert line == f"error: {tmp_path / 'nowhere'}: not a results folder (it does not exist)"


# Write failures ---------------------------------------------------------------------------


def _mount_tmpfs(path: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted afterwards."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "4m")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` up, then free about ``leave`` bytes. Unbuffered: a buffered file would
    keep the part of the last block that did not fit and fail again when closed (whether it
    does depends on how the free space divides into blocks)."""
    filler = disk / "filler"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))


@pytest.mark.parametrize(
    ("leave", "options", "without_charts"),
    [(0, [], False), (200_000, ["--pdf"], False), (600_000, ["--svg"], True)],
)
def test_a_full_disk_leaves_the_folder_exactly_as_it_was(
    genuine_folder: Path,
    small_disk: Path,
    leave: int,
    options: list[str],
    without_charts: bool,
) -> None:
    """Some charts may be complete under temporary names when the disk fills up: every one is
    removed again (and the charts folder, when the command created it)."""
    folder = copy_folder(genuine_folder, small_disk / "results")
    if without_charts:
        shutil.rmtree(folder / "charts")
    _fill(small_disk, leave)
    before = snapshot(folder)
    line = error_line(report(folder, *options))
    where = re.escape(str(folder))
    assert re.fullmatch(
        rf"error: {where}/(charts|charts/\w+\.(png|svg)|report\.(html|pdf)): writing failed "
        rf"\(No space left on device\); {where} was left as it was",
        line,
    ), line
    assert snapshot(folder) == before


def test_a_read_only_folder_is_a_clean_error(genuine_folder: Path, small_disk: Path) -> None:
    folder = copy_folder(genuine_folder, small_disk / "results")
    before = snapshot(folder)
    done = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {done.stderr.strip()}")
    line = error_line(report(folder))
    assert line == (
        f"error: {folder}: writing failed (Read-only file system); {folder} was left as it was"
    )
    assert snapshot(folder) == before


# A chart worker that dies -----------------------------------------------------------------


def test_a_killed_chart_worker_is_survived_with_identical_charts(
    genuine_folder: Path, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first worker to draw a fan chart kills itself (SIGKILL, as the out-of-memory killer
    would); the charts not yet delivered are drawn in the parent, byte for byte the same."""
    from simulation.report import drawing as report_module

    marker = tmp_path / "kill-me"
    marker.touch()
    parent = os.getpid()
    real = fans.fan_chart

    def fan_chart_that_kills(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            try:
                marker.unlink()
            except FileNotFoundError:
                pass
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fans, "fan_chart", fan_chart_that_kills)
    monkeypatch.setattr(report_module, "_chart_jobs", lambda n: 2)
    for png in (folder / "charts").glob("*.png"):
        png.unlink()
    result = report(folder)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert not marker.exists()  # a worker did die
    drawn = sorted(p.name for p in (folder / "charts").glob("*.png"))
    assert drawn == sorted(p.name for p in (genuine_folder / "charts").glob("*.png"))
    for name in drawn:
        assert (folder / "charts" / name).read_bytes() == (
            genuine_folder / "charts" / name
        ).read_bytes(), name
