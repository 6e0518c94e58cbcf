"""Disk-full and permission errors while writing a results folder: a clear message, exit 1, and
no partial folder or temporary files left behind."""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulation.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"


@pytest.mark.parametrize(
    ("code", "text"),
    [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")],
)
def test_write_error_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, text: str
) -> None:
    real = pd.DataFrame.to_csv

    def failing(self, path=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path is not None and str(path).endswith("summary.csv"):
            raise OSError(code, text)
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    out = tmp_path / "results" / "run"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(MINIMAL),
            "-n",
            "20",
            "--seed",
            "1",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert result.exit_code == 1, result.output
    assert text in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list((tmp_path / "results").iterdir()) == []


def test_unwritable_parent_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(MINIMAL),
            "-n",
            "5",
            "--jobs",
            "1",
            "--out",
            str(blocker / "run"),
            "--no-report",
        ],
    )
    assert result.exit_code == 1
    assert str(blocker) in result.output
    assert "Traceback" not in result.output
