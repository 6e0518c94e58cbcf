"""Files the user names (scenarios, ``extends`` bases, ``new --like`` bases, fit CSVs and expert
files): pipes never block, devices and sockets are refused, a UTF-8 byte-order mark is accepted,
decimal commas are detected (and read with ``--decimal ,``), expert values are validated, and a
broken base of ``new --like`` is one line. Everything through the real command line."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from simulation import inputfiles
from simulation.cli import main
from simulation.distributions.continuous import Pert
from simulation.distributions.data import FitError
from simulation.distributions.pooling import ExpertEstimate, pool_experts

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
BOM = b"\xef\xbb\xbf"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_error(result: Result) -> str:
    """The single ``error:`` line of a failed command (exit 1, no traceback)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    return lines[0]


def _invoke_within(args: list[str], seconds: float = 30.0, unblock: int | None = None) -> Result:
    """Run the command in a thread; fail (instead of hanging the suite) if it has not returned
    after ``seconds`` — closing ``unblock`` (a pipe's write end) then lets a blocked read end."""
    box: dict[str, Result] = {}
    worker = threading.Thread(target=lambda: box.update(r=CliRunner().invoke(main, args)))
    worker.daemon = True
    worker.start()
    worker.join(seconds)
    blocked = worker.is_alive()
    if blocked and unblock is not None:
        os.close(unblock)
        worker.join(5)
    assert not blocked, f"simulate {' '.join(args)} blocked for {seconds} s"
    return box["r"]


@contextlib.contextmanager
def _fifo(folder: Path, name: str, data: bytes | None = None) -> Iterator[tuple[Path, int]]:
    """A named pipe; with ``data``, written into it by a writer that then closes (so a reader
    gets the data, then end-of-file). Yields the path and a held-open read end (which keeps the
    pipe's buffer alive)."""
    path = folder / name
    os.mkfifo(path)
    keep = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if data is not None:
            writer = os.open(path, os.O_WRONLY)
            os.write(writer, data)
            os.close(writer)
        yield path, keep
    finally:
        os.close(keep)


def _csv_data(values: list[str], header: str = "days") -> str:
    return header + "\n" + "\n".join(values) + "\n"


DAYS = ["12,5", "13,25", "9,75", "11", "14,5", "10,1", "12,9", "15,2", "13,3", "11,8", "12,2"]


# Pipes, devices, sockets ---------------------------------------------------------------------


def test_named_pipe_nobody_writes_to_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO without a writer: a blocking open would wait forever; here it is refused."""
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "validate", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.strip() == (
        f"{fifo}: is a pipe and nothing was written to it (no program writes to this named "
        "pipe); give a regular file"
    )


def test_fit_data_from_a_named_pipe_nobody_writes_to(tmp_path: Path) -> None:
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "fit", str(fifo), "--column", "days"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"error: {fifo}: is a pipe and nothing was written to it (no program writes to this "
        "named pipe); give a regular file"
    )


def test_a_writer_that_never_writes_is_given_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputfiles, "PIPE_TIMEOUT_SECONDS", 0.2)
    with _fifo(tmp_path, "slow.toml") as (fifo, _):
        writer = os.open(fifo, os.O_WRONLY)  # holds the pipe open, sends nothing
        try:
            result = _invoke_within(["inputs", str(fifo)], unblock=writer)
        finally:
            with contextlib.suppress(OSError):
                os.close(writer)
    assert _one_error(result) == (
        f"error: {fifo}: is a pipe and no data arrived for 0.2 s; give a regular file, or make "
        "sure the program writing to it runs"
    )


def test_scenario_and_fit_data_written_into_a_named_pipe_are_read(tmp_path: Path) -> None:
    with _fifo(tmp_path, "minimal.toml", MINIMAL.read_bytes()) as (fifo, _):
        result = _invoke_within(["validate", str(fifo)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{fifo}: OK\n"
    data = _csv_data([str(v) for v in range(10, 30)]).encode()
    with _fifo(tmp_path, "data.csv", data) as (fifo, _):
        result = _invoke_within(["fit", str(fifo), "--column", "days"])
    assert result.exit_code == 0, result.output
    assert f"{fifo}: column 'days': 20 values, min 10," in result.output


def test_process_substitution_is_read(tmp_path: Path) -> None:
    """``simulate validate <(cat minimal.toml)``: bash passes /dev/fd/NN, a pipe with a writer."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    script = '"$0" -m simulation.cli validate <(cat "$1")'
    proc = subprocess.run(
        ["bash", "-c", script, sys.executable, str(MINIMAL)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("/dev/fd/") and proc.stdout.endswith(": OK\n"), proc.stdout


@pytest.mark.parametrize("command", [["validate"], ["run"], ["fit", "--column", "x"]])
def test_character_device_is_refused(command: list[str]) -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    result = _invoke(*command[:1], "/dev/null", *command[1:])
    assert result.exit_code == 1
    assert "/dev/null: is not a regular file (a character device)" in result.output


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        scenario = _invoke("validate", str(path))
        fit = _invoke("fit", str(path), "--column", "x")
    assert scenario.exit_code == 1
    assert scenario.output.strip() == (
        f"{path}: is not a regular file (a socket); give the scenario file itself"
    )
    assert _one_error(fit) == (
        f"error: {path}: is not a regular file (a socket); give the CSV file itself"
    )


def test_folder_and_missing_fit_data(tmp_path: Path) -> None:
    assert _one_error(_invoke("fit", str(tmp_path), "--column", "x")) == (
        f"error: {tmp_path}: is a folder, not a CSV file"
    )
    assert _one_error(_invoke("fit", str(tmp_path / "no.csv"), "--column", "x")) == (
        f"error: {tmp_path / 'no.csv'}: file not found"
    )


# Byte-order mark ---------------------------------------------------------------------------------


def test_scenario_and_extends_base_with_a_byte_order_mark(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_bytes(BOM + MINIMAL.read_bytes())
    child = tmp_path / "child.toml"
    child.write_bytes(BOM + b'extends = "base.toml"\n[staffing]\ntarget_agents = 5\n')
    result = _invoke("validate", str(base), str(child))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{base}: OK", f"{child}: OK"]
    run = _invoke("inputs", str(child), "-n", "20")
    assert run.exit_code == 0, run.output


def test_new_like_a_base_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_bytes(BOM + MINIMAL.read_bytes())
    result = _invoke("new", "mine", "--like", "base", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mine.toml").read_text().count('extends = "base.toml"') == 1


def test_fit_csv_and_expert_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(BOM + _csv_data([str(v) for v in range(10, 30)], "days;site").encode())
    result = _invoke("fit", str(data), "--column", "days")
    assert result.exit_code == 0, result.output
    experts = tmp_path / "experts.csv"
    experts.write_bytes(BOM + b"expert,min,mode,max\nA,10,20,40\nB,15,25,35\n")
    result = _invoke("fit", str(experts), "--expert")
    assert result.exit_code == 0, result.output
    assert "2 experts" in result.output


# simulate new --like with a broken base --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[scenario\nname = 1\n", "TOML syntax error: Expected ']' at the end of a table"),
        (MINIMAL.read_bytes().replace(b"domains = 4", b"domians = 4"), "knowledge.domians"),
        (b'[scenario]\nname = "caf\xe9"\n', "is not UTF-8 text (invalid byte 0xe9 at line 2"),
        (b"risks = 5\n" + MINIMAL.read_bytes(), "risks: must be a list of [[risks]] tables"),
    ],
)
def test_new_like_a_broken_base_is_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    base = tmp_path / "base.toml"
    base.write_bytes(content)
    line = _one_error(_invoke("new", "mine", "--like", "base", "--dir", str(tmp_path)))
    assert line.startswith(
        f"error: --like base: the base scenario cannot be extended, it is not valid: {base}: "
    ), line
    assert problem in line
    assert line.endswith(f"see `simulate validate {base}`")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.toml"]


def test_new_reports_a_write_failure_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError("the disk said no")  # strerror is None

    monkeypatch.setattr(os, "replace", refuse)
    line = _one_error(_invoke("new", "mine", "--dir", str(tmp_path)))
    assert line == f"error: {tmp_path / 'mine.toml'}: cannot write (the disk said no)"
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


# Decimal commas, separators, thousands -----------------------------------------------------------


def _fit(path: Path, *args: str) -> Result:
    return _invoke("fit", str(path), "--column", "days", *args)


def test_semicolon_file_with_decimal_commas_is_detected_then_read(tmp_path: Path) -> None:
    path = tmp_path / "hires.csv"
    path.write_text(_csv_data([f"site{i};{v}" for i, v in enumerate(DAYS)], "site;days"))
    assert _one_error(_fit(path)) == (
        f"error: {path}: column 'days' has a decimal comma (line 2: '12,5'); fit reads decimal "
        "points by default: give --decimal , to read 12,5 as 12.5; the fields are separated by ';'"
    )
    for args in (["--decimal", ","], ["--decimal", ",", "--sep", ";"]):
        result = _fit(path, *args)
        assert result.exit_code == 0, result.output
        assert f"{path}: column 'days': 11 values, min 9.75, mean 12.41, max 15.2" in result.output


def test_one_column_file_with_decimal_commas_is_not_read_as_row_labels(tmp_path: Path) -> None:
    """pandas would take '12' as a row label and fit the 5 of '12,5'."""
    path = tmp_path / "days.csv"
    path.write_text(_csv_data(DAYS))
    assert _one_error(_fit(path)) == (
        f"error: {path}: line 2 has 2 fields but the header has 1 ('12,5'); if ',' is the decimal "
        "mark (12,5 for 12.5), give --decimal , (fields are then separated by ';' or a tab, "
        "or quoted)"
    )
    result = _fit(path, "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert "11 values, min 9.75, mean 12.41, max 15.2" in result.output


def test_only_some_lines_with_an_extra_field_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text(_csv_data(["12", "13", "9", "11,5", "14", "10", "12", "15", "13", "11"]))
    assert _one_error(_fit(path)).startswith(
        f"error: {path}: line 5 has 2 fields but the header has 1 ('11,5')"
    )


def test_tab_separated_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "days.tsv"
    path.write_text(_csv_data([f"a\t{v}" for v in DAYS], "site\tdays"))
    assert "; the fields are separated by 'tab'" in _one_error(_fit(path))
    result = _fit(path, "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert "min 9.75, mean 12.41, max 15.2" in result.output


def test_pipe_separated_file_is_detected_or_named(tmp_path: Path) -> None:
    path = tmp_path / "days.txt"
    path.write_text(_csv_data([f"a|{v}" for v in range(10, 21)], "site|days"))
    for args in ([], ["--sep", "pipe"]):
        result = _fit(path, *args)
        assert result.exit_code == 0, result.output
        assert "11 values, min 10, mean 15, max 20" in result.output
    assert "no column 'days'" in _one_error(_fit(path, "--sep", ";"))


def test_quoted_decimal_commas_in_a_comma_separated_file(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text(_csv_data([f'"{v}",a' for v in DAYS], "days,site"))
    assert "has a decimal comma (line 2: '12,5')" in _one_error(_fit(path))
    result = _fit(path, "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert "min 9.75, mean 12.41, max 15.2" in result.output


def test_thousands_separators_in_a_plain_csv_are_not_decimal_commas(tmp_path: Path) -> None:
    values = ['"1,234"', '"2,345.5"', "1100", '"1,500"', "1700", "1800", '"1,900"', "2000"]
    values += ["2100", "2200", "1300"]
    path = tmp_path / "costs.csv"
    path.write_text(_csv_data([f"{v},a" for v in values], "days,site"))
    result = _fit(path)
    assert result.exit_code == 0, result.output
    assert "11 values, min 1100, mean 1744, max 2346" in result.output
    assert (
        "note: 4 values have thousands separators (1,234 read as 1234); if ',' is their decimal "
        "mark, give --decimal ," in result.output
    )
    # under --decimal , the same file is read the other way, and 2,345.5 cannot be
    assert _one_error(_fit(path, "--decimal", ",")) == (
        f"error: {path}: column 'days', line 3: '2,345.5' has a decimal point, but --decimal , "
        "says the decimal mark is a comma (leave out --decimal ,)"
    )


def test_semicolon_file_thousands_and_decimal_marks(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    values = ["1.234,5", "2.000", "1.500,25", "900", "1.100", "1.250", "1.300", "1.400", "980"]
    values += ["1.050", "1.075"]
    path.write_text(_csv_data([f"x;{v}" for v in values], "site;days"))
    result = _fit(path, "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert "11 values, min 900, mean 1254, max 2000" in result.output
    # without --decimal , a ';' file's 1,234.5 and 1,234,567 are thousands, its 12,5 a
    # decimal comma
    rows = ["x;1,234.5", "x;1,234,567"] + [f"x;{v}" for v in range(10, 20)]
    path.write_text(_csv_data(rows, "site;days"))
    result = _fit(path)
    assert result.exit_code == 0, result.output
    assert "12 values, min 10, mean 1.03e+05, max 1.235e+06" in result.output


def test_expert_file_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "experts.csv"
    path.write_text("expert;min;mode;max\nA;1,5;2,5;4\nB;2;3,25;5,5\n")
    assert _one_error(_invoke("fit", str(path), "--expert")).startswith(
        f"error: {path}: column 'min' has a decimal comma (line 2: '1,5')"
    )
    result = _invoke("fit", str(path), "--expert", "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert "1.5" in result.output and "3.25" in result.output


# Expert files with extreme values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "A,-1e308,0,1e308,1",
            [
                "line 2, column 'min': '-1e308' is beyond ±1e+15, the largest magnitude an "
                "estimate may have (are the units right?)",
                "line 2, column 'max': '1e308' is beyond ±1e+15, the largest magnitude an "
                "estimate may have (are the units right?)",
            ],
        ),
        ("A,1,2,3,inf", ["line 2, column 'weight': 'inf' is not a finite number"]),
        ("A,1,2,-inf,1", ["line 2, column 'max': '-inf' is not a finite number"]),
        ("A,NaN,2,3,1", ["line 2, column 'min': 'NaN' is not a finite number"]),
        ("A,1,2,3,", ["line 2, column 'weight': is empty"]),
        ("A,1,2,3,-1", ["line 2 (expert 'A'), column 'weight': must be >= 0 (got -1)"]),
        ("A,1,2,3,1e308", ["line 2, column 'weight': '1e308' is beyond ±1e+15"]),
        ("A,1,2,3,0", ["column 'weight': the weights must not all be 0"]),
        ("A,2,2,2,1", ["line 2 (expert 'A'): min (2) must be < max (2)"]),
        (
            "A,0,1e-320,2e-320,1",
            ["line 2 (expert 'A'): the range max - min (1.99998e-320) is too narrow to pool"],
        ),
        (
            "A,999999999999999,1e15,1e15,1",
            [
                "line 2 (expert 'A'): the range max - min (1) is too narrow to pool for values "
                "of this size (at least 1e+06); use other units, or a plain number"
            ],
        ),
    ],
)
def test_extreme_expert_values_are_refused_naming_line_and_column(
    tmp_path: Path, rows: str, expected: list[str]
) -> None:
    path = tmp_path / "experts.csv"
    path.write_text("expert,min,mode,max,weight\n" + rows + "\nB,1,2,3,0\n")
    result = _invoke("fit", str(path), "--expert")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(expected), lines
    for line, fragment in zip(lines, expected, strict=True):
        assert line.startswith(f"error: {path}: {fragment}"), line


def test_extreme_but_valid_experts_print_only_finite_numbers(tmp_path: Path) -> None:
    path = tmp_path / "experts.csv"
    path.write_text("expert,min,mode,max,weight\nA,-1e15,0,1e15,0\nB,1,2,3,1e15\nC,2,4,9,1\n")
    result = _invoke("fit", str(path), "--expert")
    assert result.exit_code == 0, result.output
    words = result.output.lower().replace(",", " ").replace("(", " ").split()
    assert not {"nan", "inf", "-inf", "infinity"} & set(words), result.output
    # the weight-0 expert's huge range does not dilute the pool: it stays within B and C
    assert "pooled: mean 2" in result.output


def test_a_pool_that_is_not_finite_is_refused() -> None:
    """What validation lets through cannot become NaN on screen: the pool itself refuses."""
    wide = (ExpertEstimate("A", Pert(-1e308, 0.0, 1e308), 1.0),)
    with pytest.raises(FitError, match=r"^x.csv: the experts' range -1e\+308 \.\. 1e\+308 is too"):
        pool_experts(wide, label="x.csv")
    pool = pool_experts((ExpertEstimate("A", Pert(1.0, 2.0, 4.0), 1.0),))
    assert np.isfinite([pool.mean, pool.p10, pool.p50, pool.p90]).all()
